import Foundation
import Testing

@testable import PhotoJournal
@testable import PhotoProvisioning

/// Display names and face framing in the journal: stored, read back, and added to older journals by migration.
@Suite struct FramingJournalTests {
    private final class Folder {
        let path = NSTemporaryDirectory() + "photoprov-framing-\(UUID().uuidString)"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        var journal: String { path + "/photoprov.journal" }
    }

    @Test func displayNamesAndFramingAreStoredAndReadBack() async throws {
        let folder = try Folder()
        let journal = try await Journal.open(at: folder.journal)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run.id
        let added = try await journal.addItems(
            [
                Journal.NewItem(key: "a@contoso.com", displayName: "Adele Vance", sourcePath: "/a.jpg"),
                Journal.NewItem(key: "b@contoso.com", sourcePath: "/b.jpg"),
                Journal.NewItem(key: "c@contoso.com", sourcePath: "/c.jpg"),
                Journal.NewItem(key: "d@contoso.com", sourcePath: "/d.jpg"),
            ], run: run)
        #expect(added.map(\.displayName) == ["Adele Vance", nil, nil, nil])
        let framed = FaceFraming(
            faceCount: 1, face: FaceBox(x: -12.5, y: 40.25, width: 300, height: 301.5), flags: [.faceAtEdge])
        let group = FaceFraming(faceCount: 3, face: nil, flags: [.severalFaces])
        let clean = FaceFraming(faceCount: 1, face: FaceBox(x: 1, y: 2, width: 3, height: 4), flags: [])
        for (item, framing) in zip(added, [framed, group, clean, nil]) {
            let photo = PhotoFacts(sourceSHA256: "sha", sourceFormat: "jpeg", framing: framing)
            try await journal.record(Journal.ItemUpdate(.converted, photo: photo), item: item.id)
        }
        let stored = try await journal.items(run: run)
        #expect(stored.map(\.photo.framing) == [framed, group, clean, nil])
        #expect(stored.first?.displayName == "Adele Vance")
        // Converted again without faces (--crop square): the framing is gone, not left from before.
        try await journal.record(
            Journal.ItemUpdate(.converted, photo: PhotoFacts(sourceSHA256: "sha")), item: added[0].id)
        #expect(try await journal.item(id: added[0].id)?.photo.framing == nil)
    }

    /// Step 6 adds the columns; a journal of version 5 (contacts' mailbox, the stat cache, backups) is brought up to it.
    @Test func aSchemaFiveJournalGainsTheColumnsAndKeepsItsItems() async throws {
        let folder = try Folder()
        do {
            let old = try SQLiteConnection(path: folder.journal, create: true)
            for step in JournalSchema.migrations[0..<5] { try old.execute(step) }
            try old.execute("PRAGMA user_version = 5")
            try old.execute(
                """
                INSERT INTO runs (id, kind, command_key, arguments, verdict, started_at, status) VALUES (1, 'upload', \
                'k', '[]', 'allowed', '2026-11-22T06:00:00.000Z', 'completed');
                INSERT INTO items (run_id, action, target, match, key, state, source_format, crop_fraction, created_at, \
                updated_at) VALUES (1, 'upload', 'users', 'upn', 'a@x.com', 'uploaded', 'jpeg', 0.25, \
                '2026-11-22T06:00:00.000Z', '2026-11-22T06:00:00.000Z');
                """)
        }
        let journal = try await Journal.open(at: folder.journal)
        #expect(try await journal.schemaVersion() == JournalSchema.version)
        let item = try #require(try await journal.items(run: 1).first)
        #expect(item.key == "a@x.com" && item.state == .uploaded && item.photo.cropFraction == 0.25)
        #expect(item.displayName == nil && item.photo.framing == nil)
        // The new columns take writes.
        let framing = FaceFraming(faceCount: 0, face: nil, flags: [.noFace])
        try await journal.record(Journal.ItemUpdate(.converted, photo: PhotoFacts(framing: framing)), item: item.id)
        #expect(try await journal.item(id: item.id)?.photo.framing == framing)
    }
}
