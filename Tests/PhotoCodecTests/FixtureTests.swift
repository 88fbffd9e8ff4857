import Foundation
import PhotoCodecTestSupport
import Testing

@testable import PhotoCodec

/// Generated fixtures: every image here is made by code (through libjpeg/libpng) in memory or a temp folder.
@Suite struct FixtureTests {
    // MARK: orientation

    @Test(arguments: 1...8)
    func jpegExifOrientationIsAppliedToThePixels(orientation: Int) throws {
        let upright = Support.quadrants(width: 64, height: 32)
        let stored = Support.stored(upright, orientation: orientation)
        let plain = try FixtureEncoder.jpeg(
            stored.pixels, width: stored.width, height: stored.height, components: 3, quality: 95)
        let jpeg = Support.withMetadata(plain, orientation: orientation)

        let decoded = try PhotoCodec.decode(jpeg)
        #expect(decoded.width == 64 && decoded.height == 32)
        #expect(Support.meanDifference(decoded, upright) < 8, "orientation \(orientation)")

        var options = ConvertOptions()
        options.crop = .none
        let photo = try PhotoCodec.convert(jpeg, options: options)
        #expect(photo.orientation == orientation)
        #expect(photo.sourceWidth == stored.width && photo.sourceHeight == stored.height)
        #expect(photo.width == 64 && photo.height == 32)
        let markers = Support.markers(photo.jpeg)
        #expect(!markers.contains(0xE1) && !markers.contains(0xED) && !markers.contains(0xFE))
        let output = try PhotoCodec.decode(photo.jpeg)
        #expect(Support.near(output.color(x: 8, y: 8), 255, 0, 0), "top left red")
        #expect(Support.near(output.color(x: 56, y: 8), 0, 255, 0), "top right green")
        #expect(Support.near(output.color(x: 8, y: 24), 0, 0, 255), "bottom left blue")
        #expect(Support.near(output.color(x: 56, y: 24), 255, 255, 0), "bottom right yellow")
    }

    @Test(arguments: [3, 6, 8])
    func pngExifOrientationIsAppliedToThePixels(orientation: Int) throws {
        let upright = Support.quadrants(width: 40, height: 24)
        let stored = Support.stored(upright, orientation: orientation)
        let png = try FixtureEncoder.png(
            stored.pixels, width: stored.width, height: stored.height, color: .rgb,
            exif: Support.exifTIFF(orientation: orientation))
        let decoded = try PhotoCodec.decode(png)
        #expect(decoded == upright, "lossless PNG must match exactly")
    }

    @Test func downscaledOrientedOutputMatchesTheUprightReference() throws {
        // A large rotated source, scaled down by the DCT and the resampler: orientation must survive both.
        let upright = Support.quadrants(width: 1600, height: 1000)
        let stored = Support.stored(upright, orientation: 6)
        let jpeg = Support.withMetadata(
            try FixtureEncoder.jpeg(stored.pixels, width: stored.width, height: stored.height, components: 3),
            orientation: 6)
        var options = ConvertOptions()
        options.crop = .none
        let photo = try PhotoCodec.convert(jpeg, options: options)
        #expect(photo.width == 648 && photo.height == 405)
        let output = try PhotoCodec.decode(photo.jpeg)
        #expect(Support.near(output.color(x: 100, y: 100), 255, 0, 0))
        #expect(Support.near(output.color(x: 548, y: 100), 0, 255, 0))
        #expect(Support.near(output.color(x: 100, y: 300), 0, 0, 255))
        #expect(Support.near(output.color(x: 548, y: 300), 255, 255, 0))
    }

    // MARK: colour models

