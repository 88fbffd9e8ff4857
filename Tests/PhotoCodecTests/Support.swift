import Foundation
import PhotoCodec
import PhotoCodecTestSupport

/// Helpers shared by the codec tests: temporary folders, synthetic pictures, JPEG surgery.
enum Support {
    /// A fresh temporary folder, removed by the caller with `cleanUp`.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("photocodec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func cleanUp(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// An RGB picture whose pixels come from `color(x, y)`.
    static func picture(width: Int, height: Int, _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) -> RGBImage {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = color(x, y)
                pixels += [r, g, b]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Four flat quadrants: red, green / blue, yellow (top left, top right / bottom left, bottom right).
    static func quadrants(width: Int, height: Int) -> RGBImage {
        picture(width: width, height: height) { x, y in
            switch (x < width / 2, y < height / 2) {
            case (true, true): (255, 0, 0)
            case (false, true): (0, 255, 0)
            case (true, false): (0, 0, 255)
            case (false, false): (255, 255, 0)
            }
        }
    }

    /// A smooth photo-like picture with deterministic grain, so JPEG sizes behave like real photos.
    static func photoLike(width: Int, height: Int, grain: Int = 24) -> RGBImage {
        var state: UInt32 = 12345
        return picture(width: width, height: height) { x, y in
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise = Int(state >> 24) % (2 * grain + 1) - grain
            func clamp(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }
            return (
                clamp(x * 255 / max(1, width - 1) + noise), clamp(y * 255 / max(1, height - 1) - noise),
                clamp(128 + (x - y) / 4 + noise)
            )
        }
    }

    /// Deterministic full-range noise on every channel: the hardest thing to compress, for byte-budget tests.
    static func noise(width: Int, height: Int) -> RGBImage {
        var state: UInt32 = 12345
        let pixels = (0..<(width * height * 3)).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The stored pixels that, displayed with EXIF `orientation`, show `upright` (shared test support).
    static func stored(_ upright: RGBImage, orientation: Int) -> RGBImage {
        FixtureImage.stored(upright, orientation: orientation)
    }

    /// TIFF bytes with one IFD0 entry: the orientation tag (shared test support).
    static func exifTIFF(orientation: Int) -> [UInt8] { FixtureImage.exifTIFF(orientation: orientation) }

    /// `jpeg` with an EXIF APP1 segment carrying `orientation` (plus a comment and an IPTC APP13) after SOI.
    static func withMetadata(_ jpeg: [UInt8], orientation: Int) -> [UInt8] {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            let length = payload.count + 2
            return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
        let exif = segment(0xE1, Array("Exif".utf8) + [0, 0] + exifTIFF(orientation: orientation))
        let iptc = segment(0xED, Array("Photoshop 3.0".utf8) + [0] + Array("8BIM".utf8) + [4, 4, 0, 0, 0, 0, 0, 0])
        let comment = segment(0xFE, Array("secret comment".utf8))
        return Array(jpeg[0..<2]) + exif + iptc + comment + Array(jpeg[2...])
    }

    /// The markers of a JPEG's header segments, from SOI up to the first SOS.
    static func markers(_ jpeg: [UInt8]) -> [UInt8] {
        var found = [UInt8]()
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let marker = jpeg[i + 1]
            found.append(marker)
            if marker == 0xDA { break }
            let length = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])
            i += 2 + length
        }
        return found
    }

    /// Mean absolute difference per channel between two same-size images.
    static func meanDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var total = 0
        for i in a.pixels.indices { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(max(1, a.pixels.count))
    }

    /// Mean colour over a rectangle.
    static func mean(_ image: RGBImage, x: Range<Int>, y: Range<Int>) -> (r: Double, g: Double, b: Double) {
        var r = 0, g = 0, b = 0
        for row in y {
            for column in x {
                let c = image.color(x: column, y: row)
                r += Int(c.red)
                g += Int(c.green)
                b += Int(c.blue)
            }
        }
        let n = Double(max(1, x.count * y.count))
        return (Double(r) / n, Double(g) / n, Double(b) / n)
    }

    /// Whether `c` is within `tolerance` of (r, g, b) on every channel.
    static func near(_ c: RGBColor, _ r: Int, _ g: Int, _ b: Int, tolerance: Int = 40) -> Bool {
        abs(Int(c.red) - r) <= tolerance && abs(Int(c.green) - g) <= tolerance && abs(Int(c.blue) - b) <= tolerance
    }

    /// CRC-32 (PNG's) of `bytes`, to patch chunk headers in bomb fixtures.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}

extension Support {
    /// `jpeg` with `icc` embedded as APP2 ICC_PROFILE segments right after SOI (split as the ICC spec says).
    static func withICC(_ jpeg: [UInt8], _ icc: [UInt8]) -> [UInt8] {
        let chunk = 65_519
        let count = (icc.count + chunk - 1) / chunk
        var segments = [UInt8]()
        for index in 0..<count {
            let part = icc[(index * chunk)..<min(icc.count, (index + 1) * chunk)]
            let payload = Array("ICC_PROFILE".utf8) + [0, UInt8(index + 1), UInt8(count)] + part
            let length = payload.count + 2
            segments += [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
        return Array(jpeg[0..<2]) + segments + Array(jpeg[2...])
    }

    /// The path of an installed command-line tool, or nil (tests that need it then print a SKIP line).
    static func tool(_ name: String) -> String? {
        for folder in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let path = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a tool to completion with `input` on stdin; returns its exit status and stdout.
    static func run(_ path: String, _ arguments: [String], input: Data = Data()) throws -> (Int32, Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Feed stdin from another thread so a tool that writes as it reads never blocks on a full pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    /// Each pixel of `image` (taken as in the space of `profile`) converted to sRGB by Little CMS's own `transicc`
    /// (perceptual intent), or nil when transicc is not installed.
    static func transicc(_ image: RGBImage, profile: [UInt8], in folder: URL) throws -> RGBImage? {
        guard let transicc = tool("transicc") else { return nil }
        let icc = folder.appendingPathComponent("profile-\(UUID().uuidString).icc")
        try Data(profile).write(to: icc)
        var lines = ""
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            lines += "\(image.pixels[i]) \(image.pixels[i + 1]) \(image.pixels[i + 2])\n"
        }
        let (status, output) = try run(transicc, ["-i", icc.path, "-o", "*sRGB", "-t0", "-n"], input: Data(lines.utf8))
        guard status == 0 else { throw CocoaError(.fileReadCorruptFile) }
        let numbers = String(decoding: output, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            .compactMap { Double($0) }
        guard numbers.count == image.pixels.count else { throw CocoaError(.fileReadCorruptFile) }
        let pixels = numbers.map { UInt8(max(0, min(255, $0.rounded()))) }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }

    /// Saturated, smooth colours (where a wide-gamut profile matters most), with a light grain.
    static func saturated(width: Int, height: Int) -> RGBImage {
        picture(width: width, height: height) { x, y in
            let hue = Double(x) / Double(max(1, width - 1)) * 6
            let level = 1 - Double(y) / Double(max(1, height)) * 0.6
            func channel(_ offset: Double) -> UInt8 {
                let distance = abs((hue + offset).truncatingRemainder(dividingBy: 6) - 3)
                return UInt8(max(0, min(255, (distance - 1) * 255 * level)))
            }
            return (channel(0), channel(2), channel(4))
        }
    }
}
