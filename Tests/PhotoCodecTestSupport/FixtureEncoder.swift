import CPhotoCodecFixtures
import PhotoCodec

/// Writes JPEG and PNG files with chosen features, for tests (fixtures are made by code, never checked in).
package enum FixtureEncoder {
    /// PNG colour types the fixture writer supports (values as in png.h).
    package enum PNGColor: Int32, Sendable {
        case gray = 0
        case rgb = 2
        case grayAlpha = 4
        case rgba = 6

        /// Samples per pixel.
        package var channels: Int {
            switch self {
            case .gray: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    /// A JPEG from 1 (grey), 3 (RGB) or 4 (CMYK, stored as given: Adobe's convention is inverted ink) components;
    /// `scanFlood` (grey only) writes a valid progressive file with 631 scans.
    package static func jpeg(
        _ pixels: [UInt8], width: Int, height: Int, components: Int, quality: Int = 95, progressive: Bool = false,
        arithmetic: Bool = false, ycck: Bool = false, scanFlood: Bool = false
    ) throws(CodecError) -> [UInt8] {
        precondition(pixels.count == width * height * components, "pixels must be width*height*components")
        var flags: Int32 = 0
        if progressive { flags |= Int32(PCFIX_PROGRESSIVE) }
        if arithmetic { flags |= Int32(PCFIX_ARITHMETIC) }
        if ycck { flags |= Int32(PCFIX_YCCK) }
        if scanFlood { flags |= Int32(PCFIX_SCAN_FLOOD) }
        let buffer = EncodedBuffer()
        pixels.withUnsafeBufferPointer { data in
            _ = pcfix_write_jpeg(
                data.baseAddress, Int32(width), Int32(height), Int32(components), Int32(quality), flags, &buffer.raw)
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// A PNG in its native layout (16-bit samples big-endian), optionally Adam7-interlaced, with an eXIf chunk.
    package static func png(
        _ pixels: [UInt8], width: Int, height: Int, color: PNGColor, bitDepth: Int = 8, interlaced: Bool = false,
        exif: [UInt8] = []
    ) throws(CodecError) -> [UInt8] {
        precondition(pixels.count == width * height * color.channels * bitDepth / 8, "pixel count mismatch")
        let buffer = EncodedBuffer()
        pixels.withUnsafeBufferPointer { data in
            exif.withUnsafeBufferPointer { exifData in
                _ = pcfix_write_png(
                    data.baseAddress, Int32(width), Int32(height), color.rawValue, Int32(bitDepth),
                    interlaced ? 1 : 0, exifData.baseAddress, exifData.count, &buffer.raw)
            }
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }
}
