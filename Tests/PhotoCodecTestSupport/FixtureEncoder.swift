import CPhotoCodecFixtures
import PhotoCodec

/// Writes JPEG, PNG, WebP and HEIF files and ICC profiles with chosen features, for tests (fixtures are made by
/// code, never checked in).
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

    /// A PNG in its native layout (16-bit samples big-endian), optionally Adam7-interlaced, with an eXIf chunk and
    /// an iCCP profile.
    package static func png(
        _ pixels: [UInt8], width: Int, height: Int, color: PNGColor, bitDepth: Int = 8, interlaced: Bool = false,
        exif: [UInt8] = [], icc: [UInt8] = []
    ) throws(CodecError) -> [UInt8] {
        precondition(pixels.count == width * height * color.channels * bitDepth / 8, "pixel count mismatch")
        let buffer = EncodedBuffer()
        pixels.withUnsafeBufferPointer { data in
            exif.withUnsafeBufferPointer { exifData in
                icc.withUnsafeBufferPointer { iccData in
                    _ = pcfix_write_png(
                        data.baseAddress, Int32(width), Int32(height), color.rawValue, Int32(bitDepth),
                        interlaced ? 1 : 0, exifData.baseAddress, exifData.count, iccData.baseAddress, iccData.count,
                        &buffer.raw)
                }
            }
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// A still WebP from RGB (`channels` 3) or RGBA (4) pixels, lossy or lossless, with optional ICCP and EXIF.
    package static func webp(
        _ pixels: [UInt8], width: Int, height: Int, channels: Int, lossless: Bool = false, quality: Int = 90,
        icc: [UInt8] = [], exif: [UInt8] = []
    ) throws(CodecError) -> [UInt8] {
        precondition(pixels.count == width * height * channels, "pixel count mismatch")
        let buffer = EncodedBuffer()
        pixels.withUnsafeBufferPointer { data in
            icc.withUnsafeBufferPointer { iccData in
                exif.withUnsafeBufferPointer { exifData in
                    _ = pcfix_write_webp(
                        data.baseAddress, Int32(width), Int32(height), Int32(channels), lossless ? 1 : 0,
                        Int32(quality), iccData.baseAddress, iccData.count, exifData.baseAddress, exifData.count,
                        &buffer.raw)
                }
            }
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// An animated, lossless WebP of RGBA frames (each `width * height * 4` bytes), 100 ms apart.
    package static func animatedWebP(_ frames: [[UInt8]], width: Int, height: Int) throws(CodecError) -> [UInt8] {
        let pixels = frames.flatMap { $0 }
        precondition(pixels.count == frames.count * width * height * 4, "pixel count mismatch")
        let buffer = EncodedBuffer()
        pixels.withUnsafeBufferPointer { data in
            _ = pcfix_write_animated_webp(
                data.baseAddress, Int32(width), Int32(height), Int32(frames.count),
                &buffer.raw)
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// A HEIC (HEVC) or AVIF of stored RGB pixels with irot/imir for EXIF-style `orientation`, an optional Exif
    /// block (TIFF bytes, as phones repeat the orientation there) and ICC profile (a `colr` box).
    package static func heif(
        _ image: RGBImage, avif: Bool = false, quality: Int = 90, orientation: Int = 1, exif: [UInt8] = [],
        icc: [UInt8] = []
    ) throws(CodecError) -> [UInt8] {
        let buffer = EncodedBuffer()
        image.pixels.withUnsafeBufferPointer { data in
            exif.withUnsafeBufferPointer { exifData in
                icc.withUnsafeBufferPointer { iccData in
                    _ = pcfix_write_heif(
                        data.baseAddress, Int32(image.width), Int32(image.height), 8, avif ? 1 : 0, Int32(quality),
                        Int32(orientation), exifData.baseAddress, exifData.count, iccData.baseAddress, iccData.count,
                        &buffer.raw)
                }
            }
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// A HEIC of deep RGB samples (`bits` of 9-16, interleaved, width * height * 3 of them), upright.
    package static func deepHeif(_ samples: [UInt16], width: Int, height: Int, bits: Int, quality: Int = 100)
        throws(CodecError) -> [UInt8]
    {
        precondition(samples.count == width * height * 3)
        let bytes = samples.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let buffer = EncodedBuffer()
        bytes.withUnsafeBufferPointer { data in
            _ = pcfix_write_heif(
                data.baseAddress, Int32(width), Int32(height), Int32(bits), 0, Int32(quality), 1, nil, 0, nil, 0,
                &buffer.raw)
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// Large synthetic files, written row by row (the test process never holds their pixels).
    package enum LargeKind: Int32, Sendable {
        case png = 0, adam7RGBA = 1, baselineJPEG = 2, progressiveJPEG = 3
    }

    /// Writes a `width`×`height` photo-like picture of `kind` to `path`.
    package static func writeLarge(_ kind: LargeKind, width: Int, height: Int, to path: String) throws(CodecError) {
        let buffer = EncodedBuffer()
        _ = pcfix_write_large(path, kind.rawValue, Int32(width), Int32(height), &buffer.raw)
        try CodecError.check(buffer.raw.status, buffer.raw.message)
    }

    /// An ICC profile of an RGB space with these primaries (x, y of red, green, blue), D65 and the sRGB curve.
    package static func rgbProfile(primaries: [Double]) throws(CodecError) -> [UInt8] {
        precondition(primaries.count == 6)
        let buffer = EncodedBuffer()
        primaries.withUnsafeBufferPointer { _ = pcfix_rgb_profile($0.baseAddress, &buffer.raw) }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// Display P3 (SMPTE EG 432-1 primaries, D65, sRGB curve), as iPhones tag their photos.
    package static func displayP3Profile() throws(CodecError) -> [UInt8] {
        try rgbProfile(primaries: [0.680, 0.320, 0.265, 0.690, 0.150, 0.060])
    }
}
