/// Upright 8-bit RGB pixels to look for faces in: what the codec's small oriented copy of a photo holds.
public struct SmallImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 3` bytes, rows top to bottom, each pixel red, green, blue.
    public let rgb: [UInt8]

    /// Creates an image; `rgb` must hold `width * height * 3` bytes.
    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(width > 0 && height > 0 && rgb.count == width * height * 3, "rgb must be width*height*3 bytes")
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    /// The image's size.
    public var size: PixelSize { PixelSize(width: width, height: height) }
}
