import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// `photoprov upload` end to end: the built binary against `scripts/graph-emulator` on 127.0.0.1.
@Suite struct UploadTests {
    private func upload(_ batch: Batch, _ emulator: Emulator, _ extra: [String] = [], source: [String]? = nil)
        async throws -> PhotoprovProcess.Output
    {
        try await PhotoprovProcess.run(
            ["upload"] + (source ?? ["--csv", batch.csv]) + ["--journal", batch.journal] + extra,
            environment: emulator.environment)
    }

    private func uploads(_ emulator: Emulator, _ upn: String) async throws -> Int {
        (try await emulator.user(upn)["uploads"] as? NSNumber)?.intValue ?? 0
    }

    @Test func uploadsValidRowsAndNamesEveryInvalidRowWithItsLine() async throws {
        let batch = try await Batch.make(count: 3)
        try Data().write(to: URL(fileURLWithPath: batch.path("empty.jpg")))
        try batch.write("outside.jpg", "")
        try batch.write(
            "people.csv",
            """
            upn,photo
            user0001@contoso.example,user0001.jpg
            user0002@contoso.example,user0002.jpg
            not-an-upn,user0003.jpg
            user0004@contoso.example,missing.jpg
            user0005@contoso.example,empty.jpg
            user0006@contoso.example,user0001.jpg
            user0006@contoso.example,user0002.jpg
            user0007@contoso.example,../escape.jpg
            user0003@contoso.example,user0003.jpg

            """)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let run = try await upload(batch, emulator)
        #expect(run.status == 1, "some rows are invalid: \(run.stdout) \(run.stderr)")
        for (line, words) in [
            (4, "not-an-upn"), (5, "missing.jpg"), (6, "empty"), (7, "duplicate"), (8, "duplicate"),
            (9, "../escape.jpg"),
        ] {
            let row = run.stdout.split(separator: "\n").first { $0.contains("(line \(line))") }
            #expect(row?.contains("invalid") == true && row?.contains(words) == true, "line \(line): \(row ?? "none")")
        }
        for upn in ["user0001@contoso.example", "user0002@contoso.example", "user0003@contoso.example"] {
            #expect(try await uploads(emulator, upn) == 1, "\(upn) uploaded once")
        }
        #expect(try await uploads(emulator, "user0006@contoso.example") == 0)
        let journal = try await batch.openJournal()
        let counts = try await journal.counts(run: 1)
        #expect(counts[.uploaded] == 3)
        #expect(counts[.invalid] == 6)
    }

