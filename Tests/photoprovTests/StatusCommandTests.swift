import Foundation
import PhotoProvisioning
import Testing

/// `photoprov status` through the built binary, over journals written by the library.
@Suite struct StatusCommandTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "photoprov-status-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A journal with a finished first run and a killed second run of 7 items in every kind of state.
    private func makeJournal(at path: String) async throws -> Int64 {
        let journal = try await Journal.open(at: path)
        let first = try await journal.startRun(
            kind: .upload, commandKey: "one", arguments: ["upload", "--csv", "a.csv"])
        let old = try await journal.addItems(
            ["x@contoso.com", "y@contoso.com"].map {
                Journal.NewItem(target: .users, match: .upn, key: $0, fingerprint: "f")
            },
            run: first.run.id)
        for item in old {
            var update = Journal.ItemUpdate(.uploaded)
            update.photo = PhotoFacts(sourceSHA256: "sha")
            try await journal.record(update, item: item.id)
        }
        try await journal.finishRun(first.run.id, status: .completed)

        let second = try await journal.startRun(
            kind: .upload, commandKey: "two", arguments: ["upload", "--csv", "b.csv", "--client-secret", "hunter2"])
        try await journal.setVerdict(.allowed, detail: "source cloud, no role restriction", run: second.run.id)
        let states: [Journal.ItemState] = [.uploaded, .unchanged, .failed, .failed, .uploading, .invalid, .skipped]
        let items = try await journal.addItems(
            states.indices.map {
                Journal.NewItem(target: .users, match: .upn, key: "u\($0)@contoso.com", fingerprint: "f")
            },
            run: second.run.id)
        for (item, state) in zip(items, states) {
            var update = Journal.ItemUpdate(state)
            update.photo = PhotoFacts(sourceSHA256: "sha\(item.id)")
            try await journal.record(update, item: item.id)
        }
        return second.run.id
    }

    @Test func showsTheLatestRunAndTotalsAsText() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/j.journal"
        let runID = try await makeJournal(at: path)
        let result = try await PhotoprovProcess.run(["status", "--journal", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("latest run \(runID): upload, running"))
        #expect(result.stdout.contains("policy    allowed: source cloud, no role restriction"))
        #expect(
            result.stdout.contains("items     7: 1 uploaded, 1 unchanged, 2 failed, 1 pending, 2 skipped or invalid"))
        #expect(result.stdout.contains("command   photoprov upload --csv b.csv --client-secret ***"))
        #expect(result.stdout.contains("totals: 2 runs; 3 users with photos"))
        #expect(!result.stdout.contains("hunter2"))
    }

    @Test func printsCountsAsJSON() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/j.journal"
        let runID = try await makeJournal(at: path)
        let result = try await PhotoprovProcess.run(
            ["status", "--json"], currentDirectory: URL(fileURLWithPath: folder))
        #expect(result.status == 2, "the default ./photoprov.journal does not exist here")
        try FileManager.default.moveItem(atPath: path, toPath: folder + "/photoprov.journal")
        try? FileManager.default.moveItem(atPath: path + "-wal", toPath: folder + "/photoprov.journal-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        let json = try await PhotoprovProcess.run(["status", "--json"], currentDirectory: URL(fileURLWithPath: folder))
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts["uploaded"] == 1)
        #expect(counts["unchanged"] == 1)
        #expect(counts["failed"] == 2)
        #expect(counts["pending"] == 1)
        #expect(counts["skipped_invalid"] == 2)
        #expect(counts["total"] == 7)
        let run = try #require(object["latest_run"] as? [String: Any])
        #expect(run["id"] as? Int == Int(runID))
        #expect(run["kind"] as? String == "upload")
        #expect(run["status"] as? String == "running")
        #expect(run["ended_at"] is NSNull)
        #expect(run["verdict"] as? String == "allowed: source cloud, no role restriction")
        #expect((run["started_at"] as? String)?.hasSuffix("Z") == true)
        let totals = try #require(object["totals"] as? [String: Int])
        #expect(totals["runs"] == 2)
        #expect(totals["users_with_photos"] == 3)
        #expect(!json.stdout.contains("hunter2"))
    }

    @Test func emptyJournalAndMissingJournal() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/empty.journal"
        _ = try await Journal.open(at: path)
        let text = try await PhotoprovProcess.run(["status", "--journal", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("no runs yet"))
        #expect(text.stdout.contains("totals: 0 runs; 0 users with photos"))
        let json = try await PhotoprovProcess.run(["status", "--journal", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["latest_run"] is NSNull)
        #expect((object["counts"] as? [String: Int])?["uploaded"] == 0)

        let missing = try await PhotoprovProcess.run(["status", "--journal", folder + "/nope.journal"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no journal at \(folder)/nope.journal"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/nope.journal"), "status never creates a journal")
        let extra = try await PhotoprovProcess.run(["status", "extra"])
        #expect(extra.status == 2)
    }

    @Test func helpListsStatusButNotTheHiddenStressCommand() async throws {
        let help = try await PhotoprovProcess.run(["--help"])
        #expect(help.stdout.contains("status"))
        #expect(!help.stdout.contains("__journal-stress"))
        let statusHelp = try await PhotoprovProcess.run(["status", "--help"])
        #expect(statusHelp.stdout.contains("--journal PATH"))
        #expect(statusHelp.stdout.contains("--json"))
    }
}
