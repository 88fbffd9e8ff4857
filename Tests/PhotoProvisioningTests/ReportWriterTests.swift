import Foundation
import PhotoCodec
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoProvisioning
@testable import PhotoReports

@Suite("Report writer")
struct ReportWriterTests {
    @Test func mixedRunWritesAllThreeFilesWithTheRightCounts() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportFixtures.mixedRun()
        let out = folder.file("nested/report")
        let files = try ReportWriter.write(run: run, items: items, to: out)

        // Exactly the three files, no temporary leftovers.
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["report.csv", "report.html", "report.json"])
        #expect(files.html == out + "/report.html")

        // JSON: run object with counts for every outcome, items in order with their fields.
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json)))
                as? [String: Any])
        #expect(json["format"] as? String == "photoprov-report")
        #expect(json["formatVersion"] as? Int == 1)
        let runObject = try #require(json["run"] as? [String: Any])
        #expect(runObject["id"] as? String == "run-test-1")
        #expect(runObject["kind"] as? String == "upload")
        #expect(runObject["itemCount"] as? Int == items.count)
        #expect(runObject["durationSeconds"] as? Double == 90)
        #expect(
            runObject["throughputItemsPerSecond"] as? Double
                == ReportDocument.finite(Double(items.count) / 90, places: 2))
        #expect(runObject["startedAt"] as? String == "2026-11-18T11:06:40Z")
        #expect(runObject["endedAt"] as? String == "2026-11-18T11:08:10Z")
        #expect(runObject["tenant"] as? String == "contoso.onmicrosoft.com")
        let policy = try #require(runObject["policy"] as? [String: Any])
        #expect(policy["verdict"] as? String == "Allowed <for now>")
        #expect(policy["allowsUploads"] as? Bool == true)
        let counts = try #require(runObject["counts"] as? [String: Int])
        #expect(counts.count == Outcome.allCases.count)
        for outcome in Outcome.allCases {
            #expect(counts[outcome.rawValue] == ReportFixtures.expectedCount(outcome), "\(outcome)")
        }
        let jsonItems = try #require(json["items"] as? [[String: Any]])
        #expect(jsonItems.count == items.count)
        for (object, item) in zip(jsonItems, items) {
            #expect(object["key"] as? String == item.record.key)
            #expect(object["outcome"] as? String == item.outcome.rawValue)
            #expect(object["line"] as? Int == item.record.line)
            #expect(object["sourceWidth"] as? Int == item.record.photo.sourceWidth)
            #expect((object["flags"] as? [String]) == item.flags.map(\.rawValue))
            // Unknown values are null, not missing: every item has the same keys.
            #expect(Set(object.keys) == Set(jsonItems[0].keys))
            #expect(object["sourcePreview"] == nil, "previews are left out of report.json by default")
        }
        let firstFailed = try #require(jsonItems.first { $0["outcome"] as? String == "failed" })
        #expect(firstFailed["httpStatus"] as? Int == 403)
        #expect(firstFailed["requestId"] as? String != nil)
        let firstUploaded = try #require(jsonItems.first { $0["outcome"] as? String == "uploaded" })
        #expect(firstUploaded["httpStatus"] is NSNull)

        // CSV: header, one row per item, outcomes tally.
        let rows = try RFC4180.parse(try readText(files.csv))
        #expect(rows.first == ReportCSV.columns)
        let body = Array(rows.dropFirst())
        #expect(body.count == items.count)
        #expect(body.allSatisfy { $0.count == ReportCSV.columns.count })
        let outcomeColumn = try #require(ReportCSV.columns.firstIndex(of: "outcome"))
        for outcome in Outcome.allCases {
            #expect(
                body.filter { $0[outcomeColumn] == outcome.rawValue }.count == ReportFixtures.expectedCount(outcome))
        }
        let reasonColumn = try #require(ReportCSV.columns.firstIndex(of: "reason"))
        #expect(body[0][reasonColumn] == "reason for uploaded, with \"quotes\"\nand a line")

        // HTML: the data block holds every item; the static summary shows each count.
        let html = try readText(files.html)
        let data = try htmlData(html)
        #expect((data["items"] as? [Any])?.count == items.count)
        for outcome in Outcome.allCases {
            #expect(
                html.contains(
                    "<span class=\"n\">\(ReportFixtures.expectedCount(outcome))</span> <span>\(outcome.label)</span>"))
        }
    }

    /// The output is deterministic: the same input gives byte-identical files.
    @Test func theSameRunWritesTheSameBytes() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportFixtures.mixedRun()
        let options = ReportWriter.Options(generatedAt: ReportFixtures.started)
        let files = try ReportWriter.write(run: run, items: items, to: folder.file("a"), options: options)
        let again = try ReportWriter.write(run: run, items: items, to: folder.file("b"), options: options)
        for (first, second) in [(files.html, again.html), (files.csv, again.csv), (files.json, again.json)] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)),
                "\(first) differs from \(second)")
        }
    }

    @Test func dryRunIsLabelledAndCountsItsOutcomes() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportSampleRun.make(count: 300, kind: .dryRun)
        let files = try ReportWriter.write(run: run, items: items, to: folder.path)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json)))
                as? [String: Any])
        let runObject = try #require(json["run"] as? [String: Any])
        #expect(runObject["kind"] as? String == "dry-run")
        let counts = try #require(runObject["counts"] as? [String: Int])
        #expect(counts["would-upload"] == items.filter { $0.outcome == .wouldUpload }.count)
        #expect((counts["would-upload"] ?? 0) > 100)
        #expect(counts["uploaded"] == 0)
        #expect(try readText(files.html).contains("<span class=\"kind\">Dry run</span>"))
    }

    @Test func secretsInTheCommandLineNeverReachAnyFile() throws {
        let folder = try ReportTemporaryFolder()
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.c2lnbmF0dXJlLXZhbHVl"
        var (run, items) = ReportFixtures.mixedRun()
        run.setArguments([
            "upload", "--client-secret", "hunter2", "--token=s3cr3t-value", "--password", "pa55", jwt, "--csv", "a.csv",
        ])
        #expect(
            run.arguments == [
                "upload", "--client-secret", "***", "--token=***", "--password", "***", "***", "--csv", "a.csv",
            ])
        items[0].record.reason = "401 from token endpoint: Authorization: Bearer opaque-token-123 rejected"
        items[1].record.reason = "request body client_secret=abc123xyz&scope=x failed; assertion \(jwt)"
        run.policyExplanation = "read with {\"access_token\": \"tok-999\"}"
        #expect(
            Redaction.text(items[0].record.reason!)
                == "401 from token endpoint: Authorization: Bearer *** rejected")
        #expect(Redaction.text("no secrets here, 403 Forbidden") == "no secrets here, 403 Forbidden")
        let files = try ReportWriter.write(run: run, items: items, to: folder.path)
        for path in [files.html, files.csv, files.json] {
            let text = try readText(path)
            for secret in ["hunter2", "s3cr3t-value", "pa55", jwt, "opaque-token-123", "abc123xyz", "tok-999"] {
                #expect(!text.contains(secret), "\(secret) in \(path)")
            }
        }
        #expect(try readText(files.html).contains("--client-secret &#39;***&#39;"))
    }

    @Test func flagsFollowTheirThresholds() {
        var item = ReportItem(key: "a@b.c", outcome: .uploaded, photo: PhotoFacts(sourceWidth: 240, sourceHeight: 900))
        #expect(item.flags.isEmpty)
        item.record.photo.sourceHeight = 239
        #expect(item.flags == [.lowResolution])
        item.record.photo.sourceHeight = 900
        item.record.photo.cropFraction = 0.40
        #expect(item.flags.isEmpty)
        item.record.photo.cropFraction = 0.401
        #expect(item.flags == [.heavyCrop])
        item.record.photo.cropFraction = nil
        item.record.photo.orientation = 1
        #expect(item.flags.isEmpty)
        item.record.photo.orientation = 8
        item.record.photo.qualityLowered = true
        item.record.photo.upscaleAvoided = true
        item.record.photo.dimensionsLowered = true
        #expect(item.flags == [.upscaleAvoided, .qualityLowered, .dimensionsLowered, .exifRotated])
    }

    @Test func recordCopiesTheCodecsFactsAndMakesSmallPreviews() throws {
        // A real 400×300 JPEG (a colour gradient) through the real codec.
        var pixels: [UInt8] = []
        for y in 0..<300 {
            for x in 0..<400 { pixels += [UInt8(x * 255 / 399), UInt8(y * 255 / 299), 128] }
        }
        let source = try PhotoCodec.encodeJPEG(RGBImage(width: 400, height: 300, pixels: pixels), quality: 90)
        let photo = try PhotoCodec.convert(source, options: ConvertOptions(maxSide: 648, previewSide: 80))
        var item = ReportItem(key: "a@contoso.com", outcome: .wouldUpload, photo: PhotoFacts(sourceBytes: source.count))
        item.take(photo)
        #expect(
            item.record.photo.sourceWidth == 400 && item.record.photo.sourceHeight == 300
                && item.record.photo.sourceFormat == "jpeg")
        #expect(item.record.photo.outputWidth == 300 && item.record.photo.outputHeight == 300)
        #expect(item.record.photo.outputBytes == photo.jpeg.count && item.record.photo.outputQuality == photo.quality)
        #expect(item.record.photo.cropFraction.map { abs($0 - 0.25) < 0.01 } == true)
        #expect(item.record.photo.orientation == 1)
        // 300 px short side: not low resolution; a quarter cut: not heavy; smaller than 648: not enlarged.
        #expect(item.flags == [.upscaleAvoided])
        let sourcePreview = try PhotoCodec.decode(try #require(item.sourcePreview))
        #expect(max(sourcePreview.width, sourcePreview.height) <= 80)
        let outputPreview = try PhotoCodec.decode(try #require(item.outputPreview))
        #expect(outputPreview.width == 80 && outputPreview.height == 80)
        #expect(try #require(item.outputPreview).count < 8 * 1024)
    }

    @Test func previewsGoToJSONOnlyWhenAskedAndOversizedOnesAreLeftOut() throws {
        let folder = try ReportTemporaryFolder()
        let big = [UInt8]([0xFF, 0xD8, 0xFF]) + [UInt8](repeating: 7, count: 4096)
        let items = [
            ReportItem(
                key: "small@x", outcome: .uploaded, sourcePreview: ReportSamples.sources[0],
                outputPreview: ReportSamples.outputs[0]),
            ReportItem(key: "big@x", outcome: .uploaded, sourcePreview: big, outputPreview: [1, 2, 3]),
        ]
        let run = ReportRun(id: "r", kind: .upload, startedAt: ReportFixtures.started)
        let files = try ReportWriter.write(
            run: run, items: items, to: folder.path,
            options: .init(maxPreviewBytes: 4000, jsonIncludesPreviews: true))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json)))
                as? [String: Any])
        let jsonItems = try #require(json["items"] as? [[String: Any]])
        let base64 = try #require(jsonItems[0]["sourcePreview"] as? String)
        #expect(Data(base64Encoded: base64).map([UInt8].init) == ReportSamples.sources[0])

        let previews = try htmlPreviews(try readText(files.html))
        #expect(previews.count == 4)
        #expect(previews[0] == "data:image/jpeg;base64," + Data(ReportSamples.sources[0]).base64EncodedString())
        #expect(previews[1] == "data:image/jpeg;base64," + Data(ReportSamples.outputs[0]).base64EncodedString())
        #expect(previews[2] == "", "a preview over the limit is not embedded")
        #expect(previews[3] == "", "bytes that are not JPEG or PNG are not embedded")
    }

    @Test func emptyRunStillWritesAValidReport() throws {
        let folder = try ReportTemporaryFolder()
        let run = ReportRun(id: "empty", kind: .upload, startedAt: ReportFixtures.started)
        let files = try ReportWriter.write(run: run, items: [], to: folder.path)
        #expect(try RFC4180.parse(try readText(files.csv)) == [ReportCSV.columns])
        let html = try Data(contentsOf: URL(fileURLWithPath: files.html))
        #expect(XMLInventory.parse(html) != nil, "\(XMLInventory.parseError(html))")
        #expect(String(decoding: html, as: UTF8.self).contains("No items in this run"))
    }

    @Test func rewritingReplacesTheFilesAndAnUnusableFolderIsAnError() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportFixtures.mixedRun()
        try ReportWriter.write(run: run, items: items, to: folder.path)
        try ReportWriter.write(run: run, items: Array(items.prefix(3)), to: folder.path)
        #expect(try RFC4180.parse(try readText(folder.file("report.csv"))).count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 3)

        let blocker = folder.file("not-a-folder")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        #expect {
            try ReportWriter.write(run: run, items: items, to: blocker + "/out")
        } throws: { error in
            guard let error = error as? ReportError else { return false }
            return error.reason == .cannotCreateDirectory && error.description.hasPrefix(blocker + "/out: ")
        }
    }
}

/// The thumbnails block of a report.html: two lines per item (original, output), each a data: URI or empty.
func htmlPreviews(_ html: String) throws -> [String] {
    let start = try #require(html.range(of: "<script type=\"text/plain\" id=\"report-previews\">"))
    let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
    var lines = html[start.upperBound..<end.lowerBound].components(separatedBy: "\n")
    #expect(lines.last == "", "the block ends with a line break")
    lines.removeLast()
    return lines
}

/// The JSON data block of a report.html, parsed.
func htmlData(_ html: String) throws -> [String: Any] {
    let start = try #require(html.range(of: "<script type=\"application/json\" id=\"report-data\">"))
    let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
    let text = String(html[start.upperBound..<end.lowerBound])
    return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}
