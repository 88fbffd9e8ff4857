import Foundation
import Testing

@testable import PhotoCodec

/// The shared conformance corpus (`<root>/../shared/corpus`): present in CI, absent in a user's clone.
enum Corpus {
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static var exists: Bool { FileManager.default.fileExists(atPath: folder.path) }

    /// Every JPEG and PNG in the corpus, as paths relative to it.
    static let images: [String] = {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return walker.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }
            .sorted()
    }()

    /// Files the corpus README says may fail, with the reason they must fail with.
    static let allowedFailures: [String: CodecError.Reason] = ["jpeg/monkey12.jpg": .unsupportedFeature]

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

@Suite(.enabled(if: Corpus.exists, "../shared/corpus is absent: corpus tests skipped"))
struct CorpusTests {
    @Test func corpusHasTheImagesItsReadmeLists() {
        #expect(Corpus.images.count >= 60)
        #expect(Corpus.images.contains("jpeg/testprog.jpg"))
        #expect(Corpus.images.contains("jpeg/Channel_digital_image_CMYK_color.jpg"))
    }

    @Test(arguments: Corpus.images)
    func convertsOrFailsCleanly(name: String) throws {
        var options = ConvertOptions()
        options.previewSide = 96
        let photo: ConvertedPhoto
        do {
            photo = try PhotoCodec.convert(contentsOf: Corpus.path(name), options: options)
        } catch {
            let expected = try #require(Corpus.allowedFailures[name], "\(name) failed: \(error)")
            #expect(error.reason == expected)
            #expect(error.file == Corpus.path(name))
            #expect(error.description.hasPrefix(Corpus.path(name) + ": "))
            #expect(error.message.first?.isUppercase == false, "lower-case message")
            return
        }
        #expect(photo.jpeg.count <= options.maxBytes)
        #expect(photo.width == photo.height, "square crop")
        #expect(photo.width <= options.maxSide && photo.width >= 1)
        #expect(photo.width == min(options.maxSide, min(photo.sourceWidth, photo.sourceHeight)), "never upscaled")
        let markers = Support.markers(photo.jpeg)
        #expect(!markers.contains(0xE1) && !markers.contains(0xED) && !markers.contains(0xFE), "no APP1/APP13/COM")
        #expect(markers.contains(0xC0), "baseline SOF0")
        let decoded = try PhotoCodec.decode(photo.jpeg)
        #expect(decoded.width == photo.width && decoded.height == photo.height)
        let preview = try PhotoCodec.decode(try #require(photo.preview))
        #expect(max(preview.width, preview.height) <= 96)
    }

    @Test func transparentPngsAreFlattenedOntoTheBackground() throws {
        // ftbwn0g16: grey with a white tRNS colour; ftp0n*: fully transparent corners in PngSuite.
        var options = ConvertOptions()
        options.background = RGBColor(red: 0, green: 0, blue: 255)
        let photo = try PhotoCodec.convert(contentsOf: Corpus.path("pngsuite/basn6a08.png"), options: options)
        let image = try PhotoCodec.decode(photo.jpeg)
        // basn6a08 fades to fully transparent at the top left: that corner must show the blue background.
        let corner = image.color(x: 0, y: 0)
        #expect(corner.blue > 200 && corner.red < 60, "corner is \(corner)")
    }

    @Test(arguments: [
        "jpeg/Channel_digital_image_CMYK_color.jpg", "jpeg/Channel_digital_image_CMYK_color_no_profile.jpg",
    ])
    func cmykJpegsComeOutInNaturalColours(name: String) throws {
        let image = try PhotoCodec.decode(contentsOf: Corpus.path(name))
        #expect(image.width == 500 && image.height == 333)
        // The park photo: green grass at the lower left, light grey paving at the lower right. A colour negative
        // would show magenta grass and dark paving. (Through the file's SWOP profile the grass is a duller green,
        // about (105, 128, 74) as jpgicc makes it, than the naive conversion of the profile-less twin.)
        let grass = Support.mean(image, x: 0..<150, y: 200..<280)
        #expect(grass.g > grass.r + 15 && grass.g > grass.b + 40, "grass is \(grass)")
        let paving = Support.mean(image, x: 400..<500, y: 290..<333)
        #expect(paving.r > 140 && paving.g > 140 && paving.b > 140, "paving is \(paving)")
    }

    @Test func twelveBitJpegIsAClearUnsupportedError() {
        #expect {
            _ = try PhotoCodec.convert(contentsOf: Corpus.path("jpeg/monkey12.jpg"))
        } throws: { error in
            guard let error = error as? CodecError else { return false }
            return error.reason == .unsupportedFeature && error.message.contains("12-bit")
        }
    }

    @Test func astronautPortraitKeepsTheFaceInTheSquare() throws {
        // 512x512 already square: the crop keeps everything and nothing is upscaled.
        let photo = try PhotoCodec.convert(contentsOf: Corpus.path("photos/astronaut.png"))
        #expect(photo.width == 512 && photo.cropFraction == 0 && photo.upscaleAvoided)
    }
}
