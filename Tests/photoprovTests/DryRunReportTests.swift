import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// Dry runs and reports through the built binary.
@Suite struct DryRunReportTests {
    private func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    private func counts(_ report: [String: Any]) -> [String: Int] {
        ((report["run"] as? [String: Any])?["counts"] as? [String: Any] ?? [:]).compactMapValues {
            ($0 as? NSNumber)?.intValue
        }
    }

    @Test func offlineDryRunNeedsNoTenantAndMarksNothingUploaded() async throws {
        let batch = try await Batch.make(count: 4)
        try batch.write("people.csv", try String(contentsOfFile: batch.csv, encoding: .utf8) + "bad-key,user0001.jpg\n")
        let reportDirectory = batch.path("report")
        let run = try await PhotoprovProcess.run(
            [
                "upload", "--csv", batch.csv, "--journal", batch.journal, "--dry-run", "--offline", "--report",
                reportDirectory,
            ],
            environment: ["AZURE_CLIENT_SECRET": "", "PHOTOPROV_GRAPH_URL": "http://127.0.0.1:9"])
        #expect(run.status == 1, "one row is invalid: \(run.stdout) \(run.stderr)")
        let report = try json(reportDirectory + "/report.json")
        #expect((report["run"] as? [String: Any])?["kind"] as? String == "dry-run")
        #expect(counts(report)["would-upload"] == 4)
        #expect(counts(report)["invalid"] == 1)
        #expect(counts(report)["uploaded"] == 0)
        let journal = try await batch.openJournal()
        #expect(try await journal.run(id: 1)?.kind == .dryRun)
        #expect(try await journal.counts(run: 1)[.uploaded] == 0)
        #expect(try await journal.keysWithPhotos(target: .users, match: .upn).isEmpty, "a dry run uploads nothing")
        for name in ["report.html", "report.csv"] {
            #expect(FileManager.default.fileExists(atPath: reportDirectory + "/" + name))
        }
    }

    @Test func dryRunAgainstTheTenantPredictsFailuresAndWritesNothing() async throws {
        let batch = try await Batch.make(count: 2)
        // adele.vance exists; lee.gu has no mailbox; nobody.here does not exist (the emulator's default tenant).
        try batch.write(
            "people.csv",
            "upn,photo\nadele.vance@contoso.example,user0001.jpg\nlee.gu@contoso.example,user0002.jpg\n"
                + "nobody.here@contoso.example,user0001.jpg\n")
        let emulator = try await Emulator.start()
        let reportDirectory = batch.path("report")
        let run = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--dry-run", "--report", reportDirectory],
            environment: emulator.environment)
        #expect(run.status == 1, "two rows would fail: \(run.stdout) \(run.stderr)")
        let report = try json(reportDirectory + "/report.json")
        #expect(counts(report)["would-add"] == 1, "adele.vance has no photo yet")
        #expect(counts(report)["would-fail"] == 2)
        let items = report["items"] as? [[String: Any]] ?? []
        let nobody = items.first { $0["key"] as? String == "nobody.here@contoso.example" }
        #expect((nobody?["reason"] as? String)?.contains("not found") == true, "\(nobody ?? [:])")
        let lee = items.first { $0["key"] as? String == "lee.gu@contoso.example" }
        #expect((lee?["reason"] as? String)?.contains("mailbox") == true, "\(lee ?? [:])")
        let requests = try await emulator.requestCounts()
        #expect(try await emulator.user("adele.vance@contoso.example")["uploads"] as? NSNumber == 0)
        #expect(requests["200"] ?? 0 > 0, "the tenant was read: \(requests)")
    }

    @Test func reportCommandRewritesAnyPastRunWithMatchingCounts() async throws {
        let batch = try await Batch.make(count: 3)
        try batch.write(
            "people.csv",
            try String(contentsOfFile: batch.csv, encoding: .utf8)
                + "ghost@contoso.example,user0001.jpg\n=cmd|' /C calc'!A0@contoso.example,user0002.jpg\n")
        try batch.write("tenant.csv", "upn\n" + batch.upns.joined(separator: "\n") + "\n")
        let users = try await Emulator.start(["--users-csv", batch.path("tenant.csv")])
        let first = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal], environment: users.environment)
        #expect(first.status == 1, "ghost is unknown and one key is malformed: \(first.stdout)")
        let second = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal], environment: users.environment)
        #expect(second.status == 1)
        let out = batch.path("past")
        let written = try await PhotoprovProcess.run(["report", "--journal", batch.journal, "--run", "1", "--out", out])
        #expect(written.status == 0, "\(written.stderr)")
        let report = try json(out + "/report.json")
        #expect((report["run"] as? [String: Any])?["id"] as? String == "1")
        #expect(counts(report)["uploaded"] == 3)
        #expect(counts(report)["failed"] == 1)
        #expect(counts(report)["invalid"] == 1)
        let latest = try await PhotoprovProcess.run([
            "report", "--journal", batch.journal, "--out", batch.path("latest"),
        ])
        #expect(latest.status == 0)
        #expect(counts(try json(batch.path("latest") + "/report.json"))["unchanged"] == 3)
        let csv = try String(contentsOfFile: out + "/report.csv", encoding: .utf8)
        #expect(csv.contains("'=cmd"), "a formula in a key is neutralised")
        #expect(!csv.contains(",=cmd"))
        let missing = try await PhotoprovProcess.run(["report", "--journal", batch.path("nope.journal"), "--out", out])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no journal"))
    }
}
