import FaceDetection
import Foundation
import PhotoCodec
import PhotoProvisioning

extension Command {
    /// The codec options every photo-producing command shares (`convert`, `upload`).
    static let codecOptions: [Arguments.Option] = [
        .value("max-side", "N", "longest side of the output in pixels (default 648; never upscales)"),
        .value(
            "crop", "auto|square|none",
            "auto: framed on the face, as square when there is none or several (default); square: centred square, "
                + "portraits biased upward; none: fit in the box"),
        .value("quality", "Q", "starting JPEG quality 1-100 (default 85; lowered only to meet --max-bytes)"),
        .value("max-bytes", "BYTES", "byte budget per photo, e.g. 100KB, 4MB (default 4MB, Graph's limit)"),
        .value("background", "RRGGBB", "colour transparent pixels are flattened onto (default ffffff)"),
        .value("max-pixels", "N", "refuse images declaring more pixels than this (default 100000000)"),
        .value("max-memory", "BYTES", "memory budget per photo, judged before decoding, e.g. 512MB (default 256MB)"),
        .value("face-share", "F", "--crop auto: the face's width as a share of the square's side (default 0.4)"),
        .value("eye-line", "F", "--crop auto: the eyes' height below the top, as a share of the side (default 0.4)"),
        .value(
            "companion-share", "F",
            "--crop auto: another face at least this share of the largest's width means several-faces (default 0.5)"),
        .value(
            "centre-tolerance", "F",
            "--crop auto: how far off-centre (share of the side) the face may end up before face-at-edge (default 0.05)"
        ),
        .value(
            "eye-tolerance", "F",
            "--crop auto: how far off the eye line the eyes may end up before face-at-edge (default 0.1)"),
        .value(
            "min-crop-side", "N", "--crop auto: the smallest square in source pixels (default: --max-side; 0: none)"),
    ]

    /// The options that only mean something with `--crop auto`.
    static let framingOptionNames = [
        "face-share", "eye-line", "companion-share", "centre-tolerance", "eye-tolerance", "min-crop-side",
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
        let faces = try faceFraming(from: arguments, codec: options)
        let jobs = try arguments.integer("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...256)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw UsageError("cannot create --out \(out): \(error.localizedDescription)")
        }
        let job = ConvertJob(
            files: arguments.positionals, outputDirectory: out, options: options, faces: faces, jobs: jobs,
            overwrite: arguments.has("overwrite"))
        let outcomes = try await job.run { outcome in
            switch outcome.result {
            case .failure(let error):
                print(Terminal.printable("\(outcome.input): \(error.explained)"))
            case .success(let converted):
                // What is worth a look, on stderr (stdout lists the failures): the framing's flags and a colour
                // profile that could not be used.
                let notes =
                    (converted.framing?.flags.map(\.rawValue) ?? []) + [converted.photo.warning].compactMap { $0 }
                if !notes.isEmpty { Terminal.note("\(outcome.input): \(notes.joined(separator: "; "))") }
            }
        }
        let failed = outcomes.filter { if case .failure = $0.result { true } else { false } }.count
        Terminal.note("converted \(outcomes.count - failed) of \(outcomes.count) into \(out)")
        return failed == 0 ? .success : .someFailed
    }

    /// Reads `--max-side`, `--crop`, `--quality`, `--max-bytes`, `--background`, `--max-pixels` and `--max-memory`;
    /// `--crop auto` sets the codec's crop to `square`, its fallback (`faceFraming(from:codec:)` reads the rest).
    static func codecOptions(from arguments: Arguments, defaultCrop: String = "auto") throws(UsageError)
        -> ConvertOptions
    {
        var options = ConvertOptions()
        options.maxSide = try arguments.integer("max-side", default: options.maxSide, in: 16...10_000)
        let crop = try arguments.choice("crop", ["auto", "square", "none"], default: defaultCrop)
        options.crop = crop == "none" ? .none : .square
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
        if let text = arguments.value("max-memory") {
            guard let bytes = ByteCount.parse(text), bytes >= 16 * 1_048_576, bytes <= 64 * 1_073_741_824 else {
                throw UsageError("--max-memory must be a size from 16MB to 64GB such as 512MB or 1GB, not '\(text)'")
            }
            options.maxMemory = bytes
        }
        return options
    }

    /// Reads `--crop auto` and its framing options, checked against `FramingOptions`' ranges; nil for `--crop
    /// square|none`, which refuse the framing options.
    static func faceFraming(from arguments: Arguments, codec: ConvertOptions, defaultCrop: String = "auto")
        throws(UsageError) -> AutoFraming?
    {
        guard try arguments.choice("crop", ["auto", "square", "none"], default: defaultCrop) == "auto" else {
            if let given = framingOptionNames.first(where: { arguments.value($0) != nil }) {
                throw UsageError("--\(given) only applies to --crop auto")
            }
            return nil
        }
        let defaults = AutoFraming.framing(outputSide: codec.maxSide)
        let framing = FramingOptions(
            faceShare: try arguments.number(
                "face-share", default: defaults.faceShare, in: FramingOptions.faceShareRange),
            eyeLine: try arguments.number("eye-line", default: defaults.eyeLine, in: FramingOptions.eyeLineRange),
            companionShare: try arguments.number(
                "companion-share", default: defaults.companionShare, in: FramingOptions.companionShareRange),
            centreTolerance: try arguments.number(
                "centre-tolerance", default: defaults.centreTolerance, in: FramingOptions.toleranceRange),
            eyeTolerance: try arguments.number(
                "eye-tolerance", default: defaults.eyeTolerance, in: FramingOptions.toleranceRange),
            minimumSide: try arguments.integer("min-crop-side", default: defaults.minimumSide, in: 0...100_000))
        return AutoFraming(framing: framing)
    }
}
