import Foundation
import TestSupport
import Testing

/// `--remove-missing` against a careless nightly export: a source that may not be whole, or that would take more
/// than `--max-removals` photos, removes none (exit 7); another source's users are never touched.
@Suite struct RemoveMissingTests {
    private func upload(_ batch: Batch, _ emulator: Emulator, _ extra: [String] = [], csv: String? = nil)
        async throws -> PhotoprovProcess.Output
    {
        try await PhotoprovProcess.run(
            ["upload", "--csv", csv ?? batch.csv, "--journal", batch.journal] + extra, environment: emulator.environment
        )
    }

    /// The users of `batch` that still have a photo in the emulator.
    private func withPhotos(_ batch: Batch, _ emulator: Emulator) async throws -> Int {
        var count = 0
        for upn in batch.upns where try await emulator.user(upn)["sha256"] is String { count += 1 }
        return count
    }

    /// 50 users uploaded by a first run of `batch.csv`.
    private func uploaded() async throws -> (Batch, Emulator) {
        let batch = try await Batch.make(count: 50)
        let emulator = try await Emulator.start(["--users-csv", batch.csv])
        let first = try await upload(batch, emulator)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        return (batch, emulator)
    }

    private func rows(_ batch: Batch, _ range: Range<Int>) -> String {
        range.map { "\(batch.upns[$0]),user\(String(format: "%04d", $0 + 1)).jpg\n" }.joined()
    }

    @Test func aHeaderOnlyOrTruncatedExportRemovesNothing() async throws {
        let (batch, emulator) = try await uploaded()
        for (name, text) in [("header only", "upn,photo\n"), ("5 of 50 rows", "upn,photo\n" + rows(batch, 0..<5))] {
            try batch.write("people.csv", text)
            let run = try await upload(batch, emulator, ["--remove-missing"])
            #expect(run.status == 7, "\(name): \(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("--remove-missing removed nothing"), "\(name): \(run.stdout)")
            #expect(run.stdout.contains("more than --max-removals 10% allows (5)"), "\(name): \(run.stdout)")
            #expect(try await withPhotos(batch, emulator) == 50, "\(name): no photo deleted")
        }
    }

    @Test func anUnclosedQuoteRefusesRemovalEvenWithinTheCap() async throws {
        let (batch, emulator) = try await uploaded()
        // Line 2 opens a quote that never closes: the other 49 rows are never read.
        try batch.write("people.csv", "upn,photo\n\"\(batch.upns[0]),user0001.jpg\n" + rows(batch, 1..<50))
        let run = try await upload(batch, emulator, ["--remove-missing", "--max-removals", "100%"])
        #expect(run.status == 7, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("the source was not read to its end (line 2"), "\(run.stdout)")
        #expect(try await withPhotos(batch, emulator) == 50)
        let journal = try await batch.openJournal()
        let latest = try #require(try await journal.latestRun())
        let removals = try await journal.items(run: latest.id).filter { $0.action == .remove }
        #expect(removals.count == 50 && removals.allSatisfy { $0.state == .skipped })
        #expect(removals.first?.reason?.hasPrefix("not removed: the source was not read to its end") == true)
    }

    @Test func aSecondSourceOnTheSameJournalNeverRemovesTheFirstOnesUsers() async throws {
        let (batch, emulator) = try await uploaded()
        // Another CSV in the same folder names other users, with the same journal.
        let other = batch.path("contractors.csv")
        try batch.write("contractors.csv", "upn,photo\nada.contractor@contoso.example,user0001.jpg\n")
        let run = try await upload(batch, emulator, ["--remove-missing"], csv: other)
        #expect(run.status == 1, "ada.contractor is not in the tenant: \(run.stdout) \(run.stderr)")
        #expect(!run.stdout.contains("removed"), "\(run.stdout)")
        #expect(try await withPhotos(batch, emulator) == 50)
    }

    @Test func removalsWithinTheCapGoAndADryRunSaysWhetherTheCapWouldStopThem() async throws {
        let (batch, emulator) = try await uploaded()
        // Three of fifty gone: 6%, within the default 10%.
        try batch.write("people.csv", "upn,photo\n" + rows(batch, 3..<50))
        let report = batch.path("preview")
        let preview = try await upload(batch, emulator, ["--remove-missing", "--dry-run", "--report", report])
        #expect(preview.status == 0, "\(preview.stdout) \(preview.stderr)")
        #expect(preview.stdout.contains("would-remove \(batch.upns[0])"), "\(preview.stdout)")
        // Stricter than three: the dry run says the real run would remove nothing, and exits as it would.
        let capped = try await upload(batch, emulator, ["--remove-missing", "--dry-run", "--max-removals", "2"])
        #expect(capped.status == 7, "\(capped.stdout) \(capped.stderr)")
        #expect(capped.stdout.contains("--remove-missing would remove nothing: 3 of the 50 photos"), "\(capped.stdout)")
        #expect(try await withPhotos(batch, emulator) == 50, "dry runs delete nothing")
        let removed = try await upload(batch, emulator, ["--remove-missing"])
        #expect(removed.status == 0, "\(removed.stdout) \(removed.stderr)")
        #expect(removed.stdout.contains("3 removed"), "\(removed.stdout)")
        #expect(try await withPhotos(batch, emulator) == 47)
    }

    @Test(arguments: [["--dry-run", "--offline"], ["--dry-run"], []])
    func removeMissingWithTeamsIsAUsageErrorThatSaysWhyAndWhatToDo(extra: [String]) async throws {
        let batch = try await Batch.make(count: 0)
        try batch.write("teams.csv", "id,photo\n4f1c1b5e-8f0b-4c47-9a4e-2f6d3c1a0b9e,team.jpg\n")
        let run = try await PhotoprovProcess.run(
            [
                "upload", "--csv", batch.path("teams.csv"), "--target", "teams", "--journal", batch.journal,
                "--remove-missing",
            ] + extra)
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(
            run.stderr.contains(
                "--remove-missing cannot be used with --target teams: graph cannot delete a team's photo (its "
                    + "profilePhoto delete takes users and groups only); remove it in Teams; run without "
                    + "--remove-missing"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: batch.journal), "refused before the journal is opened")
    }
}
