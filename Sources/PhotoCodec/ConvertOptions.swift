/// How a source image becomes a profile photo.
public struct ConvertOptions: Sendable, Hashable {
    /// How the picture is framed.
    public enum Crop: String, Sendable, Hashable, CaseIterable {
        /// A centred square (portraits biased upward so faces stay in frame).
        case square
        /// The whole picture, fitted inside the `maxSide` box.
        case none
    }

    /// The longest side of the output in pixels; never upscaled. Microsoft 365 renders at most 648.
    public var maxSide: Int
    /// The framing.
    public var crop: Crop
    /// The starting JPEG quality (1–100); lowered only to meet `maxBytes`.
    public var quality: Int
    /// The byte budget of the output JPEG; Graph takes at most 4 MB.
    public var maxBytes: Int
    /// The colour transparent pixels are flattened onto.
    public var background: RGBColor
    /// Images declaring more pixels than this are refused before their pixels are allocated.
    public var maxPixels: Int
    /// When above zero, also produce a small preview of the whole upright source (for reports).
    public var previewSide: Int
    /// The memory budget of one conversion in bytes, judged from the header before decoding: an image that cannot
    /// be decoded within it (even shrunk on load) is refused. `--jobs` × this bounds the codec's memory.
    public var maxMemory: Int

    /// The default memory budget: 256 MiB.
    public static let defaultMaxMemory = 256 * 1024 * 1024

    /// Graph's photo size limit: 4 MB.
    public static let graphByteLimit = 4 * 1024 * 1024

    /// Creates options; the defaults are the profile-photo defaults documented in README.
    public init(
        maxSide: Int = 648,
        crop: Crop = .square,
        quality: Int = 85,
        maxBytes: Int = ConvertOptions.graphByteLimit,
        background: RGBColor = .white,
        maxPixels: Int = 100_000_000,
        previewSide: Int = 0,
        maxMemory: Int = ConvertOptions.defaultMaxMemory
    ) {
        self.maxSide = maxSide
        self.crop = crop
        self.quality = quality
        self.maxBytes = maxBytes
        self.background = background
        self.maxPixels = maxPixels
        self.previewSide = previewSide
        self.maxMemory = maxMemory
    }

    /// A stable text naming every setting that changes the output; the journal compares it between runs.
    ///
    /// `codec2` since colour management: photos with a colour profile convert differently than under `codec1`
    /// (README "Journal", Sync), so the first sync after upgrading sends every photo once more.
    public var fingerprint: String { fingerprint(crop: crop.rawValue) }

    /// The fingerprint with another name for the framing (a caller that frames by itself, e.g. on faces).
    public func fingerprint(crop name: String) -> String {
        "codec2;side=\(maxSide);crop=\(name);q=\(quality);bytes=\(maxBytes);bg=\(background.hex)"
    }
}

/// An opaque 8-bit RGB colour.
public struct RGBColor: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    /// Creates a colour from its components.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Parses `RRGGBB` or `#RRGGBB`; nil for anything else.
    public init?(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, digits.allSatisfy(\.isHexDigit), let value = UInt32(digits, radix: 16) else {
            return nil
        }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// White, the default background.
    public static let white = RGBColor(red: 255, green: 255, blue: 255)

    /// The colour as lower-case `rrggbb`.
    public var hex: String {
        [red, green, blue].map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }
}
