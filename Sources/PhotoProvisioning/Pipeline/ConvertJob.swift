import Foundation
import PhotoCodec
import PhotoModel

/// `photoprov convert`: many files through the codec, `jobs` at a time, each written as `<name>.jpg` by the rule of
/// `ConvertOutput` (never onto an input; an existing file only when it already holds that output, or `overwrite`).
public struct ConvertJob: Sendable {
    /// What happened to one input file.
    public struct Outcome: Sendable {
        /// The input path as given.
        public let input: String
        /// The output path, the photo and what face framing found (nil without it), or the reason it failed.
        public let result: Result<Converted, CodecError>
    }

    /// One file written.
    public typealias Converted = (path: String, photo: ConvertedPhoto, framing: FaceFraming?)

    public let files: [String]
    public let outputDirectory: String
    public let options: ConvertOptions
    /// `--crop auto`: frame on faces (the same as `upload` does); nil frames by `options.crop`.
    public let faces: AutoFraming?
    public let jobs: Int
    /// `--overwrite`: replace existing files at output names even when they do not hold the output.
    public let overwrite: Bool

    /// Creates a job; nothing runs until `run`.
    public init(
        files: [String], outputDirectory: String, options: ConvertOptions, faces: AutoFraming? = nil, jobs: Int,
        overwrite: Bool = false
    ) {
        self.files = files
        self.outputDirectory = outputDirectory
        self.options = options
        self.faces = faces
        self.jobs = max(1, jobs)
        self.overwrite = overwrite
    }

    /// The output path for each input: `DIR/<name>.jpg`; a name used twice is an error for the later input.
    func outputPaths() -> [Result<String, CodecError>] {
        var used: [String: String] = [:]
        return files.map { file in
            let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let name = (base.isEmpty ? "image" : base) + ".jpg"
            if let earlier = used[name] {
                return .failure(CodecError(.failed, "output \(name) is already written for \(earlier)", file: file))
            }
            used[name] = file
            return .success((outputDirectory as NSString).appendingPathComponent(name))
        }
    }

    /// Converts every file on `jobs` threads, at most `jobs` at once (largest first when several), calling `report`
    /// as each finishes (in completion order).
    ///
    /// - Returns: the outcomes in input order.
    /// - Throws: `FaceDetectionError` when `faces` is set and the detector cannot be loaded.
    public func run(report: @escaping @Sendable (Outcome) -> Void = { _ in }) async throws -> [Outcome] {
        let targets = outputPaths()
        let options = self.options
        let pool = BlockingPool(threads: jobs)
        let framer = try await FaceFramer.load(faces, on: pool)
        let files = self.files
        let output = ConvertOutput(
            inputs: (try? await pool.run { ConvertOutput.identities(files) }) ?? [], overwrite: overwrite)
        var outcomes = [Outcome?](repeating: nil, count: files.count)
        // With several workers, largest files first: a big photo started last would leave the others idle at the
        // end. One worker keeps the input order.
        var order = Array(files.indices)
        if jobs > 1 {
            let sizes = (try? await pool.run { files.map(Self.fileSize) }) ?? files.map { _ in 0 }
            order.sort { sizes[$0] > sizes[$1] }
        }
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            func addNext() {
                guard next < order.count else { return }
                let index = order[next]
                let input = files[index]
                let target = targets[index]
                next += 1
                group.addTask {
                    let result: Result<Converted, CodecError>
                    do {
                        result = try await pool.run {
                            Self.convertOne(
                                input: input, target: target, options: options, framer: framer, output: output)
                        }
                    } catch {
                        result = .failure(CodecError(.failed, "cancelled", file: input))
                    }
                    return (index, Outcome(input: input, result: result))
                }
            }
            for _ in 0..<jobs { addNext() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                report(outcome)
                addNext()
            }
        }
        return outcomes.map { $0! }
    }

    @available(*, noasync, message: "blocking file I/O")
    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    }

    @available(*, noasync, message: "blocking file I/O and CPU work: run it on the BlockingPool")
    private static func convertOne(
        input: String, target: Result<String, CodecError>, options: ConvertOptions, framer: FaceFramer?,
        output: ConvertOutput
    ) -> Result<Converted, CodecError> {
        do {
            let path = try target.get()
            if let refusal = output.refusal(at: path) { throw CodecError(.failed, refusal, file: input) }
            // The codec opens the file by name and would wait forever on a FIFO; anything but a file is named here.
            var info = stat()
            if stat(input, &info) == 0, let kind = FileProblem.kind(of: info.st_mode) {
                throw CodecError(.unreadable, "\(FileProblem.notAFile(kind))", file: input)
            }
            let made = try PhotoMaker.make(.file(input), options: options, framer: framer)
            do {
                try output.write(made.photo.jpeg, to: path)
            } catch {
                throw CodecError(.failed, error.description, file: input)
            }
            return .success((path, made.photo, made.framing))
        } catch let error as CodecError {
            return .failure(error)
        } catch {
            return .failure(CodecError(.failed, String(describing: error), file: input))
        }
    }
}
