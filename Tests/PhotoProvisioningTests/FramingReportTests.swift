import Foundation
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoProvisioning
@testable import PhotoReports

/// What face framing adds to the reports: the flags, the face box in report.json and report.csv, the mark on the
/// original's thumbnail in report.html, and display names from the item's record.
@Suite struct FramingReportTests {
    static let framed = FaceFraming(faceCount: 1, face: FaceBox(x: 300, y: 200, width: 400, height: 400), flags: [])

    @Test func framingFlagsAreReportFlagsAndAFaceFramedCropIsNotHeavy() {
        var item = ReportItem(
            key: "a@b.c", outcome: .uploaded, photo: PhotoFacts(sourceWidth: 2000, sourceHeight: 1500))
        item.record.photo.cropFraction = 0.8
        #expect(item.flags == [.heavyCrop], "the fixed rule cut away 80%")
        item.record.photo.framing = Self.framed
        #expect(item.flags.isEmpty, "framed on the face: the tight crop is the point")
        item.record.photo.framing = FaceFraming(faceCount: 1, face: Self.framed.face, flags: [.faceAtEdge])
        #expect(item.flags == [.faceAtEdge])
        item.record.photo.framing = FaceFraming(faceCount: 2, face: nil, flags: [.severalFaces])
        #expect(item.flags == [.severalFaces, .heavyCrop], "the fixed rule framed the group")
        item.record.photo.framing = FaceFraming(faceCount: 0, face: nil, flags: [.noFace])
        #expect(item.flags.first == .noFace)
        #expect(Set(ReportFlag.allCases.map(\.rawValue)).isSuperset(of: FaceFraming.Flag.allCases.map(\.rawValue)))
    }

