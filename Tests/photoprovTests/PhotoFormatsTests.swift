import Foundation
import PhotoCodec
import PhotoCodecTestSupport
import PhotoProvisioning
import TestSupport
import Testing

@testable import PhotoJournal

/// Issue 15 through the built binary: HEIC, AVIF and WebP in folders and CSVs, the same bytes from `convert` and
/// `upload`, report thumbnails for every format, display names in reports and the journal, colour-profile warnings
/// kept as reasons, the memory budget, and the codec's new fingerprint.
@Suite struct PhotoFormatsTests {
    /// Writes the three formats of one picture, plus the corpus's HEIC and AVIF when present, as
    /// `NAME@contoso.example.EXT` files; returns their names.
    private func writeFormats(into batch: Batch) throws -> [String] {
        var names: [String] = []
        for (format, bytes) in try PhotoFixtures.formats(of: PhotoFixtures.picture(width: 900, height: 700)) {
            let name = "fixture-\(format)@contoso.example.\(format)"
            try Data(bytes).write(to: URL(fileURLWithPath: batch.path(name)))
            names.append(name)
        }
        if PhotoFixtures.corpusExists {
            for file in ["heif/example.heic", "heif/example.avif"] {
                let ext = (file as NSString).pathExtension
                let name = "corpus-\(ext)@contoso.example.\(ext.uppercased())"  // extensions in any case
                try FileManager.default.copyItem(
                    atPath: PhotoFixtures.corpusPath(file), toPath: batch.path(name))
                names.append(name)
            }
        } else {
            print("SKIP: ../shared/corpus is absent: its HEIC and AVIF are not checked, the fixtures are")
        }
        return names
    }

    @Test func convertAndUploadSendTheSameBytesForHEICAVIFAndWebP() async throws {
        let batch = try await Batch.make(count: 0)
        let photos = batch.path("photos")
        try FileManager.default.createDirectory(atPath: photos, withIntermediateDirectories: true)
        let names = try writeFormats(into: batch).map { name in
            try FileManager.default.moveItem(atPath: batch.path(name), toPath: photos + "/" + name)
            return name
        }
        let upns = names.map { String($0[..<$0.range(of: "@contoso.example")!.upperBound]) }
        try batch.write("users.csv", "upn\n" + upns.joined(separator: "\n") + "\n")

        let out = batch.path("out")
        let converted = try await PhotoprovProcess.run(["convert", "--out", out] + names.map { photos + "/" + $0 })
        #expect(converted.status == 0, "\(converted.stdout) \(converted.stderr)")

        let emulator = try await Emulator.start(["--users-csv", batch.path("users.csv")])
        let uploaded = try await PhotoprovProcess.run(
            ["upload", "--dir", photos, "--journal", batch.journal], environment: emulator.environment)
        #expect(uploaded.status == 0, "\(uploaded.stdout) \(uploaded.stderr)")
        for (name, upn) in zip(names, upns) {
            let output = out + "/" + (name as NSString).deletingPathExtension + ".jpg"
            let held = try await emulator.user(upn)["sha256"] as? String
            #expect(held == (try PhotoFixtures.sha256(output)), "\(name): upload and convert differ")
        }
        let items = try await batch.openJournal().items(run: 1)
        #expect(Set(items.compactMap(\.photo.sourceFormat)).isSuperset(of: ["heif", "avif", "webp"]), "\(items)")
        #expect(items.allSatisfy { $0.state == .uploaded }, "\(items.map(\.state))")
    }