    @Test(arguments: [false, true])
    func cmykJpegComesOutInNaturalColours(ycck: Bool) throws {
        // Ink per quadrant: cyan, magenta / yellow, black; stored inverted as Adobe (and libjpeg) write CMYK.
        let inks: [[UInt8]] = [[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 0, 0, 255]]
        let width = 32, height = 32
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                let ink = inks[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
                pixels += ink.map { 255 - $0 }
            }
        }
        let jpeg = try FixtureEncoder.jpeg(pixels, width: width, height: height, components: 4, ycck: ycck)
        let image = try PhotoCodec.decode(jpeg)
        #expect(Support.near(image.color(x: 4, y: 4), 0, 255, 255), "cyan")
        #expect(Support.near(image.color(x: 27, y: 4), 255, 0, 255), "magenta")
        #expect(Support.near(image.color(x: 4, y: 27), 255, 255, 0), "yellow")
        #expect(Support.near(image.color(x: 27, y: 27), 0, 0, 0), "black")
        #expect(try PhotoCodec.convert(jpeg).width == 32)
    }

    @Test func greyscaleJpegDecodesToGrey() throws {
        let pixels = (0..<(40 * 30)).map { UInt8($0 % 40 * 6) }
        let jpeg = try FixtureEncoder.jpeg(pixels, width: 40, height: 30, components: 1)
        let image = try PhotoCodec.decode(jpeg)
        #expect(image.width == 40 && image.height == 30)
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            #expect(image.pixels[i] == image.pixels[i + 1] && image.pixels[i] == image.pixels[i + 2])
        }
        #expect(Int(image.color(x: 39, y: 0).red) > 200 && Int(image.color(x: 0, y: 0).red) < 30)
    }

    @Test func progressiveAndArithmeticJpegsDecodeLikeBaseline() throws {
        let picture = Support.photoLike(width: 120, height: 80)
        func encode(progressive: Bool = false, arithmetic: Bool = false) throws -> RGBImage {
            try PhotoCodec.decode(
                try FixtureEncoder.jpeg(
                    picture.pixels, width: 120, height: 80, components: 3, quality: 90, progressive: progressive,
                    arithmetic: arithmetic))
        }
        let baseline = try encode()
        #expect(Support.meanDifference(try encode(progressive: true), baseline) < 1)
        #expect(Support.meanDifference(try encode(arithmetic: true), baseline) < 1)
        #expect(Support.meanDifference(baseline, picture) < 12)
    }

    // MARK: PNG

    @Test func pngAlphaIsFlattenedWithoutDarkFringes() throws {
        // Opaque light grey disc on fully transparent BLACK: flattening after resampling (or a premultiply mistake)
        // would blend the disc's edge toward black. Grey keeps JPEG's chroma subsampling out of the measurement.
        let size = 301
        var pixels = [UInt8]()
        for y in 0..<size {
            for x in 0..<size {
                let dx = Double(x - size / 2), dy = Double(y - size / 2)
                let inside = (dx * dx + dy * dy).squareRoot() < 100
                pixels += inside ? [230, 230, 230, 255] : [0, 0, 0, 0]
            }
        }
        let png = try FixtureEncoder.png(pixels, width: size, height: size, color: .rgba)
        var options = ConvertOptions()
        options.maxSide = 97  // an awkward ratio so many output pixels straddle the edge
        let photo = try PhotoCodec.convert(png, options: options)
        let image = try PhotoCodec.decode(photo.jpeg)
        #expect(image.width == 97)
        var darkest = 255
        for y in 0..<image.height {
            for x in 0..<image.width {
                let c = image.color(x: x, y: y)
                darkest = min(darkest, Int(c.red), Int(c.green), Int(c.blue))
            }
        }
        // Between grey 230 and white 255 nothing may be darker than the disc, bar a little ringing and JPEG noise.
        #expect(darkest > 212, "darkest channel \(darkest)")
        #expect(Support.near(image.color(x: 0, y: 0), 255, 255, 255, tolerance: 8), "white background")
        #expect(Support.near(image.color(x: 48, y: 48), 230, 230, 230, tolerance: 8), "grey disc")
    }

    @Test func pngAlphaUsesTheChosenBackground() throws {
        let pixels = [UInt8](repeating: 0, count: 20 * 20 * 4)  // fully transparent
        let png = try FixtureEncoder.png(pixels, width: 20, height: 20, color: .rgba)
        var options = ConvertOptions()
        options.background = RGBColor(red: 0, green: 128, blue: 255)
        let image = try PhotoCodec.decode(try PhotoCodec.convert(png, options: options).jpeg)
        #expect(Support.near(image.color(x: 10, y: 10), 0, 128, 255, tolerance: 6))
    }

    @Test func sixteenBitPngsKeepTheirValues() throws {
        let width = 64, height = 8
        var grey = [UInt8](), rgb = [UInt8]()
        for _ in 0..<height {
            for x in 0..<width {
                let value = UInt16(x * 1024 + 300)
                grey += [UInt8(value >> 8), UInt8(value & 0xFF)]
                rgb += [UInt8(value >> 8), UInt8(value & 0xFF), 0, 0, 0xFF, 0xFF]
            }
        }
        let greyImage = try PhotoCodec.decode(
            try FixtureEncoder.png(grey, width: width, height: height, color: .gray, bitDepth: 16))
        let rgbImage = try PhotoCodec.decode(
            try FixtureEncoder.png(rgb, width: width, height: height, color: .rgb, bitDepth: 16))
        for x in 0..<width {
            let expected = Int((Double(x * 1024 + 300) / 257).rounded())
            #expect(abs(Int(greyImage.color(x: x, y: 3).green) - expected) <= 1)
            let c = rgbImage.color(x: x, y: 3)
            #expect(abs(Int(c.red) - expected) <= 1 && c.green == 0 && c.blue == 255)
        }
    }

    @Test func interlacedPngDecodesLikeTheSequentialOne() throws {
        let picture = Support.photoLike(width: 37, height: 29)
        let sequential = try FixtureEncoder.png(picture.pixels, width: 37, height: 29, color: .rgb)
        let adam7 = try FixtureEncoder.png(picture.pixels, width: 37, height: 29, color: .rgb, interlaced: true)
        #expect(sequential != adam7)
        #expect(try PhotoCodec.decode(adam7) == picture)
        #expect(try PhotoCodec.decode(sequential) == picture)
    }

    // MARK: sizes and framing

    @Test func onePixelImagesConvert() throws {
        let jpeg = try FixtureEncoder.jpeg([10, 200, 30], width: 1, height: 1, components: 3)
        let png = try FixtureEncoder.png([10, 200, 30], width: 1, height: 1, color: .rgb)
        for bytes in [jpeg, png] {
            let photo = try PhotoCodec.convert(bytes)
            #expect(photo.width == 1 && photo.height == 1 && photo.upscaleAvoided)
            #expect(Support.near(try PhotoCodec.decode(photo.jpeg).color(x: 0, y: 0), 10, 200, 30, tolerance: 12))
        }
    }

    @Test func neverUpscales() throws {
        let picture = Support.photoLike(width: 100, height: 60)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 100, height: 60, components: 3)
        var options = ConvertOptions()
        options.crop = .none
        let fitted = try PhotoCodec.convert(jpeg, options: options)
        #expect(fitted.width == 100 && fitted.height == 60 && fitted.upscaleAvoided && fitted.cropFraction == 0)
        let square = try PhotoCodec.convert(jpeg)
        #expect(square.width == 60 && square.height == 60 && square.upscaleAvoided)
        #expect(abs(square.cropFraction - 0.4) < 0.001)
    }

    @Test func largeImagesFitTheBoxExactly() throws {
        let picture = Support.photoLike(width: 2000, height: 1200)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 2000, height: 1200, components: 3, quality: 80)
        var options = ConvertOptions()
        options.crop = .none
        let fitted = try PhotoCodec.convert(jpeg, options: options)
        #expect(fitted.width == 648 && fitted.height == 389 && !fitted.upscaleAvoided)
        let square = try PhotoCodec.convert(jpeg)
        #expect(square.width == 648 && square.height == 648 && square.quality == 85 && !square.qualityLowered)
        // The output must look like the source reduced, not like noise: compare with a straight reduction.
        let reference = try PhotoCodec.decode(fitted.jpeg)
        let corner = Support.mean(reference, x: 0..<20, y: 0..<20)
        #expect(corner.r < 40 && corner.g < 40, "top left of the gradient is dark: \(corner)")
    }

    @Test(arguments: [(3000, 2000, 150), (6000, 3, 64), (2, 5000, 16)])
    func largeReductionsStayAccurate(width: Int, height: Int, side: Int) throws {
        // PNGs have no DCT scaling: big ratios are block-averaged first, then Lanczos. A horizontal ramp must
        // survive both with every column at the right level, and extreme aspect ratios must stay fast and exact.
        let picture = Support.picture(width: width, height: height) { x, _ in
            let v = UInt8(x * 255 / max(1, width - 1))
            return (v, v, v)
        }
        let png = try FixtureEncoder.png(picture.pixels, width: width, height: height, color: .rgb)
        var options = ConvertOptions()
        options.crop = .none
        options.maxSide = side
        let photo = try PhotoCodec.convert(png, options: options)
        let scale = Double(side) / Double(max(width, height))
        #expect(photo.width == max(1, Int((Double(width) * scale).rounded())))
        #expect(photo.height == max(1, Int((Double(height) * scale).rounded())))
        let image = try PhotoCodec.decode(photo.jpeg)
        let columns = image.width > 2 ? 1..<(image.width - 1) : 0..<image.width  // edge columns may ring a little
        for x in columns {
            let sourceX = (Double(x) + 0.5) * Double(width) / Double(image.width) - 0.5
            let expected = sourceX * 255 / Double(max(1, width - 1))
            #expect(abs(Double(image.color(x: x, y: image.height / 2).red) - expected) < 6, "column \(x)")
        }
    }

    @Test func portraitSquareCropIsBiasedUpward() throws {
        // Rows get brighter downward: the output's top row shows which source row the crop starts at.
        let width = 200, height = 400
        let picture = Support.picture(width: width, height: height) { _, y in
            let v = UInt8(y * 255 / (height - 1))
            return (v, v, v)
        }
        let png = try FixtureEncoder.png(picture.pixels, width: width, height: height, color: .rgb)
        let photo = try PhotoCodec.convert(png)
        #expect(photo.width == 200 && photo.height == 200 && abs(photo.cropFraction - 0.5) < 0.001)
        let image = try PhotoCodec.decode(photo.jpeg)
        let top = Support.mean(image, x: 0..<200, y: 0..<2).r
        let centredTop = 100.0 * 255 / 399
        #expect(top < centredTop - 20, "crop starts near the top: \(top)")
        #expect(top > 10, "but not at the very top: \(top)")
    }

    @Test func landscapeSquareCropIsCentred() throws {
        let picture = Support.picture(width: 300, height: 100) { x, _ in
            let v = UInt8(x * 255 / 299)
            return (v, v, v)
        }
        let png = try FixtureEncoder.png(picture.pixels, width: 300, height: 100, color: .rgb)
        let image = try PhotoCodec.decode(try PhotoCodec.convert(png).jpeg)
        #expect(image.width == 100)
        let left = Support.mean(image, x: 0..<2, y: 0..<100).r
        #expect(abs(left - 100.0 * 255 / 299) < 6, "left edge comes from source column 100: \(left)")
    }

    @Test func previewShowsTheWholeUprightSource() throws {
        let upright = Support.quadrants(width: 400, height: 200)
        let stored = Support.stored(upright, orientation: 8)
        let jpeg = Support.withMetadata(
            try FixtureEncoder.jpeg(stored.pixels, width: stored.width, height: stored.height, components: 3),
            orientation: 8)
        var options = ConvertOptions()
        options.previewSide = 100
        let photo = try PhotoCodec.convert(jpeg, options: options)
        let preview = try PhotoCodec.decode(try #require(photo.preview))
        #expect(preview.width == 100 && preview.height == 50)
        #expect(Support.near(preview.color(x: 10, y: 10), 255, 0, 0))
        #expect(Support.near(preview.color(x: 90, y: 40), 255, 255, 0))
        #expect(photo.width == 200 && photo.height == 200)
    }

    // MARK: byte budget

    @Test func hundredKilobyteBudgetIsMetByLoweringQuality() throws {
        let picture = Support.noise(width: 700, height: 700)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 700, height: 700, components: 3)
        let unlimited = try PhotoCodec.convert(jpeg)
        #expect(unlimited.jpeg.count > 100 * 1024, "fixture must need the budget (\(unlimited.jpeg.count) bytes)")
        var options = ConvertOptions()
        options.maxBytes = 100 * 1024
        let photo = try PhotoCodec.convert(jpeg, options: options)
        #expect(photo.jpeg.count <= 100 * 1024)
        #expect(photo.qualityLowered && photo.quality < 85 && !photo.dimensionsLowered)
        #expect(photo.width == 648)
        // Binary search finds the best quality: one step up would not fit.
        options.quality = photo.quality + 1
        options.maxBytes = ConvertOptions.graphByteLimit
        #expect(try PhotoCodec.convert(jpeg, options: options).jpeg.count > 100 * 1024)
    }

    @Test func twentyKilobyteBudgetShrinksTheDimensions() throws {
        let picture = Support.noise(width: 700, height: 700)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 700, height: 700, components: 3)
        var options = ConvertOptions()
        options.maxBytes = 20 * 1024
        let photo = try PhotoCodec.convert(jpeg, options: options)
        #expect(photo.jpeg.count <= 20 * 1024)
        #expect(photo.dimensionsLowered && photo.width < 648 && photo.width == photo.height)
        #expect(try PhotoCodec.decode(photo.jpeg).width == photo.width)
    }

    @Test func impossibleBudgetIsATypedError() throws {
        let picture = Support.photoLike(width: 64, height: 64)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 64, height: 64, components: 3)
        var options = ConvertOptions()
        options.maxBytes = 100
        #expect(throws: CodecError.self) { try PhotoCodec.convert(jpeg, options: options) }
        do {
            _ = try PhotoCodec.convert(jpeg, options: options)
        } catch {
            #expect(error.reason == .budgetUnreachable && error.message.contains("100 bytes"))
        }
    }

    // MARK: hostile input

    @Test func jpegDeclaringSixtyThousandSquaredIsRefusedBeforeDecoding() throws {
        var jpeg = try FixtureEncoder.jpeg(
            [UInt8](repeating: 90, count: 16 * 16 * 3), width: 16, height: 16,
            components: 3)
        let sof = try #require((0..<jpeg.count - 9).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xEA; jpeg[sof + 6] = 0x60  // height 60000
        jpeg[sof + 7] = 0xEA; jpeg[sof + 8] = 0x60  // width 60000
        for attempt in [{ _ = try PhotoCodec.convert(jpeg) }, { _ = try PhotoCodec.decode(jpeg) }] {
            do {
                try attempt()
                Issue.record("a 3.6-gigapixel declaration must be refused")
            } catch let error as CodecError {
                #expect(error.reason == .tooManyPixels)
                #expect(error.message.contains("60000x60000"))
            }
        }
    }

    @Test func losslessJpegIsAClearUnsupportedError() throws {
        var jpeg = try FixtureEncoder.jpeg(
            [UInt8](repeating: 90, count: 16 * 16 * 3), width: 16, height: 16,
            components: 3)
        let sof = try #require((0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 1] = 0xC3  // SOF3: lossless process
        #expect { try PhotoCodec.convert(jpeg) } throws: {
            ($0 as? CodecError)?.reason == .unsupportedFeature
        }
    }

    @Test func pngDeclaringSixtyThousandSquaredIsRefusedBeforeDecoding() throws {
        var png = try FixtureEncoder.png([UInt8](repeating: 90, count: 16 * 16 * 3), width: 16, height: 16, color: .rgb)
        let big: [UInt8] = [0, 0, 0xEA, 0x60]
        png.replaceSubrange(16..<20, with: big)
        png.replaceSubrange(20..<24, with: big)
        let crc = Support.crc32(png[12..<29])
        png.replaceSubrange(29..<33, with: [24, 16, 8, 0].map { UInt8(crc >> $0 & 0xFF) })
        #expect { try PhotoCodec.convert(png) } throws: { ($0 as? CodecError)?.reason == .tooManyPixels }
        // A smaller limit applies too.
        let small = try FixtureEncoder.png(
            [UInt8](repeating: 1, count: 100 * 100 * 3), width: 100, height: 100, color: .rgb)
        var options = ConvertOptions()
        options.maxPixels = 9_999
        #expect { try PhotoCodec.convert(small, options: options) } throws: {
            ($0 as? CodecError)?.reason == .tooManyPixels
        }
    }

    @Test func filesAreReadThroughTheSameChecksAsBytes() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let picture = Support.photoLike(width: 300, height: 200)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 300, height: 200, components: 3)
        let png = try FixtureEncoder.png(picture.pixels, width: 300, height: 200, color: .rgb)
        for (name, bytes) in [("photo.png", jpeg), ("photo.jpg", png)] {  // names lie: content decides
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            #expect(try PhotoCodec.convert(contentsOf: url.path).jpeg == (try PhotoCodec.convert(bytes).jpeg))
            #expect(try PhotoCodec.decode(contentsOf: url.path) == (try PhotoCodec.decode(bytes)))
            let cut = folder.appendingPathComponent("cut-" + name)
            try Data(bytes[0..<(bytes.count / 2)]).write(to: cut)
            #expect { try PhotoCodec.convert(contentsOf: cut.path) } throws: {
                ($0 as? CodecError)?.reason == .truncated && ($0 as? CodecError)?.file == cut.path
            }
        }
    }

    @Test func pngChunkDeclaringTwoGigabytesIsACleanError() throws {
        // libpng sizes some chunk buffers from the declared length; the codec's allocator cap refuses them.
        var png = try FixtureEncoder.png([UInt8](repeating: 7, count: 8 * 8 * 3), width: 8, height: 8, color: .rgb)
        let forged: [UInt8] = [0x7B, 0x00, 0x00, 0x00] + Array("iTXt".utf8) + Array("Comment\0\0\0\0\0hello".utf8)
        png.insert(contentsOf: forged, at: 33)  // after the signature and IHDR
        #expect { try PhotoCodec.convert(png) } throws: {
            [.truncated, .corrupt].contains(($0 as? CodecError)?.reason)
        }
    }

    @Test func progressiveScanFloodIsRefused() throws {
        let pixels = (0..<(64 * 64)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let flood = try FixtureEncoder.jpeg(pixels, width: 64, height: 64, components: 1, scanFlood: true)
        #expect(Support.markers(flood).contains(0xC2), "progressive SOF2")
        #expect { try PhotoCodec.decode(flood) } throws: {
            ($0 as? CodecError)?.reason == .corrupt && ($0 as? CodecError)?.message.contains("scans") == true
        }
        // The same picture with a normal progressive script decodes.
        let normal = try FixtureEncoder.jpeg(pixels, width: 64, height: 64, components: 1, progressive: true)
        #expect(try PhotoCodec.decode(normal).width == 64)
    }

    @Test func truncatedFilesAreTypedErrors() throws {
        let picture = Support.photoLike(width: 200, height: 150)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 200, height: 150, components: 3)
        let png = try FixtureEncoder.png(picture.pixels, width: 200, height: 150, color: .rgb)
        for (bytes, name) in [(jpeg, "jpeg"), (png, "png")] {
            for cut in [bytes.count / 2, bytes.count * 3 / 4, 40] {
                do {
                    _ = try PhotoCodec.convert(Array(bytes[0..<cut]))
                    Issue.record("\(name) cut at \(cut) must fail")
                } catch {
                    #expect(error.reason == .truncated || error.reason == .corrupt, "\(name) at \(cut): \(error)")
                    #expect(error.message.contains(name))
                }
            }
        }
    }

    @Test func jpegMissingOnlyItsEndMarkerConverts() throws {
        // Some cameras and editors drop the final EOI marker; the picture is complete and must convert.
        let picture = Support.photoLike(width: 200, height: 150)
        let jpeg = try FixtureEncoder.jpeg(picture.pixels, width: 200, height: 150, components: 3)
        #expect(Array(jpeg.suffix(2)) == [0xFF, 0xD9])
        for bytes in [Array(jpeg.dropLast(2)), Array(jpeg.dropLast(1))] {
            let image = try PhotoCodec.decode(bytes)
            #expect(Support.meanDifference(image, try PhotoCodec.decode(jpeg)) < 0.5)
        }
    }

    @Test func emptyAndNonImageFilesNameTheFile() throws {
        let folder = try Support.temporaryFolder()
        defer { Support.cleanUp(folder) }
        let empty = folder.appendingPathComponent("empty.jpg")
        let text = folder.appendingPathComponent("notes.jpg")
        let missing = folder.appendingPathComponent("missing.png")
        try Data().write(to: empty)
        try Data("Dear HR, here is my photo".utf8).write(to: text)
        let cases: [(URL, CodecError.Reason)] = [
            (empty, .empty), (text, .unsupportedFormat), (missing, .unreadable), (folder, .unreadable),
        ]
        for (url, reason) in cases {
            do {
                _ = try PhotoCodec.convert(contentsOf: url.path)
                Issue.record("\(url.lastPathComponent) must fail")
            } catch {
                #expect(error.reason == reason)
                #expect(error.file == url.path)
                #expect(error.description == "\(url.path): \(error.message)")
                #expect(error.message.first?.isLowercase == true || error.message.first?.isNumber == true)
            }
        }
        #expect(PhotoCodec.sniff(Array("Dear HR".utf8)) == nil)
        #expect(throws: CodecError.self) { try PhotoCodec.decode(contentsOf: text.path) }
    }

    // MARK: parallel use

    @Test func convertsManyImagesInParallelWithIdenticalResults() throws {
        let inputs = try (0..<8).map { i in
            let picture = Support.photoLike(width: 300 + i * 10, height: 200)
            return try FixtureEncoder.jpeg(picture.pixels, width: picture.width, height: 200, components: 3)
        }
        let sequential = try inputs.map { try PhotoCodec.convert($0).jpeg }
        let results = Results(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: inputs.count * 3) { i in
            let bytes = try? PhotoCodec.convert(inputs[i % inputs.count]).jpeg
            results.set(i % inputs.count, bytes)
        }
        for i in inputs.indices { #expect(results.all(i).allSatisfy { $0 == sequential[i] }) }
    }
}

/// Collects results from concurrent threads.
/// `@unchecked Sendable`: every access to `values` holds `lock`.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[[UInt8]?]]

    init(count: Int) { values = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [UInt8]?) {
        lock.lock()
        values[index].append(value)
        lock.unlock()
    }

    func all(_ index: Int) -> [[UInt8]?] {
        lock.lock()
        defer { lock.unlock() }
        return values[index]
    }
}
