import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// Backups and restore for every target beside users, through the binary against the emulator: a contact's photo
/// comes back byte for byte, and where Graph has no DELETE (contacts, teams) "had no photo" cannot be put back, which
/// the restore reports as a failure with its reason instead of sending a request Graph refuses.
@Suite struct RestoreTargetsTests {
    private typealias Tenant = ContactsTenant

    private static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
    }

    private static func counts(_ report: [String: Any]) -> [String: Int] {
        ((report["run"] as? [String: Any])?["counts"] as? [String: Any] ?? [:]).compactMapValues {
            ($0 as? NSNumber)?.intValue
        }
    }

    @Test func aContactsPhotoIsBackedUpAndRestoredAndOneThatHadNoneIsReportedNotDeleted() async throws {
        let batch = try await Batch.make(count: 0)
        let theirs = try Batch.photo(seed: 500, side: 64)
        try theirs.write(to: URL(fileURLWithPath: batch.path("theirs.jpg")))
        var seed = Tenant.seed(guests: 1)
        var users = seed["users"] as? [[String: Any]] ?? []
        var contacts = users[0]["contacts"] as? [[String: Any]] ?? []
        let visitor = try #require(contacts.firstIndex { $0["id"] as? String == Tenant.visitorID })
        contacts[visitor]["photo"] = batch.path("theirs.jpg")
        users[0]["contacts"] = contacts
        seed["users"] = users
        let emulator = try await Emulator.start(seed: seed)
        func sha(_ id: String) async throws -> String? {
            Tenant.contact(id, of: Tenant.reception, in: try await emulator.state())["sha256"] as? String
        }
        #expect(try await sha(Tenant.visitorID) == Digest.sha256Hex(theirs), "the visitor has a photo of their own")
        #expect(try await sha(Tenant.guestID(0)) == nil)

        for (name, seed) in [("ours.jpg", 1), ("guest.jpg", 2)] {
            try Batch.photo(seed: seed).write(to: URL(fileURLWithPath: batch.path(name)))
        }
        try batch.write(
            "people.csv", "email,photo\n\(Tenant.visitorAddress),ours.jpg\n\(Tenant.guestAddress(0)),guest.jpg\n")
        let contactsRun = ["--target", "contacts", "--mailbox", Tenant.reception]
        // A manual backup first: the visitor's exact bytes, named by the address; the guest has none.
        let exported = try await PhotoprovProcess.run(
            ["export", "--csv", batch.path("people.csv"), "--out", batch.path("before")] + contactsRun,
            environment: emulator.environment)
        #expect(exported.status == 0, "\(exported.stdout) \(exported.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: batch.path("before/\(Tenant.visitorAddress).jpg"))) == theirs)
        #expect(exported.stdout.contains("no-photo \(Tenant.guestAddress(0))"), "\(exported.stdout)")
        #expect(try await emulator.arrived(method: "PUT") == 0, "an export changes nothing")
        let upload = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.path("people.csv"), "--journal", batch.journal] + contactsRun,
            environment: emulator.environment)
        #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
        let uploaded = try await sha(Tenant.visitorID)
        #expect(uploaded != nil && uploaded != Digest.sha256Hex(theirs), "replaced")

        let journal = try await batch.openJournal()
        let backups = try await journal.backups(run: 1)
        let visitorBackup = try #require(backups.first { $0.key == Tenant.visitorAddress })
        #expect(visitorBackup.sha256 == Digest.sha256Hex(theirs), "the contact's own photo, kept before the PUT")
        #expect(
            visitorBackup.mailbox == Mailbox(user: Tenant.reception) && visitorBackup.resolvedID == Tenant.visitorID)
        #expect(try await journal.backupPhoto(sha256: visitorBackup.sha256!) == theirs, "byte for byte")
        #expect(backups.first { $0.key == Tenant.guestAddress(0) }?.hadPhoto == false)

        // A dry run first: what would go back, and what cannot.
        let preview = try await PhotoprovProcess.run(
            ["restore", "--run", "1", "--journal", batch.journal, "--dry-run"], environment: emulator.environment)
        #expect(preview.status == 1, "the guest would fail: \(preview.stdout) \(preview.stderr)")
        #expect(preview.stdout.contains("would fail: had no photo before run 1, and graph cannot delete a contact's"))

        let report = batch.path("restore-report")
        let restore = try await PhotoprovProcess.run(
            ["restore", "--run", "1", "--journal", batch.journal, "--report", report],
            environment: emulator.environment)
        #expect(restore.status == 1, "one contact cannot be put back: \(restore.stdout) \(restore.stderr)")
        #expect(try await sha(Tenant.visitorID) == Digest.sha256Hex(theirs), "the contact's own photo is back")
        #expect(try await sha(Tenant.guestID(0)) != nil, "the guest keeps run 1's photo: Graph cannot delete it")
        #expect(try await emulator.arrived(method: "DELETE") == 0, "no request Graph refuses")
        let document = try Self.json(report + "/report.json")
        #expect(
            Self.counts(document)["restored"] == 1 && Self.counts(document)["failed"] == 1, "\(document["run"] ?? "")")
        let guest = (document["items"] as? [[String: Any]] ?? []).first {
            $0["key"] as? String == Tenant.guestAddress(0)
        }
        #expect(
            (guest?["reason"] as? String)?.contains(
                "had no photo before run 1, and graph cannot delete a contact's photo") == true, "\(guest ?? [:])")
        #expect(guest?["mailbox"] as? String == Tenant.reception)
        let restoreRun = try #require(try await journal.latestRun())
        #expect(restoreRun.id == 3 && restoreRun.restoresRun == 1, "after the upload and the dry run")
        let items = try await journal.items(run: restoreRun.id)
        #expect(items.first { $0.key == Tenant.guestAddress(0) }?.failure == .unsupported)
        #expect(items.allSatisfy { $0.mailbox == Mailbox(user: Tenant.reception) }, "the restore kept the mailbox")
        let restoreBackups = try await journal.backups(run: restoreRun.id)
        #expect(restoreBackups.map(\.key) == [Tenant.visitorAddress], "the restore backed up what it replaced")
        #expect(restoreBackups.first?.sha256 == uploaded, "so it can itself be restored")
        #expect(try await journal.integrityCheck() == "ok")
    }

    @Test func aTeamOrGroupThatHadNoPhotoGetsNoneBackOnlyWhereGraphCanDelete() async throws {
        let teamWithPhoto = "66666666-7777-4888-9999-aaaaaaaaaaa1"
        let teamWithout = "66666666-7777-4888-9999-aaaaaaaaaaa2"
        let groupWithout = "11111111-2222-4333-8444-555555555551"
        let batch = try await Batch.make(count: 0)
        let theirs = try Batch.photo(seed: 600, side: 64)
        try theirs.write(to: URL(fileURLWithPath: batch.path("theirs.jpg")))
        try Batch.photo(seed: 3).write(to: URL(fileURLWithPath: batch.path("g.jpg")))
        try batch.write("teams.csv", "id,photo\n\(teamWithPhoto),g.jpg\n\(teamWithout),g.jpg\n")
        try batch.write("groups.csv", "id,photo\n\(groupWithout),g.jpg\n")
        let emulator = try await Emulator.start(seed: [
            "domain": "contoso.example",
            "apps": [
                [
                    "clientId": BackupTenant.clientID, "secrets": ["s3cret-value"],
                    "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"],
                ]
            ],
            "groups": [["id": groupWithout, "displayName": "All Company"]],
            "teams": [
                ["id": teamWithPhoto, "displayName": "Photo Team", "photo": batch.path("theirs.jpg")],
                ["id": teamWithout, "displayName": "Plain Team"],
            ],
        ])
        func sha(_ kind: String, _ id: String) async throws -> String? {
            ((try await emulator.state()[kind] as? [String: Any])?[id] as? [String: Any])?["sha256"] as? String
        }
        for (kind, csv) in [("teams", "teams.csv"), ("groups", "groups.csv")] {
            let run = try await PhotoprovProcess.run(
                [
                    "upload", "--csv", batch.path(csv), "--journal", batch.journal, "--target", kind, "--upn-column",
                    "id",
                ],
                environment: emulator.environment)
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        }
        #expect(try await sha("teams", teamWithout) != nil)
        #expect(try await sha("groups", groupWithout) != nil)

        let teams = try await PhotoprovProcess.run(
            ["restore", "--run", "1", "--journal", batch.journal], environment: emulator.environment)
        #expect(teams.status == 1, "\(teams.stdout) \(teams.stderr)")
        #expect(try await sha("teams", teamWithPhoto) == Digest.sha256Hex(theirs), "its own photo is back")
        #expect(try await sha("teams", teamWithout) != nil, "Graph cannot delete a team's photo")
        #expect(teams.stdout.contains("had no photo before run 1, and graph cannot delete a team's photo"))
        #expect(try await emulator.arrived(method: "DELETE") == 0)

        let groups = try await PhotoprovProcess.run(
            ["restore", "--run", "2", "--journal", batch.journal], environment: emulator.environment)
        #expect(groups.status == 0, "\(groups.stdout) \(groups.stderr)")
        #expect(try await sha("groups", groupWithout) == nil, "a group's photo is deleted: it had none")
        #expect(try await emulator.arrived(method: "DELETE") == 1)
        let journal = try await batch.openJournal()
        #expect(try await journal.items(run: 3).first { $0.key == teamWithout }?.failure == .unsupported)
        #expect(try await journal.items(run: 4).map(\.state) == [.restored])
    }
}