    @Test func reportThumbnailsAndDisplayNamesForEveryFormat() async throws {
        let batch = try await Batch.make(count: 1)
        let names = try writeFormats(into: batch)
        var rows = ["upn,photo,Display Name", "user0001@contoso.example,user0001.jpg,\"Vance, Adele\""]
        for (index, name) in names.enumerated() {
            rows.append("person\(index)@contoso.example,\(name),Person Number \(index)")
        }
        rows.append("not-an-upn,user0001.jpg,Refused Row")
        try batch.write("people.csv", rows.joined(separator: "\n") + "\n")
        let report = batch.path("report")
        let run = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--dry-run", "--offline", "--report", report])
        #expect(run.status == 1, "one row is invalid: \(run.stdout) \(run.stderr)")

        // Display names: report.json, report.csv, the HTML's data and the journal.
        let items = try PhotoFixtures.reportItems(report)
        let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0["key"] as? String ?? "", $0) })
        #expect(byKey["user0001@contoso.example"]?["displayName"] as? String == "Vance, Adele")
        #expect(byKey["person0@contoso.example"]?["displayName"] as? String == "Person Number 0")
        #expect(
            items.contains { $0["outcome"] as? String == "invalid" && $0["displayName"] as? String == "Refused Row" })
        let csv = try String(contentsOfFile: report + "/report.csv", encoding: .utf8)
        #expect(csv.contains(",\"Vance, Adele\","), "\(csv)")
        let html = try String(contentsOfFile: report + "/report.html", encoding: .utf8)
        #expect(html.contains("\"displayName\":\"Person Number 1\""))
        let journal = try await batch.openJournal()
        let stored = try await journal.items(run: 1)
        #expect(stored.first { $0.key == "person2@contoso.example" }?.displayName == "Person Number 2")

        // Thumbnails: for every converted item, both previews are JPEGs the codec made, whatever the source format.
        let previews = try #require(
            html.range(of: "<script type=\"text/plain\" id=\"report-previews\">").map { html[$0.upperBound...] })
        let lines = previews.prefix { $0 != "<" }.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, item) in items.enumerated() where item["outcome"] as? String == "would-upload" {
            for preview in [lines[2 * index], lines[2 * index + 1]] {
                #expect(preview.hasPrefix("data:image/jpeg;base64,"), "\(item["key"] ?? ""): \(preview.prefix(40))")
                let bytes = [UInt8](
                    Data(base64Encoded: String(preview.dropFirst("data:image/jpeg;base64,".count))) ?? Data())
                let image = try PhotoFixtures.decode(bytes)
                #expect(max(image.width, image.height) == UploadJob.previewSide, "\(item["key"] ?? "")")
            }
        }
        #expect(items.filter { $0["outcome"] as? String == "would-upload" }.count == names.count + 1)
    }

    @Test func aBrokenColourProfileIsTheReasonOfAnItemThatStillSucceeds() async throws {
        let batch = try await Batch.make(count: 0)
        let image = PhotoFixtures.picture(width: 400, height: 400)
        let webp = try FixtureEncoder.webp(
            image.pixels, width: 400, height: 400, channels: 3, icc: try PhotoFixtures.brokenProfile())
        let warning = try #require(try PhotoFixtures.convert(webp).warning, "the fixture must draw the codec's warning")
        try Data(webp).write(to: URL(fileURLWithPath: batch.path("broken.webp")))
        try batch.write("people.csv", "upn,photo\nuser0001@contoso.example,broken.webp\n")
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let report = batch.path("report")
        let run = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--report", report],
            environment: emulator.environment)
        #expect(run.status == 0, "the item succeeds: \(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains(warning), "the item's line carries the warning: \(run.stdout)")
        let item = try #require(try await batch.openJournal().items(run: 1).first)
        #expect(item.state == .uploaded)
        #expect(item.reason == warning)
        #expect(try PhotoFixtures.reportItems(report).first?["reason"] as? String == warning)

        let out = batch.path("out")
        let converted = try await PhotoprovProcess.run(["convert", "--out", out, batch.path("broken.webp")])
        #expect(converted.status == 0 && converted.stderr.contains(warning), "\(converted.stderr)")
    }

    @Test func aPhotoOverTheMemoryBudgetFailsAloneWithItsReason() async throws {
        let batch = try await Batch.make(count: 1)
        // Progressive: libjpeg holds every coefficient, about 48 MiB for 4000x4000 at 4:2:0.
        try FixtureEncoder.writeLarge(.progressiveJPEG, width: 4000, height: 4000, to: batch.path("large.jpg"))
        try batch.write(
            "people.csv", "upn,photo\nuser0001@contoso.example,user0001.jpg\nuser0002@contoso.example,large.jpg\n")
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let run = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--max-memory", "16MB"],
            environment: emulator.environment)
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        let items = try await batch.openJournal().items(run: 1)
        let large = try #require(items.first { $0.key == "user0002@contoso.example" })
        #expect(large.state == .failed && large.failure == .conversionFailed)
        #expect(large.reason?.contains("memory budget of 16 MiB") == true, "\(large.reason ?? "")")
        #expect(large.reason?.contains("--max-memory") == true, "\(large.reason ?? "")")
        #expect(items.first { $0.key == "user0001@contoso.example" }?.state == .uploaded)

        let out = batch.path("out")
        let small = try await PhotoprovProcess.run([
            "convert", "--max-memory", "16MB", "--out", out, batch.path("large.jpg"),
        ])
        #expect(small.status == 1 && small.stdout.contains("memory budget"), "\(small.stdout)")
        let enough = try await PhotoprovProcess.run([
            "convert", "--max-memory", "1GB", "--out", out, batch.path("large.jpg"),
        ])
        #expect(enough.status == 0, "\(enough.stdout) \(enough.stderr)")
        let refused = try await PhotoprovProcess.run([
            "convert", "--max-memory", "1KB", "--out", out, batch.path("large.jpg"),
        ])
        #expect(refused.status == 2 && refused.stderr.contains("--max-memory"), "\(refused.stderr)")
    }

    @Test func photosSentUnderTheOldCodecFingerprintAreSentOnceMore() async throws {
        let batch = try await Batch.make(count: 2)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let arguments = ["upload", "--csv", batch.csv, "--journal", batch.journal, "--crop", "square"]
        #expect(try await PhotoprovProcess.run(arguments, environment: emulator.environment).status == 0)
        // As an earlier photoprov (codec1, before colour management) would have recorded them.
        do {
            let connection = try SQLiteConnection(path: batch.journal, create: false)
            try connection.execute("UPDATE last_upload SET fingerprint = replace(fingerprint, 'codec2;', 'codec1;')")
        }
        let again = try await PhotoprovProcess.run(arguments, environment: emulator.environment)
        #expect(again.status == 0)
        let third = try await PhotoprovProcess.run(arguments, environment: emulator.environment)
        #expect(third.status == 0)
        let journal = try await batch.openJournal()
        #expect(try await journal.counts(run: 2)[.uploaded] == 2, "sent again under codec2")
        #expect(try await journal.counts(run: 3)[.unchanged] == 2, "then unchanged")
        for upn in batch.upns {
            #expect((try await emulator.user(upn)["uploads"] as? NSNumber)?.intValue == 2, "\(upn)")
        }
    }
}
