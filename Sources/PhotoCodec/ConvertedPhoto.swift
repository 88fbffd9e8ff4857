/// The kinds of image the codec reads, told apart by content, never by file name.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    case jpeg
    case png
    /// HEIF with HEVC (HEIC), as iPhones write it.
    case heif
    /// AV1 in HEIF.
    case avif
    case webp
}

/// A profile-ready JPEG and what was done to make it.
public struct ConvertedPhoto: Sendable {
    /// The baseline JPEG bytes: no EXIF, XMP, IPTC or comments.
    public let jpeg: [UInt8]
    /// Output width in pixels.
    public let width: Int
    /// Output height in pixels.
    public let height: Int
    /// The JPEG quality actually used (lower than asked when the byte budget required it).
    public let quality: Int
    /// The source's format.
    public let sourceFormat: ImageFormat
    /// The source's width as stored, before orientation.
    public let sourceWidth: Int
    /// The source's height as stored, before orientation.
    public let sourceHeight: Int
    /// The EXIF orientation applied (1 = upright, 1–8).
    public let orientation: Int
    /// The share of the upright source's area cut away by the crop (0 for `crop none`).
    public let cropFraction: Double
    /// Whether the quality was lowered to meet the byte budget.
    public let qualityLowered: Bool
    /// Whether the dimensions were lowered below `maxSide` to meet the byte budget.
    public let dimensionsLowered: Bool
    /// Whether the source was smaller than the box (so it was not upscaled).
    public let upscaleAvoided: Bool
    /// A small JPEG of the whole upright source, when `previewSide` asked for one.
    public let preview: [UInt8]?
    /// A problem that did not stop the conversion, lower-case (a broken colour profile, shown as sRGB); nil if none.
    public let warning: String?
    /// The part of the upright source the output shows, in its full-resolution pixels (nil when not known).
    public let crop: PixelRect?
    /// Whether a caller's small crop needed a second, larger decode (see `PhotoCodec.convert(_:options:framing:)`).
    public let decodedTwice: Bool

    /// Creates a result; used by the codec and by tests.
    public init(
        jpeg: [UInt8], width: Int, height: Int, quality: Int, sourceFormat: ImageFormat, sourceWidth: Int,
        sourceHeight: Int, orientation: Int, cropFraction: Double, qualityLowered: Bool, dimensionsLowered: Bool,
        upscaleAvoided: Bool, preview: [UInt8]?, warning: String? = nil, crop: PixelRect? = nil,
        decodedTwice: Bool = false
    ) {
        self.jpeg = jpeg
        self.width = width
        self.height = height
        self.quality = quality
        self.sourceFormat = sourceFormat
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.orientation = orientation
        self.cropFraction = cropFraction
        self.qualityLowered = qualityLowered
        self.dimensionsLowered = dimensionsLowered
        self.upscaleAvoided = upscaleAvoided
        self.preview = preview
        self.warning = warning
        self.crop = crop
        self.decodedTwice = decodedTwice
    }
}