    @Test func userWhoseUPNBeginsWithADollarIsUploadedAsUsersInParentheses() async throws {
        // Graph requires `/users('$…')` for such names (GraphPath); the emulator routes that form.
        let batch = try await Batch.make(count: 0)
        try Batch.photo(seed: 7).write(to: URL(fileURLWithPath: batch.path("admin.jpg")))
        try batch.write("people.csv", "upn,photo\n$admin@contoso.example,admin.jpg\n")
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let run = try await upload(batch, emulator, ["--debug"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let put = run.stderr.split(separator: "\n").first { $0.contains("-> PUT") }
        #expect(put?.contains("/v1.0/users('%24admin@contoso.example')/photo/$value") == true, "\(put ?? "no PUT")")
        #expect(try await uploads(emulator, "$admin@contoso.example") == 1)
    }

    @Test func secondRunSkipsUnchangedPhotosAndUploadsChangedOnes() async throws {
        let batch = try await Batch.make(count: 5)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        #expect(try await upload(batch, emulator).status == 0)
        try Batch.photo(seed: 99).write(to: URL(fileURLWithPath: batch.path("user0002.jpg")))
        let second = try await upload(batch, emulator)
        #expect(second.status == 0)
        #expect(second.stdout.contains("1 uploaded, 4 unchanged"), "\(second.stdout)")
        #expect(try await uploads(emulator, "user0002@contoso.example") == 2)
        #expect(try await uploads(emulator, "user0001@contoso.example") == 1)
        let forced = try await upload(batch, emulator, ["--force"])
        #expect(forced.stdout.contains("5 uploaded"), "\(forced.stdout)")
        #expect(try await uploads(emulator, "user0001@contoso.example") == 2)
        // Other settings make other photos: a new fingerprint uploads again.
        let resized = try await upload(batch, emulator, ["--max-side", "64"])
        #expect(resized.stdout.contains("5 uploaded"), "\(resized.stdout)")
        #expect(try await emulator.user("user0003@contoso.example")["width"] as? NSNumber == 64)
    }

    @Test func folderSourceMapsAliasesWithDomainAndListsIgnoredFiles() async throws {
        let batch = try await Batch.make(count: 0)
        let folder = batch.directory.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Batch.photo(seed: 1).write(to: folder.appendingPathComponent("adele.vance.JPG"))
        try Batch.photo(seed: 2).write(to: folder.appendingPathComponent("alex.wilber.jpeg"))
        try Data("notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let emulator = try await Emulator.start()
        let run = try await upload(batch, emulator, ["--domain", "contoso.example"], source: ["--dir", folder.path])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("ignored notes.txt"))
        #expect(try await uploads(emulator, "adele.vance@contoso.example") == 1)
        #expect(try await uploads(emulator, "alex.wilber@contoso.example") == 1)
    }

    @Test func employeeIdKeysAreResolvedThroughGraph() async throws {
        let batch = try await Batch.make(count: 0)
        try Batch.photo(seed: 1).write(to: URL(fileURLWithPath: batch.path("a.jpg")))
        try Batch.photo(seed: 2).write(to: URL(fileURLWithPath: batch.path("b.jpg")))
        // The default tenant: adele.vance is E1001, megan.bowen E1003; nobody is E9999.
        try batch.write("hr.csv", "employeeId;photo\nE1001;a.jpg\nE1003;b.jpg\nE9999;a.jpg\n")
        let emulator = try await Emulator.start()
        let run = try await upload(
            batch, emulator, ["--match", "employeeId", "--upn-column", "employeeId"],
            source: ["--csv", batch.path("hr.csv")])
        #expect(run.status == 1, "E9999 is unknown: \(run.stdout)")
        #expect(run.stdout.contains("no user has employeeId 'E9999'"), "\(run.stdout)")
        #expect(try await uploads(emulator, "adele.vance@contoso.example") == 1)
        #expect(try await uploads(emulator, "megan.bowen@contoso.example") == 1)
    }

    @Test func groupAndTeamPhotosAreSetById() async throws {
        let group = "11111111-2222-4333-8444-555555555555"
        let team = "66666666-7777-4888-9999-aaaaaaaaaaaa"
        let batch = try await Batch.make(count: 0)
        try Batch.photo(seed: 3).write(to: URL(fileURLWithPath: batch.path("g.jpg")))
        try batch.write("groups.csv", "id,photo\n\(group),g.jpg\n")
        try batch.write("teams.csv", "id,photo\n\(team),g.jpg\n")
        let emulator = try await Emulator.start(seed: [
            "domain": "contoso.example",
            "apps": [
                [
                    "clientId": "7d1e4c2a-9b3f-4e58-a6d0-1f2b3c4d5e6f", "secrets": ["s3cret-value"],
                    "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"],
                ]
            ],
            "groups": [["id": group, "displayName": "All Company"]],
            "teams": [["id": team, "displayName": "Photo Team"]],
        ])
        let groups = try await upload(
            batch, emulator, ["--target", "groups", "--upn-column", "id"],
            source: ["--csv", batch.path("groups.csv")])
        #expect(groups.status == 0, "\(groups.stdout) \(groups.stderr)")
        let teams = try await upload(
            batch, emulator, ["--target", "teams", "--upn-column", "id"],
            source: ["--csv", batch.path("teams.csv")])
        #expect(teams.status == 0, "\(teams.stdout) \(teams.stderr)")
        let state = try await emulator.state()
        #expect(((state["groups"] as? [String: Any])?[group] as? [String: Any])?["uploads"] as? NSNumber == 1)
        #expect(((state["teams"] as? [String: Any])?[team] as? [String: Any])?["uploads"] as? NSNumber == 1)
    }

    @Test func maxItemsLeavesTheRestForTheNextRun() async throws {
        let batch = try await Batch.make(count: 10)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let first = try await upload(batch, emulator, ["--max-items", "4"])
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.contains("4 uploaded"))
        #expect(first.stdout.contains("6 item(s) left"))
        let second = try await upload(batch, emulator)
        #expect(second.status == 0)
        #expect(second.stdout.contains("resuming (4 already done)"), "\(second.stdout)")
        for upn in batch.upns { #expect(try await uploads(emulator, upn) == 1, "\(upn)") }
    }

    @Test func throttlingAndFaultStormsEndWithEveryItemUploaded() async throws {
        let batch = try await Batch.make(count: 40)
        // A bucket of 10 requests refilled 10 a second: 8 uploads in flight meet a 429 unless the 40 uploads take
        // photoprov over 3 s, several times its usual pace. (A tighter bucket would make the 429 surer but fails
        // items: a throttled attempt counts against --max-attempts.) Faults and drops are drawn from the seed.
        let emulator = try await Emulator.start([
            "--users-csv", batch.csv, "--throttle-rps", "10", "--fault-rate", "0.25", "--drop-rate", "0.05",
            "--random-seed", "7",
        ])
        let run = try await upload(batch, emulator, ["--concurrency", "8", "--request-timeout", "5"])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let requests = try await emulator.requestCounts()
        #expect((requests["429"] ?? 0) > 0, "the storm throttled: \(requests)")
        #expect((requests["503"] ?? 0) + (requests["504"] ?? 0) > 0, "the storm failed some: \(requests)")
        for upn in batch.upns { #expect(try await uploads(emulator, upn) >= 1, "\(upn)") }
        let journal = try await batch.openJournal()
        #expect(try await journal.counts(run: 1)[.uploaded] == 40)
    }

    @Test func sigtermFinishesUploadsInFlightAndExits130ThenResumes() async throws {
        let batch = try await Batch.make(count: 80)
        // 200 ms a request, 4 in flight: the 75 uploads after the signal would need 3.75 s of the emulator's time.
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--latency-ms", "200"])
        let process = try PhotoprovProcess.start(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--concurrency", "4"],
            environment: emulator.environment)
        // Signal when the fifth upload reaches the emulator: uploads are in flight and most of the batch is not.
        try await emulator.signal(SIGTERM, to: process, whenArrived: 5, method: "PUT")
        let output = await process.finished()
        #expect(output.reason == .exit && output.status == 130, "\(output.stdoutText) \(output.stderrText)")
        let journal = try await batch.openJournal()
        let run = try await journal.run(id: 1)
        #expect(run?.status == .interrupted)
        let counts = try await journal.counts(run: 1)
        #expect(counts[.uploaded] >= 5 && counts[.uploaded] < 80, "stopped midway: \(counts)")
        #expect(counts[.uploading] == 0, "uploads in flight finished before exit: \(counts)")
        #expect(try await emulator.arrived(method: "PUT") == counts[.uploaded], "every upload begun was finished")
        let resumed = try await upload(batch, emulator)
        #expect(resumed.status == 0)
        for upn in batch.upns { #expect(try await uploads(emulator, upn) == 1, "\(upn) uploaded exactly once") }
    }

    @Test func blockedPolicyRefusesToStartWithExitThree() async throws {
        let batch = try await Batch.make(count: 2)
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--policy-source", "onPremises"])
        let run = try await upload(batch, emulator)
        #expect(run.status == 3, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("policy: blocked"))
        #expect(try await uploads(emulator, batch.upns[0]) == 0)
        let forced = try await upload(batch, emulator, ["--skip-policy-check"])
        #expect(forced.status == 1, "Graph refuses each photo: \(forced.stdout)")
        #expect(forced.stdout.contains("blocked by"), "\(forced.stdout)")
    }

    @Test func removeMissingDeletesOnlyWhenAsked() async throws {
        let batch = try await Batch.make(count: 3)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        #expect(try await upload(batch, emulator).status == 0)
        try batch.write("people.csv", "upn,photo\nuser0001@contoso.example,user0001.jpg\n")
        let kept = try await upload(batch, emulator)
        #expect(kept.stdout.contains("2 earlier upload(s) not in the source"), "\(kept.stdout)")
        #expect(try await emulator.user("user0002@contoso.example")["sha256"] is String)
        // Two of the three photos this source set: allowed explicitly, above the default --max-removals 10%.
        let dry = try await upload(batch, emulator, ["--remove-missing", "--max-removals", "2", "--dry-run"])
        #expect(dry.stdout.contains("would-remove user0002@contoso.example"), "\(dry.stdout)")
        #expect(try await emulator.user("user0002@contoso.example")["sha256"] is String)
        let removed = try await upload(batch, emulator, ["--remove-missing", "--max-removals", "67%"])
        #expect(removed.status == 0, "\(removed.stdout)")
        #expect(removed.stdout.contains("2 removed"), "\(removed.stdout)")
        #expect(try await emulator.user("user0002@contoso.example")["sha256"] is NSNull)
        #expect(try await emulator.user("user0001@contoso.example")["sha256"] is String)
    }

    @Test func maxDurationStopsTakingItemsAndTheNextRunContinues() async throws {
        let batch = try await Batch.make(count: 40)
        // 500 ms a request, 2 in flight: the batch needs at least 10 s of the emulator's time, far past the limit
        // however slow the machine (a slow machine only uploads fewer before the limit).
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--latency-ms", "500"])
        let first = try await upload(
            batch, emulator, ["--max-duration", "1s", "--concurrency", "2", "--log-format", "json"])
        #expect(first.status == 0, "a time limit is not a failure: \(first.stdout) \(first.stderr)")
        let events = first.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(events.count == first.stdout.split(separator: "\n").count, "every line is JSON: \(first.stdout)")
        #expect(events.contains { $0["event"] as? String == "stopping" && $0["reason"] as? String == "time limit" })
        let summary = events.last { $0["event"] as? String == "summary" }
        let counts = summary?["counts"] as? [String: Any] ?? [:]
        let uploaded = (counts["uploaded"] as? NSNumber)?.intValue ?? -1
        #expect(uploaded >= 0 && uploaded < 40, "stopped early: \(counts)")
        #expect((counts["pending"] as? NSNumber)?.intValue == 40 - uploaded)
        #expect(try await emulator.arrived(method: "PUT") == uploaded, "every upload begun was finished")
        let second = try await upload(batch, emulator)
        #expect(second.status == 0)
        #expect(second.stdout.contains("resuming (\(uploaded) already done)"), "\(second.stdout)")
        for upn in batch.upns { #expect(try await uploads(emulator, upn) == 1, "\(upn)") }
    }

    @Test func unreadableSourcesAndBadArgumentsExitTwoBeforeAnyUpload() async throws {
        let batch = try await Batch.make(count: 1)
        try batch.write("nophoto.csv", "upn,name\nuser0001@contoso.example,Ada\n")
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let missing = try await upload(batch, emulator, source: ["--csv", batch.path("nope.csv")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.csv"), "\(missing.stderr)")
        let noColumn = try await upload(batch, emulator, source: ["--csv", batch.path("nophoto.csv")])
        #expect(noColumn.status == 2)
        #expect(noColumn.stderr.contains("no photo column"), "\(noColumn.stderr)")
        let both = try await upload(batch, emulator, source: ["--csv", batch.csv, "--dir", batch.directory.path])
        #expect(both.status == 2)
        let offline = try await upload(batch, emulator, ["--offline"])
        #expect(offline.status == 2)
        #expect(offline.stderr.contains("--offline needs --dry-run"))
        #expect(try await uploads(emulator, "user0001@contoso.example") == 0)
    }
}
