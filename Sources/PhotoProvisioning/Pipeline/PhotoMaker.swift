import PhotoCodec
import PhotoModel

/// Where a photo's bytes come from: already read (uploads hash them first), or a file the codec reads in pieces.
enum PhotoSource: Sendable {
    case bytes([UInt8])
    case file(String)

    /// The path, for messages; nil for bytes.
    var file: String? {
        if case .file(let path) = self { path } else { nil }
    }
}

/// A photo made ready for Graph: the JPEG and its facts, and what face framing found (nil without `--crop auto`).
struct MadePhoto: Sendable {
    let photo: ConvertedPhoto
    let framing: FaceFraming?
}

/// The one way `convert` and `upload` turn a source into a profile photo, so both give the same bytes.
enum PhotoMaker {
    /// Converts `source` with the codec's own crop, or framed on its face when `framer` is given.
    ///
    /// - Throws: `CodecError` naming the reason.
    @available(*, noasync, message: "blocking file and CPU work: run it on the BlockingPool")
    static func make(_ source: PhotoSource, options: ConvertOptions, framer: FaceFramer?) throws(CodecError)
        -> MadePhoto
    {
        if let framer {
            let (photo, framing) = try framer.convert(source, options: options)
            return MadePhoto(photo: photo, framing: framing)
        }
        switch source {
        case .bytes(let bytes): return MadePhoto(photo: try PhotoCodec.convert(bytes, options: options), framing: nil)
        case .file(let path):
            return MadePhoto(photo: try PhotoCodec.convert(contentsOf: path, options: options), framing: nil)
        }
    }

    /// The settings fingerprint the journal compares (`crop=auto` and the face settings with `faces`).
    static func fingerprint(codec: ConvertOptions, faces: AutoFraming?) -> String {
        guard let faces else { return codec.fingerprint }
        return codec.fingerprint(crop: "auto") + ";" + faces.fingerprint
    }
}

extension CodecError {
    /// What to do about the error, when the fix is a flag: appended to the item's reason.
    package var advice: String? {
        reason == .overMemoryBudget ? "--max-memory raises the budget" : nil
    }

    /// The message with its advice, for an item's reason and `convert`'s output.
    package var explained: String { advice.map { "\(message) (\($0))" } ?? message }
}
