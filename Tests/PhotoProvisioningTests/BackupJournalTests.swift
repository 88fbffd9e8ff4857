import Foundation
import Testing

@testable import PhotoJournal
@testable import PhotoProvisioning

/// The journal's backups: stored once per SHA-256, migrated into older journals, pruned by age without touching
/// what an unfinished run still needs, and with the journal's own rules (0600, a sound file).
@Suite struct BackupJournalTests {
    private final class Folder {
        let path = NSTemporaryDirectory() + "photoprov-backups-\(UUID().uuidString)"
        var journal: String { path + "/photoprov.journal" }
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    private static func photo(_ text: String, count: Int = 20_000) -> Journal.BackupPhoto {
        Journal.BackupPhoto(
            bytes: Data(String(repeating: text, count: count).utf8), contentType: "image/jpeg", etag: "\"\(text)\"")
    }

    /// A run of `keys`, each backed up with `photo(key)` (nil: had none), the items left in `state`.
    private func run(
        _ journal: Journal, keys: [String], photo: (String) -> Journal.BackupPhoto?, state: ItemState = .uploaded
    ) async throws -> Int64 {
        let start = try await journal.startRun(kind: .upload, commandKey: UUID().uuidString, arguments: [])
        for item in try await journal.addItems(keys.map { Journal.NewItem(key: $0) }, run: start.run.id) {
            try await journal.recordBackup(item: item.id, photo: photo(item.key))
            try await journal.record(Journal.ItemUpdate(state), item: item.id)
        }
        if !state.needsWork { try await journal.finishRun(start.run.id, status: .completed) }
        return start.run.id
    }

    @Test func theSameBytesAreStoredOnceWhoeverHadThem() async throws {
        let folder = try Folder()
        let journal = try await Journal.open(at: folder.journal)
        let shared = Self.photo("a")
        _ = try await run(journal, keys: ["a@x", "b@x", "c@x", "d@x"]) { key in key == "d@x" ? nil : shared }
        let totals = try await journal.totals().backups
        #expect(totals.count == 4 && totals.photos == 3 && totals.distinctPhotos == 1)
        #expect(totals.bytes == shared.bytes.count)
        #expect(try await journal.backupPhoto(sha256: shared.sha256) == shared.bytes)
    }

    @Test func pruningDropsOldBackupsButNotThoseAnUnfinishedRunStillNeeds() async throws {
        let folder = try Folder()
        let journal = try await Journal.open(at: folder.journal)
        let done = try await run(journal, keys: ["a@x", "b@x"]) { Self.photo($0) }
        let waiting = try await run(journal, keys: ["c@x"], photo: { Self.photo($0) }, state: .uploading)
        try await journal.finishRun(waiting, status: .interrupted)
        let before = try await journal.totals().backups
        #expect(before.count == 3 && before.distinctPhotos == 3)

        let dry = try await journal.pruneBackups(olderThan: Date(timeIntervalSinceNow: 60), dryRun: true)
        #expect(dry.backups == 2 && dry.photos == 2 && dry.bytes == 2 * Self.photo("a@x").bytes.count)
        #expect(try await journal.totals().backups == before, "a dry run drops nothing")
        #expect(try await journal.pruneBackups(olderThan: Date(timeIntervalSinceNow: -3600)).backups == 0)

        let pruned = try await journal.pruneBackups(olderThan: Date(timeIntervalSinceNow: 60))
        #expect(pruned.backups == 2 && pruned.photos == 2)
        #expect(pruned.fileBytesAfter < pruned.fileBytesBefore, "\(pruned)")
        #expect(try await journal.backups(run: done).isEmpty)
        #expect(try await journal.backups(run: waiting).count == 1, "its write is still to come")
        #expect(try await journal.integrityCheck() == "ok")
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: folder.journal + suffix) {
            let mode = try FileManager.default.attributesOfItem(atPath: folder.journal + suffix)[.posixPermissions]
            #expect((mode as? NSNumber)?.intValue == 0o600, "journal\(suffix) stays private")
        }
    }

    @Test func pruningWaitsForNoRunAndRefusesWhileOneHoldsTheJournal() async throws {
        let folder = try Folder()
        let running = try await Journal.open(at: folder.journal)
        _ = try await running.startRun(kind: .upload, commandKey: "k", arguments: [])
        let other = try await Journal.open(at: folder.journal)
        await #expect(throws: JournalError.self) { _ = try await other.pruneBackups(olderThan: Date()) }
    }

    @Test func aSchemaTwoJournalGainsTheBackupTablesAndKeepsItsRecords() async throws {
        let folder = try Folder()
        do {
            let old = try SQLiteConnection(path: folder.journal, create: true)
            try old.execute(JournalSchema.migrations[0])
            try old.execute(JournalSchema.migrations[1])
            try old.execute("PRAGMA user_version = 2")
            try old.execute(
                """
                INSERT INTO runs (id, kind, command_key, arguments, verdict, started_at, status) \
                VALUES (1, 'upload', 'k', '[]', 'allowed', '2026-11-22T06:00:00.000Z', 'completed');
                INSERT INTO items (run_id, action, target, match, key, state, source_sha256, fingerprint, created_at, \
                updated_at) VALUES (1, 'upload', 'users', 'upn', 'a@x', 'uploaded', 's', 'f', \
                '2026-11-22T06:00:00.000Z', '2026-11-22T06:00:00.000Z');
                INSERT INTO last_upload (target, match, key, source_sha256, fingerprint, uploaded_at, run_id, item_id) \
                VALUES ('users', 'upn', 'a@x', 's', 'f', '2026-11-22T06:00:00.000Z', 1, 1);
                """)
        }
        let journal = try await Journal.open(at: folder.journal)
        #expect(try await journal.schemaVersion() == JournalSchema.version)
        let last = try #require(try await journal.lastUpload(target: .users, match: .upn, key: "a@x"))
        #expect(last.sourceSHA256 == "s" && last.etag == nil, "no ETag was read before: nothing to compare")
        #expect(try await journal.items(run: 1).map(\.state) == [.uploaded])
        #expect(try await journal.run(id: 1)?.restoresRun == nil)
        #expect(try await journal.backups(run: 1).isEmpty)
        #expect(try await journal.totals().backups == Journal.BackupTotals())
        #expect(try await journal.integrityCheck() == "ok")
    }
}
