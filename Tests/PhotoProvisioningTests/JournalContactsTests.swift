import Foundation
import Testing

@testable import PhotoJournal
@testable import PhotoProvisioning

/// Contacts in the journal: the mailbox and folder are part of an item's identity and of its last upload, and
/// journals of schema 2 are migrated without losing what they know.
@Suite struct JournalContactsTests {
    private static func temporaryJournal() throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "photoprov-contacts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (folder, folder.appendingPathComponent("photoprov.journal").path)
    }

    @Test func anAddressInTwoMailboxesOrFoldersIsTwoContactsWithTheirOwnLastUpload() async throws {
        let (folder, path) = try Self.temporaryJournal()
        defer { try? FileManager.default.removeItem(at: folder) }
        let journal = try await Journal.open(at: path)
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run.id
        let reception = Mailbox(user: "reception@contoso.com")
        let suppliers = Mailbox(user: "reception@contoso.com", folder: "Suppliers")
        let frontDesk = Mailbox(user: "front.desk@contoso.com")
        let key = "one@fabrikam.example"
        let planned =
            [reception, suppliers, frontDesk].map {
                Journal.NewItem(target: .contacts, match: .email, key: key, mailbox: $0, sourcePath: "/p/one.jpg")
            } + [Journal.NewItem(target: .users, match: .upn, key: key, sourcePath: "/p/one.jpg")]
        let items = try await journal.addItems(planned, run: run)
        #expect(Set(items.map(\.id)).count == 4, "one item per mailbox and folder, and the user")
        #expect(items.map(\.mailbox) == [reception, suppliers, frontDesk, nil])
        let again = try await journal.addItems(planned, run: run)
        #expect(again.map(\.id) == items.map(\.id), "planned again, the same items")

        for (index, item) in items.enumerated() {
            var uploaded = Journal.ItemUpdate(.uploaded, photo: PhotoFacts(sourceSHA256: "sha\(index)"))
            uploaded.fingerprint = "f"
            try await journal.record(uploaded, item: item.id)
        }
        #expect(
            try await journal.lastUpload(target: .contacts, match: .email, mailbox: suppliers, key: key)?
                .sourceSHA256 == "sha1")
        #expect(
            try await journal.lastUpload(target: .contacts, match: .email, mailbox: frontDesk, key: key)?
                .sourceSHA256 == "sha2")
        #expect(try await journal.lastUpload(target: .users, match: .upn, key: key)?.sourceSHA256 == "sha3")
        #expect(
            try await journal.lastUpload(target: .contacts, match: .email, key: key) == nil, "contacts have a mailbox")
        #expect(
            try await journal.keysWithPhotos(target: .contacts, match: .email, mailbox: reception).map(\.mailbox)
                == [reception])
        #expect(try await journal.totals().withPhotos == [.contacts: 3, .users: 1])

        // A later run of the default folder that leaves the contact out misses only that folder's contact.
        let next = try await journal.startRun(kind: .upload, commandKey: "k2", arguments: []).run.id
        let missing = try await journal.keysWithPhotos(
            target: .contacts, match: .email, mailbox: reception, notIn: next)
        #expect(missing.map(\.mailbox) == [reception])
        #expect(missing.first?.resolvedID == nil)

        try await journal.record(Journal.ItemUpdate(.removed), item: items[0].id)
        #expect(try await journal.lastUpload(target: .contacts, match: .email, mailbox: reception, key: key) == nil)
        #expect(
            try await journal.lastUpload(target: .contacts, match: .email, mailbox: suppliers, key: key) != nil,
            "forgetting one mailbox's contact keeps the others")
    }

    @Test func aSchemaTwoJournalGainsTheMailboxAndKeepsItsItemsAndLastUploads() async throws {
        let (folder, path) = try Self.temporaryJournal()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let old = try SQLiteConnection(path: path, create: true)
            for step in JournalSchema.migrations[0..<2] { try old.execute(step) }
            try old.execute("PRAGMA user_version = 2")
            try old.execute(
                """
                INSERT INTO runs (id, kind, command_key, arguments, started_at, status) \
                VALUES (1, 'upload', 'k', '[]', '2026-11-22T06:00:00.000Z', 'completed');
                INSERT INTO items (id, run_id, action, target, match, key, state, source_sha256, fingerprint, \
                created_at, updated_at) VALUES (1, 1, 'upload', 'users', 'upn', 'a@x.com', 'uploaded', 'sha', 'f', \
                '2026-11-22T06:00:00.000Z', '2026-11-22T06:00:00.000Z');
                INSERT INTO last_upload (target, match, key, resolved_id, source_sha256, fingerprint, uploaded_at, \
                run_id, item_id) VALUES ('users', 'upn', 'a@x.com', 'id-a', 'sha', 'f', '2026-11-22T06:00:00.000Z', \
                1, 1);
                """)
        }
        let journal = try await Journal.open(at: path)
        #expect(try await journal.schemaVersion() == JournalSchema.version)
        #expect(try await journal.integrityCheck() == "ok")
        let last = try #require(try await journal.lastUpload(target: .users, match: .upn, key: "a@x.com"))
        #expect(last.resolvedID == "id-a")
        #expect(last.mailbox == nil)
        #expect(try await journal.item(id: 1)?.mailbox == nil)
        #expect(try await journal.item(id: 1)?.state == .uploaded)

        // The rebuilt last_upload still takes new uploads under the new key.
        let run = try await journal.startRun(kind: .upload, commandKey: "k", arguments: []).run.id
        let contact = try #require(
            try await journal.addItems(
                [Journal.NewItem(target: .contacts, match: .email, key: "a@x.com", mailbox: Mailbox(user: "m@x.com"))],
                run: run
            ).first)
        try await journal.record(Journal.ItemUpdate(.uploaded), item: contact.id)
        #expect(try await journal.totals().withPhotos == [.users: 1, .contacts: 1])
    }
}
