import Foundation
import PhotoCodec
import PhotoProvisioning

extension Command {
    /// The codec options every photo-producing command shares (`convert`, `upload`).
    static let codecOptions: [Arguments.Option] = [
        .value("max-side", "N", "longest side of the output in pixels (default 648; never upscales)"),
        .value("crop", "square|none", "square: centred square, portraits biased upward (default); none: fit in the box"),
        .value("quality", "Q", "starting JPEG quality 1-100 (default 85; lowered only to meet --max-bytes)"),
        .value("max-bytes", "BYTES", "byte budget per photo, e.g. 100KB, 4MB (default 4MB, Graph's limit)"),
        .value("background", "RRGGBB", "colour transparent pixels are flattened onto (default ffffff)"),
        .value("max-pixels", "N", "refuse images declaring more pixels than this (default 100000000)"),
    ]

    static let convert = Command(
        name: "convert",
        summary: "Turn images into profile-ready JPEGs in a folder (no tenant needed).",
        usage: "convert [options] --out DIR FILE...",
        options: [.value("out", "DIR", "folder the JPEGs are written to (created if missing)")] + codecOptions + [
            .value("jobs", "N", "images converted at once (default: number of cores)"),
            .flag("overwrite", "replace files in --out that are not this conversion's output (never an input)"),
        ]
    ) { arguments in
        guard let out = arguments.value("out") else { throw UsageError("convert needs --out DIR") }
        guard !arguments.positionals.isEmpty else { throw UsageError("convert needs at least one FILE") }
        let options = try codecOptions(from: arguments)
        let jobs = try arguments.integer("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...256)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw UsageError("cannot create --out \(out): \(error.localizedDescription)")
        }
        let job = ConvertJob(
            files: arguments.positionals, outputDirectory: out, options: options, jobs: jobs,
            overwrite: arguments.has("overwrite"))
        let outcomes = await job.run { outcome in
            if case .failure(let error) = outcome.result {
                print(Terminal.printable("\(outcome.input): \(error.message)"))
            }
        }
        let failed = outcomes.filter { if case .failure = $0.result { true } else { false } }.count
        Terminal.note("converted \(outcomes.count - failed) of \(outcomes.count) into \(out)")
        return failed == 0 ? .success : .someFailed
    }

    /// Reads `--max-side`, `--crop`, `--quality`, `--max-bytes`, `--background` and `--max-pixels`.
    static func codecOptions(from arguments: Arguments) throws(UsageError) -> ConvertOptions {
        var options = ConvertOptions()
        options.maxSide = try arguments.integer("max-side", default: options.maxSide, in: 16...10_000)
        options.crop = ConvertOptions.Crop(rawValue: try arguments.choice("crop", ["square", "none"], default: "square"))!
        options.quality = try arguments.integer("quality", default: options.quality, in: 1...100)
        options.maxPixels = try arguments.integer("max-pixels", default: options.maxPixels, in: 1...1_000_000_000)
        if let text = arguments.value("max-bytes") {
            guard let bytes = ByteCount.parse(text), bytes >= 1024, bytes <= ConvertOptions.graphByteLimit else {
                throw UsageError("--max-bytes must be a size from 1KB to 4MB such as 100KB or 4MB, not '\(text)'")
            }
            options.maxBytes = bytes
        }
        if let text = arguments.value("background") {
            guard let colour = RGBColor(hex: text) else {
                throw UsageError("--background must be a colour as RRGGBB, not '\(text)'")
            }
            options.background = colour
        }
        return options
    }
}
