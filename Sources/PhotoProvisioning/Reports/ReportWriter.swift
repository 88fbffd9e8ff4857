import Foundation
import PhotoModel

/// Writes a run's report.html, report.csv and report.json into a folder.
///
/// Each file is written to a temporary name in the same folder and renamed into place, so a reader (or a second
/// run writing the same folder) sees either the old file or the new one, never half of one.
public enum ReportWriter {
    /// Choices that change what the files hold.
    public struct Options: Sendable {
        /// Previews larger than this many bytes are left out of the HTML (the card shows "no preview").
        public var maxPreviewBytes: Int
        /// Whether report.json carries the previews as base64 (`sourcePreview`, `outputPreview`); off by default.
        public var jsonIncludesPreviews: Bool
        /// The time stamped as "written on"; now by default.
        public var generatedAt: Date

        /// Creates options; the defaults suit reports of any size.
        public init(maxPreviewBytes: Int = 48 * 1024, jsonIncludesPreviews: Bool = false, generatedAt: Date = Date()) {
            self.maxPreviewBytes = maxPreviewBytes
            self.jsonIncludesPreviews = jsonIncludesPreviews
            self.generatedAt = generatedAt
        }
    }

    /// Where the three files were written.
    public struct Files: Sendable, Hashable {
        /// The folder's report.html.
        public let html: String
        /// The folder's report.csv.
        public let csv: String
        /// The folder's report.json.
        public let json: String
    }

    /// Writes report.html, report.csv and report.json for `run` and `items` into `directory` (created if missing).
    ///
    /// - Parameters:
    ///   - run: the run's facts; counts are derived from `items`.
    ///   - items: one entry per person (or group/team), in the order the report should list them.
    ///   - directory: the output folder.
    ///   - options: preview limits, JSON previews, time stamp.
    /// - Returns: the three paths.
    /// - Throws: `ReportError` naming the folder or file that could not be written.
    @available(*, noasync, message: "blocking file I/O: run it on a worker, not the cooperative pool")
    @discardableResult
    public static func write(
        run: ReportRun, items: [ReportItem], to directory: String, options: Options = Options()
    ) throws(ReportError) -> Files {
        // Free text comes from Graph errors and exceptions; mask anything shaped like a secret once, for all files.
        var run = run
        run.policyVerdict = Redaction.text(run.policyVerdict)
        run.policyExplanation = Redaction.text(run.policyExplanation)
        let items = items.map { item in
            guard let reason = item.record.reason else { return item }
            var copy = item
            copy.record.reason = Redaction.text(reason)
            return copy
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError(
                .cannotCreateDirectory, path: directory, "cannot create the report folder: \(reason(error))")
        }
        let folder = URL(fileURLWithPath: directory)
        let files = Files(
            html: folder.appendingPathComponent("report.html").path,
            csv: folder.appendingPathComponent("report.csv").path,
            json: folder.appendingPathComponent("report.json").path)

        let document = ReportDocument(
            run: run, items: items, generatedAt: options.generatedAt,
            mode: .file(previews: options.jsonIncludesPreviews))
        let json: Data
        do {
            json = try document.encoded(pretty: true)
        } catch {
            throw ReportError(.cannotEncode, path: files.json, "cannot encode the report: \(reason(error))")
        }
        try replace(files.json, with: Array(json))

        try replace(files.csv, with: ReportCSV.render(run: run, items: items))

        let html: [UInt8]
        do {
            html = try ReportHTML.render(
                run: run, items: items, generatedAt: options.generatedAt, maxPreviewBytes: options.maxPreviewBytes)
        } catch {
            throw ReportError(.cannotEncode, path: files.html, "cannot encode the report: \(reason(error))")
        }
        try replace(files.html, with: html)
        return files
    }

    /// Writes `bytes` to a temporary file beside `path`, flushes it, and renames it over `path`.
    private static func replace(_ path: String, with bytes: [UInt8]) throws(ReportError) {
        let temporary = path + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReportError(.cannotWrite, path: path, "cannot create a temporary file: \(SystemError.last)")
        }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError.last
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = SystemError.last }
        if close(descriptor) != 0 && failure == nil { failure = SystemError.last }
        if failure == nil && rename(temporary, path) != 0 { failure = SystemError.last }
        if let failure {
            unlink(temporary)
            throw ReportError(.cannotWrite, path: path, "cannot write the report: \(failure)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).localizedDescription
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
