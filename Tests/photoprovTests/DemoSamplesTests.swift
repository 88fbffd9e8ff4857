import Foundation
import PhotoCodec
import Testing

/// The committed `samples/` behind `scripts/demo`: each photo must reach the codec outcome samples/README.md
/// promises, and the CSV and emulator seed must set up the Graph outcomes (unknown user, no mailbox, duplicate).
@Suite struct DemoSamplesTests {
    static let samples = PhotoprovProcess.projectRoot.appendingPathComponent("samples")

    /// A sample that converts, with the colour of the shirt drawn at the bottom of the upright picture.
    struct Upright: Sendable, CustomStringConvertible {
        let file: String
        let shirt: (UInt8, UInt8, UInt8)
        var side = 648
        var description: String { file }
    }

    static let converting: [Upright] = [
        Upright(file: "adele-vance.jpg", shirt: (0x2f, 0x6f, 0x9f)),
        Upright(file: "alex-wilber.jpg", shirt: (0x3c, 0x8d, 0x5a)),
        Upright(file: "diego-siciliani-exif6.jpg", shirt: (0xb0, 0x41, 0x3e)),
        Upright(file: "grady-archie-exif3.jpg", shirt: (0x5b, 0x4b, 0x8a)),
        Upright(file: "isaiah-langer-exif8.jpg", shirt: (0xe0, 0x7a, 0x1f)),
        Upright(file: "johanna-lorenz-transparent.png", shirt: (0x2a, 0x9d, 0x8f)),
        Upright(file: "joni-sherman-cmyk.jpg", shirt: (0x26, 0x46, 0x53)),
        Upright(file: "lee-gu-grayscale.jpg", shirt: (96, 96, 96)),
        Upright(file: "lidia-holloway-progressive.jpg", shirt: (0xc1, 0x12, 0x1f)),
        Upright(file: "lynne-robbins-tiny.jpg", shirt: (0x1d, 0x35, 0x57), side: 32),
        Upright(file: "miriam-graham.jpg", shirt: (0x45, 0x7b, 0x9d)),
        Upright(file: "nestor-wilke.jpg", shirt: (0x2d, 0x6a, 0x4f)),
        Upright(file: "nestor-wilke-2024.jpg", shirt: (0x9d, 0x02, 0x08)),
        Upright(file: "patti-fernandez.jpg", shirt: (0x58, 0x81, 0x57)),
    ]

    static func pixel(_ image: RGBImage, _ x: Int, _ y: Int) -> (Int, Int, Int) {
        let i = (y * image.width + x) * 3
        return (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
    }

    static func distance(_ a: (Int, Int, Int), _ b: (UInt8, UInt8, UInt8)) -> Int {
        max(abs(a.0 - Int(b.0)), abs(a.1 - Int(b.1)), abs(a.2 - Int(b.2)))
    }

    @Test(arguments: converting)
    func sampleConvertsToAnUprightSquare(_ sample: Upright) throws {
        let path = Self.samples.appendingPathComponent(sample.file).path
        let photo = try PhotoCodec.convert(contentsOf: path)
        #expect(
            photo.width == sample.side && photo.height == sample.side, "\(sample.file): \(photo.width)x\(photo.height)")
        let image = try PhotoCodec.decode(photo.jpeg)
        // Upright: the shirt fills the bottom (right of the V-neck) and is nowhere near the top edge.
        let bottom = Self.pixel(image, image.width * 6 / 10, image.height - 1 - image.height / 100)
        let top = Self.pixel(image, image.width / 2, image.height / 100)
        #expect(
            Self.distance(bottom, sample.shirt) <= 24, "\(sample.file): bottom is \(bottom), shirt is \(sample.shirt)")
        #expect(Self.distance(top, sample.shirt) > 60, "\(sample.file): top is \(top), like the shirt")
    }

    @Test func transparentSampleIsFlattenedOntoWhite() throws {
        let path = Self.samples.appendingPathComponent("johanna-lorenz-transparent.png").path
        let image = try PhotoCodec.decode(PhotoCodec.convert(contentsOf: path).jpeg)
        for (x, y) in [(2, 2), (image.width - 3, 2), (2, image.height / 2)] {
            #expect(Self.distance(Self.pixel(image, x, y), (255, 255, 255)) <= 3, "corner (\(x), \(y)) is not white")
        }
    }

    @Test func truncatedSampleIsRefusedAsTruncated() throws {
        let path = Self.samples.appendingPathComponent("megan-bowen-truncated.jpg").path
        let error = #expect(throws: CodecError.self) { try PhotoCodec.convert(contentsOf: path) }
        #expect(error?.message.contains("truncated") == true, "\(String(describing: error))")
    }

    @Test func csvAndSeedSetUpEveryOutcome() throws {
        let csv = try String(contentsOf: Self.samples.appendingPathComponent("people.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines.first == ["upn", "photo", "displayName"])
        let rows = lines.dropFirst().map { (upn: String($0[0]), photo: String($0[1])) }
        #expect(rows.count == 15)
        for row in rows {
            let exists = FileManager.default.fileExists(atPath: Self.samples.appendingPathComponent(row.photo).path)
            #expect(exists, "people.csv names \(row.photo), which is not in samples/")
        }
        let nestor = rows.filter { $0.upn == "nestor.wilke@contoso.example" }
        #expect(nestor.count == 2 && nestor[0].photo != nestor[1].photo, "the duplicate must name two different photos")

        let seed = try Data(contentsOf: Self.samples.appendingPathComponent("tenant.json"))
        let tenant = try #require(try JSONSerialization.jsonObject(with: seed) as? [String: Any])
        #expect(tenant["domain"] as? String == "contoso.example")
        let users = try #require(tenant["users"] as? [[String: Any]])
        let mailbox = Dictionary(
            uniqueKeysWithValues: users.map { ($0["userPrincipalName"] as? String ?? "", $0["hasMailbox"] as? Bool) })
        #expect(Set(mailbox.keys) == Set(rows.map(\.upn)).subtracting(["patti.fernandez@contoso.example"]))
        #expect(mailbox.filter { $0.value == false }.map(\.key) == ["miriam.graham@contoso.example"])
    }
}
