import Foundation
import PhotoCodecTestSupport
import Testing

@testable import PhotoCodec

/// HEIF/HEIC, AVIF and WebP: fixtures made by code through libheif and libwebp, and the shared corpus's files.
@Suite struct FormatTests {
    // MARK: WebP

    @Test func losslessAndLossyWebPDecodeLikeTheirSource() throws {
        let picture = Support.photoLike(width: 120, height: 80)
        let lossless = try FixtureEncoder.webp(picture.pixels, width: 120, height: 80, channels: 3, lossless: true)
        #expect(PhotoCodec.sniff(lossless) == .webp)
        #expect(try PhotoCodec.decode(lossless) == picture, "lossless is exact")
        let lossy = try FixtureEncoder.webp(picture.pixels, width: 120, height: 80, channels: 3, quality: 90)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 120, height: 80, components: 3, quality: 90)
        // Both lossy codecs lose about the same on this grainy picture (JPEG q90 measures ~5): within 12 of the
        // source and of each other; a wrong layout or channel order would be off by tens.
        let decoded = try PhotoCodec.decode(lossy)
        #expect(Support.meanDifference(decoded, picture) < 12)
        #expect(Support.meanDifference(decoded, try PhotoCodec.decode(jpeg)) < 12)
        let photo = try PhotoCodec.convert(lossy)
        #expect(photo.sourceFormat == .webp && photo.width == 80 && photo.sourceWidth == 120)
    }

    @Test func webPAlphaIsFlattenedOntoTheBackground() throws {
        var pixels = [UInt8]()
        for y in 0..<40 {
            for x in 0..<40 { pixels += x < 20 ? [200, 30, 30, 255] : [0, 0, 0, y < 20 ? 0 : 128] }
        }
        let webp = try FixtureEncoder.webp(pixels, width: 40, height: 40, channels: 4, lossless: true)
        var options = ConvertOptions()
        options.background = RGBColor(red: 0, green: 0, blue: 255)
        let image = try PhotoCodec.decode(try PhotoCodec.convert(webp, options: options).jpeg)
        #expect(Support.near(image.color(x: 5, y: 5), 200, 30, 30, tolerance: 12), "opaque red stays")
        #expect(Support.near(image.color(x: 35, y: 5), 0, 0, 255, tolerance: 12), "transparent shows the background")
        #expect(Support.near(image.color(x: 35, y: 35), 0, 0, 127, tolerance: 14), "half alpha blends onto it")
    }

    @Test func animatedWebPGivesItsFirstFrame() throws {
        let red = [UInt8]([220, 20, 20, 255]).repeated(32 * 24)
        let blue = [UInt8]([20, 20, 220, 255]).repeated(32 * 24)
        let webp = try FixtureEncoder.animatedWebP([red, blue, blue], width: 32, height: 24)
        let image = try PhotoCodec.decode(webp)
        #expect(image.width == 32 && image.height == 24)
        #expect(Support.near(image.color(x: 16, y: 12), 220, 20, 20, tolerance: 4), "first frame: red")
    }

    @Test(arguments: [3, 6, 8])
    func webPExifOrientationIsApplied(orientation: Int) throws {
        let upright = Support.quadrants(width: 40, height: 24)
        let stored = Support.stored(upright, orientation: orientation)
        let webp = try FixtureEncoder.webp(
            stored.pixels, width: stored.width, height: stored.height, channels: 3, lossless: true,
            exif: Support.exifTIFF(orientation: orientation))
        #expect(try PhotoCodec.decode(webp) == upright)
    }

    // MARK: HEIF and AVIF made here

    @Test(arguments: [1, 3, 6, 8])
    func heifTransformsAreAppliedOnceLikeTheJpegTwin(orientation: Int) throws {
        // The stored pixels carry irot/imir for `orientation` AND an Exif block repeating it, as iPhones write them:
        // libheif applies the transform; the Exif copy must not rotate the picture a second time.
        let upright = Support.quadrants(width: 64, height: 32)
        let stored = Support.stored(upright, orientation: orientation)
        let exif = Array("Exif".utf8) + [0, 0] + Support.exifTIFF(orientation: orientation)
        let heic = try FixtureEncoder.heif(stored, orientation: orientation, exif: exif)
        #expect(PhotoCodec.sniff(heic) == .heif)
        let jpeg = Support.withMetadata(
            try FixtureEncoder.jpeg(stored.pixels, width: stored.width, height: stored.height, components: 3),
            orientation: orientation)
        let fromHeif = try PhotoCodec.decode(heic), fromJpeg = try PhotoCodec.decode(jpeg)
        #expect(fromHeif.width == 64 && fromHeif.height == 32)
        // Flat quadrants: each lossy codec is off by a few levels at the edges only (both measure under 4); a
        // rotation applied twice, or not at all, swaps whole quadrants (a mean difference near 100).
        #expect(Support.meanDifference(fromHeif, upright) < 8, "orientation \(orientation)")
        #expect(Support.meanDifference(fromHeif, fromJpeg) < 8, "like the JPEG twin")
        let photo = try PhotoCodec.convert(heic)
        #expect(photo.sourceFormat == .heif && photo.orientation == 1 && photo.width == 32)
    }

    @Test func avifDecodesLikeItsSource() throws {
        let picture = Support.photoLike(width: 96, height: 64, grain: 4)
        let avif = try FixtureEncoder.heif(picture, avif: true, quality: 90)
        #expect(PhotoCodec.sniff(avif) == .avif)
        let decoded = try PhotoCodec.decode(avif)
        #expect(decoded.width == 96 && decoded.height == 64)
        #expect(Support.meanDifference(decoded, picture) < 8)  // AV1 at q90 on a smooth gradient: ~2
    }

    @Test func tenBitHeifIsRoundedToEightBitsNotTruncated() throws {
        // A grey ramp over the lower half of the 10-bit levels (each twice). Truncating (v >> 2) reads about 0.17 of a
        // level darker on average than rounding (v * 255 / 1023, rounded); HEVC's own error at q100 averages out.
        let width = 1024, height = 16
        var samples = [UInt16]()
        for _ in 0..<height {
            for x in 0..<width { samples += [UInt16(x / 2), UInt16(x / 2), UInt16(x / 2)] }
        }
        let heic = try FixtureEncoder.deepHeif(samples, width: width, height: height, bits: 10)
        let image = try PhotoCodec.decode(heic)
        #expect(image.width == width && image.height == height)
        var decoded = 0.0, rounded = 0.0, truncated = 0.0
        for y in 2..<(height - 2) {
            for x in 0..<width {
                decoded += Double(image.color(x: x, y: y).green)
                rounded += (Double(x / 2) * 255 / 1023).rounded()
                truncated += Double((x / 2) >> 2)
            }
        }
        let n = Double(width * (height - 4))
        print("heif: 10-bit ramp mean \(decoded / n), rounded \(rounded / n), truncated \(truncated / n)")
        #expect(abs(decoded - rounded) / n < 0.05)
        #expect(abs(decoded - truncated) / n > 0.1)
    }

    // MARK: the shared corpus

    static let corpusHeif: [(String, Int, Int, ImageFormat)] = [
        ("heif/example.heic", 1280, 854, .heif), ("heif/example.avif", 800, 533, .avif),
        ("heif/rainbow-451x461.heic", 451, 461, .heif), ("heif/with-alpha-512x512.heic", 512, 512, .heif),
    ]

    @Test func corpusHeifAndAvifDecodeToTheirSizes() throws {
        guard Corpus.exists else {
            print("SKIP: ../shared/corpus is absent: HEIF corpus test skipped")
            return
        }
        for (name, width, height, format) in Self.corpusHeif {
            let image = try PhotoCodec.decode(contentsOf: Corpus.path(name))
            #expect(image.width == width && image.height == height, "\(name)")
            let photo = try PhotoCodec.convert(contentsOf: Corpus.path(name))
            #expect(photo.sourceFormat == format && photo.width == min(648, min(width, height)), "\(name)")
            // Not a flat or black picture: the decode carries the image.
            let mean = Support.mean(image, x: 0..<width, y: 0..<height)
            #expect(mean.r + mean.g + mean.b > 60, "\(name): \(mean)")
        }
    }

    @Test func corpusHeifAlphaIsFlattenedOntoTheBackground() throws {
        guard Corpus.exists else {
            print("SKIP: ../shared/corpus is absent: HEIF alpha test skipped")
            return
        }
        // with-alpha-512x512.heic: transparent corners around an opaque white middle.
        let path = Corpus.path("heif/with-alpha-512x512.heic")
        var options = ConvertOptions()
        options.background = RGBColor(red: 0, green: 128, blue: 0)
        let image = try PhotoCodec.decode(try PhotoCodec.convert(contentsOf: path, options: options).jpeg)
        #expect(Support.near(image.color(x: 2, y: 2), 0, 128, 0, tolerance: 10), "corner shows the background")
        #expect(Support.near(image.color(x: 256, y: 256), 255, 255, 255, tolerance: 10), "middle stays white")
    }

    // MARK: hostile input

    static func hostileFixtures() throws -> [(String, [UInt8])] {
        let picture = Support.photoLike(width: 200, height: 150)
        return [
            ("heif", try FixtureEncoder.heif(picture, quality: 70)),
            ("avif", try FixtureEncoder.heif(picture, avif: true, quality: 70)),
            ("webp", try FixtureEncoder.webp(picture.pixels, width: 200, height: 150, channels: 3, quality: 80)),
            ("webp", try FixtureEncoder.webp(picture.pixels, width: 200, height: 150, channels: 3, lossless: true)),
        ]
    }

    @Test func truncatedAndCorruptedFilesAreCleanErrors() throws {
        let allowed: Set<CodecError.Reason> = [.truncated, .corrupt, .unsupportedFeature, .unsupportedFormat]
        for (name, bytes) in try Self.hostileFixtures() {
            var failures = 0
            for cut in [12, 40, bytes.count / 4, bytes.count / 2, bytes.count - 8] {
                do {
                    _ = try PhotoCodec.convert(Array(bytes[0..<cut]))
                } catch {
                    failures += 1
                    #expect(allowed.contains(error.reason), "\(name) cut at \(cut): \(error)")
                    #expect(!error.message.isEmpty && error.message.first?.isUppercase == false)
                }
            }
            #expect(failures >= 4, "\(name): cuts must fail (\(failures) of 5 did)")
            // Flipped bytes through the middle: a clean error or a picture, never a crash.
            var state: UInt32 = 7
            for _ in 0..<20 {
                var damaged = bytes
                for _ in 0..<8 {
                    state = state &* 1_664_525 &+ 1_013_904_223
                    let at = bytes.count / 8 + Int(state >> 8) % (bytes.count * 3 / 4)
                    damaged[at] ^= UInt8(truncatingIfNeeded: state)
                }
                do {
                    let photo = try PhotoCodec.convert(damaged)
                    #expect(photo.width > 0)
                } catch {
                    #expect(allowed.contains(error.reason) || error.reason == .tooManyPixels, "\(name): \(error)")
                }
            }
        }
    }

    @Test func hugeDeclaredSizesAreRefusedBeforeDecoding() throws {
        let picture = Support.photoLike(width: 64, height: 48)
        // HEIF: the ispe property (after its 4-byte version and flags) declares 60000x60000.
        var heic = try FixtureEncoder.heif(picture, quality: 70)
        let ispe = try #require((0..<heic.count - 4).first { heic[$0..<$0 + 4].elementsEqual("ispe".utf8) })
        heic.replaceSubrange((ispe + 8)..<(ispe + 16), with: [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60])
        // WebP: a VP8X canvas of 16384x16384 (24-bit fields hold size - 1) around a small lossless frame.
        var webp = try FixtureEncoder.webp(
            picture.pixels, width: 64, height: 48, channels: 3, lossless: true, exif: Support.exifTIFF(orientation: 1))
        #expect(Array(webp[12..<16]) == Array("VP8X".utf8))
        webp.replaceSubrange(24..<30, with: [0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00])
        for (name, bytes) in [("heif", heic), ("webp", webp)] {
            do {
                _ = try PhotoCodec.convert(bytes)
                Issue.record("\(name): a huge declaration must be refused")
            } catch {
                #expect([.tooManyPixels, .corrupt].contains(error.reason), "\(name): \(error)")
            }
        }
        var small = ConvertOptions()
        small.maxPixels = 1000
        for bytes in try Self.hostileFixtures().map(\.1) {
            #expect { try PhotoCodec.convert(bytes, options: small) } throws: {
                ($0 as? CodecError)?.reason == .tooManyPixels
            }
        }
    }

    @Test func heifAndWebPConvertInParallelWithIdenticalResults() throws {
        // libheif keeps a process-wide plugin registry (reference-counted init) and Little CMS gets a context per
        // image: many conversions at once must neither interfere nor differ.
        let picture = Support.photoLike(width: 300, height: 200)
        let profile = try FixtureEncoder.displayP3Profile()
        let inputs = [
            try FixtureEncoder.heif(picture, quality: 60, icc: profile),
            try FixtureEncoder.heif(picture, avif: true, quality: 60),
            try FixtureEncoder.webp(picture.pixels, width: 300, height: 200, channels: 3, icc: profile),
        ]
        let sequential = try inputs.map { try PhotoCodec.convert($0).jpeg }
        let mismatches = Counter()
        DispatchQueue.concurrentPerform(iterations: inputs.count * 4) { i in
            if (try? PhotoCodec.convert(inputs[i % inputs.count]).jpeg) != sequential[i % inputs.count] {
                mismatches.add()
            }
        }
        #expect(mismatches.value == 0)
    }

    @Test func namesLieContentDecides() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let picture = Support.photoLike(width: 60, height: 40)
        let files = [
            ("photo.jpg", try FixtureEncoder.webp(picture.pixels, width: 60, height: 40, channels: 3)),
            ("photo.png", try FixtureEncoder.heif(picture)),
        ]
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            #expect(try PhotoCodec.convert(contentsOf: url.path).jpeg == (try PhotoCodec.convert(bytes).jpeg))
        }
    }
}

/// Counts events from concurrent threads.
/// `@unchecked Sendable`: every access to `count` holds `lock`.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

extension Array {
    /// The elements repeated `count` times.
    func repeated(_ count: Int) -> [Element] { Array([[Element]](repeating: self, count: count).joined()) }
}