    @Test func reportsCarryTheFaceBoxFlagsAndNamesInEveryFile() throws {
        let folder = try ReportTemporaryFolder()
        let run = ReportRun(id: "7", kind: .dryRun, startedAt: Date(timeIntervalSince1970: 1_795_000_000))
        // Stored sideways (EXIF 6): the upright picture is 1500 wide and 2000 tall.
        let sideways = PhotoFacts(sourceWidth: 2000, sourceHeight: 1500, orientation: 6, framing: Self.framed)
        let items = [
            ReportItem(
                ItemRecord(key: "a@contoso.com", displayName: "Adele Vance", photo: sideways), outcome: .wouldUpload),
            ReportItem(
                ItemRecord(
                    key: "b@contoso.com",
                    photo: PhotoFacts(framing: FaceFraming(faceCount: 0, face: nil, flags: [.noFace]))),
                outcome: .wouldUpload),
            ReportItem(ItemRecord(key: "c@contoso.com"), outcome: .wouldUpload),
        ]
        let files = try ReportWriter.write(run: run, items: items, to: folder.file("report"))

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json))) as? [String: Any]
        )
        let objects = try #require(json["items"] as? [[String: Any]])
        #expect(objects[0]["displayName"] as? String == "Adele Vance")
        #expect(objects[0]["faceCount"] as? Int == 1)
        #expect(objects[0]["faceBox"] as? [String: Double] == ["x": 300, "y": 200, "width": 400, "height": 400])
        #expect(objects[1]["faceCount"] as? Int == 0 && objects[1]["faceBox"] is NSNull)
        #expect(objects[1]["flags"] as? [String] == ["no-face"])
        #expect(objects[2]["faceCount"] is NSNull && objects[2]["faceBox"] is NSNull, "not framed by faces")
        let flagCounts = try #require((json["run"] as? [String: Any])?["flagCounts"] as? [String: Int])
        #expect(flagCounts["no-face"] == 1 && flagCounts["several-faces"] == 0 && flagCounts["face-at-edge"] == 0)

        let rows = try RFC4180.parse(try readText(files.csv))
        let header = try #require(rows.first)
        #expect(Array(header.suffix(5)) == ["faceCount", "faceX", "faceY", "faceWidth", "faceHeight"])
        #expect(Array(rows[1].suffix(5)) == ["1", "300.0", "200.0", "400.0", "400.0"])
        #expect(Array(rows[2].suffix(5)) == ["0", "", "", "", ""])
        #expect(Array(rows[3].suffix(5)) == ["", "", "", "", ""])
        #expect(rows[1][header.firstIndex(of: "displayName")!] == "Adele Vance")

        // The mark: shares of the upright picture (1500 x 2000), for the thumbnail of the upright original.
        let html = try readText(files.html)
        #expect(html.contains("\"faceMark\":[0.2,0.1,0.2667,0.2]"), "\(html.count)")
        #expect(html.contains("function markFace(fig, it)"))
        #expect(html.contains(">No face 1</span>"), "'Worth a look' counts it")
    }

    /// In a browser: the mark sits on the face of the letterboxed original, and each card says how it was framed
    /// and shows the framing's flags. The original preview is 96x72 in the 88 px thumbnail: drawn 88x66, 11 px down.
    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed"))
    func theContactSheetMarksTheFaceAndShowsTheFlags() throws {
        let folder = try ReportTemporaryFolder()
        let run = ReportRun(id: "8", kind: .dryRun, startedAt: Date(timeIntervalSince1970: 1_795_000_000))
        // 960x720: the face box (288, 144, 192, 216) is the share (0.3, 0.2, 0.2, 0.3) of the picture.
        let framed = FaceFraming(faceCount: 1, face: FaceBox(x: 288, y: 144, width: 192, height: 216), flags: [])
        let atEdge = FaceFraming(
            faceCount: 1, face: FaceBox(x: 0, y: 144, width: 192, height: 216), flags: [.faceAtEdge])
        func item(_ key: String, _ framing: FaceFraming) -> ReportItem {
            ReportItem(
                key: key, outcome: .wouldUpload,
                photo: PhotoFacts(sourceWidth: 960, sourceHeight: 720, framing: framing),
                sourcePreview: ReportSamples.sources[0], outputPreview: ReportSamples.outputs[0])
        }
        let items = [
            item("framed@contoso.com", framed), item("edge@contoso.com", atEdge),
            item("group@contoso.com", FaceFraming(faceCount: 2, face: nil, flags: [.severalFaces])),
            item("empty@contoso.com", FaceFraming(faceCount: 0, face: nil, flags: [.noFace])),
        ]
        let files = try ReportWriter.write(run: run, items: items, to: folder.file("report"))
        let dump = folder.file("dom.html")
        try Chromium.run(page: files.html, fragment: "#order=name", arguments: ["--dump-dom"], in: folder, stdout: dump)
        let dom = try readText(dump)
        let cards = dom.components(separatedBy: "<article class=\"card panel").dropFirst()
        #expect(cards.count == 4)
        func card(_ key: String) -> String { cards.first { $0.contains(key) } ?? "" }

        // One mark per face framed on, inside the original's figure (before the output's), placed in pixels.
        #expect(cards.map { $0.components(separatedBy: "class=\"facebox\"").count - 1 }.reduce(0, +) == 2)
        func mark(_ card: String) -> [Double] {
            guard
                let style = card.components(separatedBy: "class=\"facebox\"").dropFirst().first?
                    .components(separatedBy: "style=\"").dropFirst().first?.components(separatedBy: "\"").first
            else { return [] }
            return ["left", "top", "width", "height"].compactMap { name in
                style.components(separatedBy: name + ": ").dropFirst().first?.components(separatedBy: "px").first
                    .flatMap(Double.init)
            }
        }
        let expected = [0.3 * 88, 11 + 0.2 * 66, 0.2 * 88, 0.3 * 66]
        let placed = mark(card("framed@contoso.com"))
        #expect(placed.count == 4 && zip(placed, expected).allSatisfy { abs($0 - $1) < 0.2 }, "\(placed)")
        let framedCard = card("framed@contoso.com")
        let original = try #require(framedCard.range(of: "alt=\"Original photo of"))
        let markAt = try #require(framedCard.range(of: "class=\"facebox\""))
        let output = try #require(framedCard.range(of: "photo of", range: original.upperBound..<framedCard.endIndex))
        #expect(original.lowerBound < markAt.lowerBound && markAt.lowerBound < output.lowerBound)
        #expect(mark(card("edge@contoso.com")).first == 0, "a face at the edge is marked at the edge")

        // How it was framed, and the flags as labels.
        #expect(framedCard.contains("framed on the face") && !framedCard.contains("class=\"flag\""))
        #expect(card("edge@contoso.com").contains(">Face at edge</li>"))
        #expect(card("group@contoso.com").contains("2 faces found; fixed crop"))
        #expect(card("group@contoso.com").contains(">Several faces</li>"))
        #expect(card("empty@contoso.com").contains("0 faces found; fixed crop"))
        #expect(card("empty@contoso.com").contains(">No face</li>"))
        // 'Worth a look' counts every framing flag.
        for label in ["No face 1", "Several faces 1", "Face at edge 1"] {
            #expect(dom.contains(">\(label)</span>"), "\(label)")
        }
    }
}
