import Foundation
import Testing

@testable import PhotoProvisioning
@testable import PhotoReports
import PhotoProvisioningTestSupport

/// What face framing adds to the reports: the flags, the face box in report.json and report.csv, the mark on the
/// original's thumbnail in report.html, and display names from the item's record.
@Suite struct FramingReportTests {
    static let framed = FaceFraming(faceCount: 1, face: FaceBox(x: 300, y: 200, width: 400, height: 400), flags: [])

    @Test func framingFlagsAreReportFlagsAndAFaceFramedCropIsNotHeavy() {
        var item = ReportItem(key: "a@b.c", outcome: .uploaded, photo: PhotoFacts(sourceWidth: 2000, sourceHeight: 1500))
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
            ReportItem(ItemRecord(key: "a@contoso.com", displayName: "Adele Vance", photo: sideways), outcome: .wouldUpload),
            ReportItem(
                ItemRecord(key: "b@contoso.com", photo: PhotoFacts(framing: FaceFraming(faceCount: 0, face: nil, flags: [.noFace]))),
                outcome: .wouldUpload),
            ReportItem(ItemRecord(key: "c@contoso.com"), outcome: .wouldUpload),
        ]
        let files = try ReportWriter.write(run: run, items: items, to: folder.file("report"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json))) as? [String: Any])
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
}
