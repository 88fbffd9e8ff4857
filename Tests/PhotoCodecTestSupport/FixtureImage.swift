import PhotoCodec

/// Pixels turned as cameras store them, and the EXIF that tells a decoder how to turn them back.
package enum FixtureImage {
    /// The stored pixels that, displayed with EXIF `orientation`, show `upright`.
    package static func stored(_ upright: RGBImage, orientation: Int) -> RGBImage {
        let uw = upright.width, uh = upright.height
        let transposed = orientation >= 5
        let sw = transposed ? uh : uw, sh = transposed ? uw : uh
        var pixels = [UInt8](repeating: 0, count: sw * sh * 3)
        for y in 0..<uh {
            for x in 0..<uw {
                // Where upright (x, y) lives in the stored image, straight from the EXIF definitions.
                let (sx, sy): (Int, Int) =
                    switch orientation {
                    case 2: (uw - 1 - x, y)
                    case 3: (uw - 1 - x, uh - 1 - y)
                    case 4: (x, uh - 1 - y)
                    case 5: (y, x)
                    case 6: (y, uw - 1 - x)
                    case 7: (uh - 1 - y, uw - 1 - x)
                    case 8: (uh - 1 - y, x)
                    default: (x, y)
                    }
                let from = (y * uw + x) * 3, to = (sy * sw + sx) * 3
                pixels[to] = upright.pixels[from]
                pixels[to + 1] = upright.pixels[from + 1]
                pixels[to + 2] = upright.pixels[from + 2]
            }
        }
        return RGBImage(width: sw, height: sh, pixels: pixels)
    }

    /// TIFF bytes with one IFD0 entry: the orientation tag (big-endian, as many cameras write it).
    package static func exifTIFF(orientation: Int) -> [UInt8] {
        [
            0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01,
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, UInt8(orientation), 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
        ]
    }
}
