import Foundation
import PhotoCodecTestSupport
import Testing

@testable import PhotoCodec

/// The staged conversion for face framing: decode once, a caller's decision on a small upright copy, then render.
@Suite struct FramingTests {
    static func sources() throws -> [(String, [UInt8])] {
        let upright = Support.quadrants(width: 1600, height: 1000)
        let stored = Support.stored(upright, orientation: 6)
        let jpeg = Support.withMetadata(
            try FixtureEncoder.jpeg(stored.pixels, width: stored.width, height: stored.height, components: 3),
            orientation: 6)
        let portrait = Support.photoLike(width: 700, height: 1100)
        return [
            ("rotated jpeg", jpeg),
            ("png", try FixtureEncoder.png(portrait.pixels, width: 700, height: 1100, color: .rgb)),
            ("heif", try FixtureEncoder.heif(Support.photoLike(width: 900, height: 600), quality: 60)),
            ("webp", try FixtureEncoder.webp(portrait.pixels, width: 700, height: 1100, channels: 3)),
        ]
    }

    @Test func noDecisionIsByteIdenticalToConvert() throws {
        for (name, bytes) in try Self.sources() {
            for crop in ConvertOptions.Crop.allCases {
                var options = ConvertOptions()
                options.crop = crop
                options.previewSide = 96
                let plain = try PhotoCodec.convert(bytes, options: options)
                var seen: FramingView?
                let staged = try PhotoCodec.convert(bytes, options: options) { view in
                    seen = view
                    return nil
                }
                #expect(staged.jpeg == plain.jpeg && staged.preview == plain.preview, "\(name), crop \(crop)")
                // Handing back the default crop itself renders the same bytes too.
                let view = try #require(seen)
                let echoed = try PhotoCodec.convert(bytes, options: options) { $0.defaultCrop }
                #expect(echoed.jpeg == plain.jpeg, "\(name), crop \(crop), echoed")
                #expect(view.defaultCrop == plain.crop && !echoed.decodedTwice)
            }
        }
    }

    @Test func overviewIsTheWholeUprightPictureSmall() throws {
        let (_, jpeg) = try Self.sources()[0]
        var view: FramingView?
        _ = try PhotoCodec.convert(jpeg) { seen in
            view = seen
            return nil
        }
        let seen = try #require(view)
        #expect(seen.sourceWidth == 1600 && seen.sourceHeight == 1000 && seen.format == .jpeg)
        #expect(seen.overview.width == 512 && seen.overview.height == 320)
        #expect(abs(seen.scale - 3.125) < 1e-9)
        #expect(seen.defaultCrop == PixelRect(x: 300, y: 0, width: 1000, height: 1000))
        // Upright: red top left, green top right, blue bottom left, yellow bottom right.
        #expect(Support.near(seen.overview.color(x: 60, y: 60), 255, 0, 0))
        #expect(Support.near(seen.overview.color(x: 450, y: 60), 0, 255, 0))
        #expect(Support.near(seen.overview.color(x: 60, y: 260), 0, 0, 255))
        #expect(Support.near(seen.overview.color(x: 450, y: 260), 255, 255, 0))
    }

    @Test func callersRectangleIsWhatIsShown() throws {
        let (_, jpeg) = try Self.sources()[0]
        // The top-right quadrant only (orientation 6 stored: the crop is in upright coordinates).
        let rect = PixelRect(x: 850, y: 50, width: 700, height: 400)
        let photo = try PhotoCodec.convert(jpeg) { _ in rect }
        #expect(photo.crop == rect && photo.width == 648 && photo.height == 370)
        let image = try PhotoCodec.decode(photo.jpeg)
        let mean = Support.mean(image, x: 20..<628, y: 20..<350)
        #expect(mean.g > 240 && mean.r < 20 && mean.b < 20, "all green: \(mean)")
    }

    @Test func aSmallCropIsDecodedAgainLargerAndOnlyThen() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let path = folder.appendingPathComponent("large.jpg").path
        try FixtureEncoder.writeLarge(.baselineJPEG, width: 4000, height: 3000, to: path)
        // The default frame (3000 square) is decoded at 4/8; a 2000 square keeps 1000 decoded pixels for a 648
        // output: no second decode. A 400 square would keep 200 for a 400 output: decoded again, at full size.
        let large = try PhotoCodec.convert(contentsOf: path) { _ in
            PixelRect(x: 1000, y: 500, width: 2000, height: 2000)
        }
        #expect(!large.decodedTwice && large.width == 648)
        let small = try PhotoCodec.convert(contentsOf: path) { _ in PixelRect(x: 1800, y: 1300, width: 400, height: 400)
        }
        #expect(small.decodedTwice && small.width == 400 && small.upscaleAvoided)
        // Re-decoded at full size, the crop matches a plain conversion of those 400x400 pixels.
        let full = try PhotoCodec.decode(contentsOf: path)
        var pixels = [UInt8]()
        for y in 1300..<1700 { pixels += full.pixels[((y * 4000 + 1800) * 3)..<((y * 4000 + 2200) * 3)] }
        let cut = RGBImage(width: 400, height: 400, pixels: pixels)
        let reference = try PhotoCodec.decode(try PhotoCodec.encodeJPEG(cut, quality: 85))
        #expect(Support.meanDifference(try PhotoCodec.decode(small.jpeg), reference) < 1.5)
    }

    @Test func aRectangleOutsideThePictureIsAnError() throws {
        let (_, jpeg) = try Self.sources()[0]
        for rect in [
            PixelRect(x: 1500, y: 0, width: 200, height: 200), PixelRect(x: 0, y: 0, width: 0, height: 5),
            PixelRect(x: -1, y: 0, width: 10, height: 10),
        ] {
            #expect { try PhotoCodec.convert(jpeg) { _ in rect } } throws: {
                ($0 as? CodecError)?.reason == .failed && ($0 as? CodecError)?.message.contains("outside") == true
            }
        }
    }
}
