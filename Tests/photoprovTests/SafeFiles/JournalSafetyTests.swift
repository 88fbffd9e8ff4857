import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The journal as a file under careless and hostile use (issue 12): one run per journal however its path is
/// spelled, no link followed beside it, no other application's database touched, and every unusable journal named
/// with exit code 6.
@Suite struct JournalSafetyTests {
    /// A dry run offline on `journal`: needs no tenant, so only the journal decides whether it may start.
    private func dryRun(_ batch: Batch, journal: String) async throws -> WatchedChild.Output {
        try await WatchedChild.run(["upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal", journal])
    }

    @Test func aSecondRunIsRefusedUnderEverySpellingOfTheJournalsPath() async throws {
        let batch = try await Batch.make(count: 1)
        // Every Graph request of the first run hangs for ten minutes: it holds the journal until it is killed.
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--slow-rate", "1", "--slow-ms", "600000"])
        defer { emulator.stop() }
        try FileManager.default.createDirectory(atPath: batch.path("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: batch.path("folder-link"), withDestinationPath: batch.directory.path)
        let first = try PhotoprovProcess.start(
            ["upload", "--csv", batch.csv, "--journal", batch.journal], environment: emulator.environment)
        defer { first.signal(SIGKILL) }
        // The run lock is taken before sign-in and the policy check: once the check's GET has arrived, it is held.
        let (_, response) = try await URLSession.shared.data(
            from: URL(string: emulator.baseURL.absoluteString + "/_emulator/wait?arrived=1&method=GET&timeout=300")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "the first run never asked for the policy")

        let busy = "is in use by another photoprov run (pid \(first.pid))"
        let spellings: [(path: String, refusal: String, make: () throws -> Void)] = [
            (batch.journal, busy, {}),
            (batch.path("sub/../photoprov.journal"), busy, {}),
            (batch.path("folder-link/photoprov.journal"), busy, {}),
            (
                batch.path("journal-link"), "journal-link: it is a symbolic link",
                {
                    try FileManager.default.createSymbolicLink(
                        atPath: batch.path("journal-link"), withDestinationPath: batch.journal)
                }
            ),
            // Last: from here on the journal itself has two names.
            (
                batch.path("journal-hardlink"), "journal-hardlink: it has 2 hard links",
                {
                    try FileManager.default.linkItem(atPath: batch.journal, toPath: batch.path("journal-hardlink"))
                }
            ),
        ]
        for (path, refusal, make) in spellings {
            try make()
            let second = try await dryRun(batch, journal: path)
            #expect(second.status == 6, "\(path): \(second.stdout) \(second.stderr)")
            #expect(second.stderr.contains(refusal), "\(path): \(second.stderr)")
            #expect(!second.stdout.contains("dry run"), "\(path) started a second run: \(second.stdout)")
        }
        #expect(!first.hasExited, "the first run must still hold the journal")
    }

    @Test(arguments: ["-lock", "-wal", "-shm", "-journal"])
    func aLinkPlantedBesideTheJournalIsRefusedAndItsTargetKeptAsItWas(_ suffix: String) async throws {
        let batch = try await Batch.make(count: 1)
        let victim = batch.path("victim.conf")
        try batch.write("victim.conf", "precious settings\n")
        chmod(victim, 0o644)
        let before = try snapshot(victim)
        try FileManager.default.createSymbolicLink(atPath: batch.journal + suffix, withDestinationPath: victim)
        let run = try await dryRun(batch, journal: batch.journal)
        #expect(run.status == 6, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("photoprov.journal\(suffix) is a symbolic link"), "\(run.stderr)")
        let after = try snapshot(victim)
        #expect(after.bytes == before.bytes && after.mode == before.mode, "the link's target was changed")
    }

    /// Another application's SQLite file, made by Python's sqlite3 (the emulator's interpreter).
    @Test(arguments: [0, 0x4750_4B47])  // no application_id; GeoPackage's
    func anotherApplicationsDatabaseIsRefusedUntouched(_ applicationID: Int) async throws {
        let batch = try await Batch.make(count: 1)
        let other = batch.path("inventory.db")
        try await ChildProcess.tool(
            "python3",
            [
                "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("PRAGMA application_id = \(applicationID)")
                db.execute("CREATE TABLE parts (name TEXT, count INTEGER)")
                db.execute("INSERT INTO parts VALUES ('bolt', 12)")
                db.commit()
                """,
                other,
            ])
        chmod(other, 0o644)
        let before = try snapshot(other)
        let run = try await dryRun(batch, journal: other)
        #expect(run.status == 6, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("inventory.db is not a photoprov journal"), "\(run.stderr)")
        let after = try snapshot(other)
        #expect(after.bytes == before.bytes, "the database's bytes changed")
        #expect(after.mode == 0o644, "the database was chmodded to \(String(after.mode, radix: 8))")
        for suffix in ["-wal", "-shm", "-lock"] {
            #expect(!FileManager.default.fileExists(atPath: other + suffix), "\(suffix) was created beside it")
        }
    }

    @Test func aPhotoprovJournalWithoutTheMarkIsRecognisedByItsTablesAndMarked() async throws {
        let batch = try await Batch.make(count: 1)
        let first = try await dryRun(batch, journal: batch.journal)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        // As journals made before photoprov marked them: no application_id.
        let marked =
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA application_id').fetchone()[0])"
        let clear =
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
            + "db.execute('PRAGMA application_id = 0'); db.commit()"
        #expect(try await ChildProcess.tool("python3", ["-c", marked, batch.journal]) != Data("0\n".utf8))
        try await ChildProcess.tool("python3", ["-c", clear, batch.journal])
        #expect(try await ChildProcess.tool("python3", ["-c", marked, batch.journal]) == Data("0\n".utf8))

        let again = try await dryRun(batch, journal: batch.journal)
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(again.stdout.contains("dry run 2 finished"), "the old journal's run 1 must be kept: \(again.stdout)")
        let id = String(decoding: try await ChildProcess.tool("python3", ["-c", marked, batch.journal]), as: UTF8.self)
        #expect(id == "\(0x7070_7276)\n", "the journal was not marked: application_id \(id)")
    }

    @Test(arguments: ["garbage", "folder", "fifo"])
    func anUnusableJournalExitsSixNamingTheFileAndTheProblem(_ kind: String) async throws {
        let batch = try await Batch.make(count: 1)
        let journal = batch.path("broken.journal")
        let expected: String
        switch kind {
        case "garbage":
            try batch.write("broken.journal", "this is not a database, it is a shopping list\n")
            expected = "broken.journal is not a photoprov journal: it is not an SQLite database"
        case "folder":
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
            expected = "broken.journal: it is a folder, not a journal file"
        default:
            #expect(mkfifo(journal, 0o600) == 0)
            expected = "broken.journal: it is a named pipe (FIFO), not a journal file"
        }
        let run = try await dryRun(batch, journal: journal)
        #expect(!run.hung, "photoprov waited on the \(kind) journal")
        #expect(run.status == 6, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }

    @Test func aJournalOnAReadOnlyFileSystemIsNamedAsSuch() async throws {
        let batch = try await Batch.make(count: 1)
        guard let mount = try await TemporaryMount(in: batch, options: "size=1m") else { return }
        defer { withExtendedLifetime(mount) {} }  // mounted until the end of the test
        let journal = mount.path + "/photoprov.journal"
        #expect(try await dryRun(batch, journal: journal).status == 0)
        try await mount.remount("ro")
        let run = try await dryRun(batch, journal: journal)
        #expect(run.status == 6, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("cannot be opened for writing: read-only file system"), "\(run.stderr)")
    }

    @Test func aFullDiskStopsTheRunWithTheJournalsCodeAndSaysToFreeSpace() async throws {
        let batch = try await Batch.make(count: 0)
        // 3,000 rows of invalid photos: only the journal grows, and 64 KB cannot hold them.
        try batch.write(
            "people.csv",
            "upn,photo\n"
                + (1...3000).map { "user\($0)@contoso.example,missing-\($0).jpg" }
                .joined(separator: "\n") + "\n")
        guard let mount = try await TemporaryMount(in: batch, options: "size=64k") else { return }
        defer { withExtendedLifetime(mount) {} }  // mounted until the end of the test
        let run = try await dryRun(batch, journal: mount.path + "/photoprov.journal")
        #expect(run.status == 6, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("photoprov.journal"), "\(run.stderr)")
        #expect(run.stderr.contains("the disk is full: free space"), "\(run.stderr)")
    }

    @Test func reportOfARunTheJournalDoesNotHoldIsAUsageError() async throws {
        let batch = try await Batch.make(count: 1)
        #expect(try await dryRun(batch, journal: batch.journal).status == 0)
        let run = try await WatchedChild.run([
            "report", "--journal", batch.journal, "--run", "999", "--out", batch.path("r"),
        ])
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("has no run 999"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: batch.path("r/report.html")))
    }
}

/// A small tmpfs mounted in a batch folder (root only), unmounted when released; `nil` with a `SKIP:` line when
/// this machine cannot mount one.
final class TemporaryMount {
    let path: String

    init?(in batch: Batch, options: String) async throws {
        path = batch.path("mount")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["mount", "-t", "tmpfs", "-o", options, "tmpfs", path])
        guard mounted.status == 0 else {
            print("SKIP: cannot mount a tmpfs here (needs root): \(mounted.stderrText)")
            return nil
        }
    }

    /// Remounts with `options`, e.g. `ro`.
    func remount(_ options: String) async throws {
        try await ChildProcess.tool("mount", ["-o", "remount,\(options)", path])
    }

    deinit { umount2(path, Int32(MNT_DETACH)) }
}
