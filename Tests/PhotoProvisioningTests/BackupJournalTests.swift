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

    @Test func aSchemaFourJournalGainsTheBackupTablesAndKeepsItsRecords() async throws {
        let folder = try Folder()
        let reception = Mailbox(user: "reception@x", folder: "Suppliers")
        do {
            let old = try SQLiteConnection(path: folder.journal, create: true)
            for step in JournalSchema.migrations[0..<4] { try old.execute(step) }
            try old.execute("PRAGMA user_version = 4")
            try old.execute(
                """
                INSERT INTO runs (id, kind, command_key, arguments, verdict, started_at, status) \
                VALUES (1, 'upload', 'k', '[]', 'allowed', '2026-11-22T06:00:00.000Z', 'completed');
                INSERT INTO items (run_id, action, target, match, key, state, source_sha256, fingerprint, created_at, \
                updated_at) VALUES (1, 'upload', 'users', 'upn', 'a@x', 'uploaded', 's', 'f', \
                '2026-11-22T06:00:00.000Z', '2026-11-22T06:00:00.000Z');
                INSERT INTO items (run_id, action, target, match, mailbox, contact_folder, key, resolved_id, state, \
                created_at, updated_at) VALUES (1, 'upload', 'contacts', 'email', 'reception@x', 'Suppliers', 'c@y', \
                'AAMk=', 'pending', '2026-11-22T06:00:00.000Z', '2026-11-22T06:00:00.000Z');
                INSERT INTO last_upload (target, match, key, source_sha256, fingerprint, uploaded_at, run_id, item_id) \
                VALUES ('users', 'upn', 'a@x', 's', 'f', '2026-11-22T06:00:00.000Z', 1, 1);
                INSERT INTO source_files (path, size, mtime_ns, ctime_ns, inode, device, sha256, run_id, hashed_at) \
                VALUES ('/p/a.jpg', 10, 1, 2, 3, 4, 's', 1, '2026-11-22T06:00:00.000Z');
                """)
        }
        let journal = try await Journal.open(at: folder.journal)
        #expect(try await journal.schemaVersion() == JournalSchema.version)
        #expect(
            JournalSchema.migrations[4].contains("CREATE TABLE backups"),
            "backups are step 5, after contacts (3) and the stat cache (4)")
        let last = try #require(try await journal.lastUpload(target: .users, match: .upn, key: "a@x"))
        #expect(last.sourceSHA256 == "s" && last.etag == nil, "no ETag was read before: nothing to compare")
        #expect(try await journal.items(run: 1).map(\.state) == [.uploaded, .pending])
        #expect(try await journal.run(id: 1)?.restoresRun == nil)
        #expect(try await journal.backups(run: 1).isEmpty)
        #expect(try await journal.totals().backups == Journal.BackupTotals())
        #expect(try await journal.sourceFile(at: "/p/a.jpg")?.sha256 == "s", "the stat cache is kept")

        // A backup taken for the contact carries its mailbox and folder, so a restore finds the same contact.
        let contact = try #require(try await journal.items(run: 1).first { $0.target == .contacts })
        let backup = try await journal.recordBackup(
            item: contact.id, photo: Journal.BackupPhoto(bytes: Data([1, 2, 3]), contentType: "image/jpeg", etag: "e"))
        #expect(backup.mailbox == reception && backup.key == "c@y" && backup.resolvedID == "AAMk=")
        #expect(try await journal.integrityCheck() == "ok")
    }
}
