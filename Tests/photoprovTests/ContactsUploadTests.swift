import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// `photoprov upload --target contacts` end to end: the built binary against the emulator's mailboxes.
@Suite struct ContactsUploadTests {
    private typealias Tenant = ContactsTenant

    /// A batch folder with `rows` (address or id, photo seed) as `name`, each photo a distinct JPEG.
    private func csv(_ batch: Batch, _ name: String, header: String = "email", _ rows: [(String, Int)]) throws -> String
    {
        for (_, seed) in rows {
            try Batch.photo(seed: seed).write(to: URL(fileURLWithPath: batch.path("photo\(seed).jpg")))
        }
        try batch.write(
            name, ([header + ",photo"] + rows.map { "\($0.0),photo\($0.1).jpg" }).joined(separator: "\n") + "\n")
        return batch.path(name)
    }

    /// Runs photoprov from a Dispatch thread: a child taking seconds must not hold one of the few cooperative
    /// threads every other test running at the same time needs.
    private func photoprov(_ arguments: [String], environment: [String: String] = [:]) async throws
        -> PhotoprovProcess.Output
    {
        try await PhotoprovProcess.run(arguments, environment: environment)
    }

    private func upload(
        _ batch: Batch, _ emulator: Emulator, csv: String, mailbox: String = Tenant.reception, _ extra: [String] = [],
        environment: [String: String] = [:]
    ) async throws -> PhotoprovProcess.Output {
        try await photoprov(
            ["upload", "--csv", csv, "--target", "contacts", "--mailbox", mailbox, "--journal", batch.journal] + extra,
            environment: emulator.environment.merging(environment) { _, new in new })
    }

    private func line(_ output: PhotoprovProcess.Output, _ key: String) -> String {
        output.stdout.split(separator: "\n").first { $0.contains(" \(key) ") || $0.contains(" \(key):") }
            .map(String.init) ?? ""
    }

    @Test func contactsAreFoundByEmailInTheirMailboxAndFolder() async throws {
        let batch = try await Batch.make(count: 0)
        let emulator = try await Emulator.start(seed: Tenant.seed())
        let people = try csv(
            batch, "people.csv",
            [
                ("One@Fabrikam.example", 1), ("nobody@fabrikam.example", 2), (Tenant.sharedAddress, 3),
                (Tenant.supplierAddress, 4),
            ])
        let run = try await upload(batch, emulator, csv: people)
        #expect(run.status == 1, "three rows fail: \(run.stdout) \(run.stderr)")
        #expect(line(run, Tenant.visitorAddress).contains("uploaded"), "\(run.stdout)")
        #expect(
            line(run, "nobody@fabrikam.example").contains(
                "no contact with email nobody@fabrikam.example in mailbox \(Tenant.reception)"), "\(run.stdout)")
        let twins = line(run, Tenant.sharedAddress)
        #expect(
            twins.contains("failed") && twins.contains("2 contacts have email \(Tenant.sharedAddress): ids "),
            "\(twins)")
        #expect(Tenant.twinIDs.allSatisfy(twins.contains), "\(twins)")
        #expect(
            line(run, Tenant.supplierAddress).contains(
                "no contact with email \(Tenant.supplierAddress) in mailbox \(Tenant.reception)"),
            "only in folder Suppliers")
        var state = try await emulator.state()
        #expect(Tenant.uploads(Tenant.visitorID, of: Tenant.reception, in: state) == 1)
        #expect(Tenant.twinIDs.allSatisfy { Tenant.uploads($0, of: Tenant.reception, in: state) == 0 })
        #expect(Tenant.uploads(Tenant.supplierID, of: Tenant.reception, in: state) == 0)

        // The folder's contacts, by the folder's name; a contact of its child folder is not among them.
        let suppliers = try csv(batch, "suppliers.csv", [(Tenant.supplierAddress, 5), (Tenant.vendorAddress, 6)])
        let inFolder = try await upload(batch, emulator, csv: suppliers, ["--contact-folder", "Suppliers"])
        #expect(inFolder.status == 1, "\(inFolder.stdout) \(inFolder.stderr)")
        #expect(line(inFolder, Tenant.supplierAddress).contains("uploaded"), "\(inFolder.stdout)")
        #expect(
            line(inFolder, Tenant.vendorAddress).contains(
                "no contact with email \(Tenant.vendorAddress) in folder Suppliers of mailbox \(Tenant.reception)"))
        // By id, in the child folder.
        let byID = try csv(batch, "vendors.csv", header: "id", [(Tenant.vendorID, 7)])
        let vendors = try await upload(batch, emulator, csv: byID, ["--contact-folder", "Vendors", "--match", "id"])
        #expect(vendors.status == 0, "\(vendors.stdout) \(vendors.stderr)")
        state = try await emulator.state()
        #expect(Tenant.uploads(Tenant.supplierID, of: Tenant.reception, in: state) == 1)
        #expect(Tenant.uploads(Tenant.vendorID, of: Tenant.reception, in: state) == 1)
        #expect(Tenant.contact(Tenant.vendorID, of: Tenant.reception, in: state)["folder"] as? String == "Vendors")

        let journal = try await batch.openJournal()
        let items = try await journal.items(run: 2)
        #expect(items.allSatisfy { $0.target == .contacts && $0.match == .email })
        #expect(items.allSatisfy { $0.mailbox == Mailbox(user: Tenant.reception, folder: "Suppliers") })
        #expect(items.first { $0.key == Tenant.supplierAddress }?.resolvedID == Tenant.supplierID)
        let status = try await photoprov(["status", "--journal", batch.journal, "--json"])
        let totals = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let counted = totals?["totals"] as? [String: Any]
        #expect(counted?["contacts_with_photos"] as? NSNumber == 3, "\(status.stdout)")
        #expect(counted?["users_with_photos"] as? NSNumber == 0)
        let text = try await photoprov(["status", "--journal", batch.journal])
        #expect(text.stdout.contains("3 contacts with photos"), "\(text.stdout)")
    }

    @Test func aKilledRunResumesWithoutUploadingAnyContactTwiceButThoseInFlight() async throws {
        let guests = 20
        let concurrency = 2
        let batch = try await Batch.make(count: 0)
        // 300 ms a request: after the third PUT arrives the other 17 need at least 2.5 s at two in flight.
        let emulator = try await Emulator.start(["--latency-ms", "300"], seed: Tenant.seed(guests: guests))
        let people = try csv(batch, "people.csv", (0..<guests).map { (Tenant.guestAddress($0), $0) })
        let arguments = [
            "upload", "--csv", people, "--target", "contacts", "--mailbox", Tenant.reception, "--journal",
            batch.journal, "--quiet",
        ]
        let process = try PhotoprovProcess.start(
            arguments + ["--concurrency", "\(concurrency)"], environment: emulator.environment)
        try await emulator.signal(SIGKILL, to: process, whenArrived: 3, method: "PUT")
        let killed = await process.finished()
        #expect(killed.reason == .uncaughtSignal, "the kill struck the run mid-way: \(killed.stdoutText)")

        var journal = try await batch.openJournal()
        #expect(try await journal.integrityCheck() == "ok")
        #expect(try await journal.run(id: 1)?.status == .running, "killed, not finished")
        let before = try await journal.counts(run: 1)
        #expect(before[.uploaded] < guests, "the kill left work: \(before.byState)")

        let finish = try await photoprov(arguments + ["--concurrency", "8"], environment: emulator.environment)
        #expect(finish.status == 0, "\(finish.stdout) \(finish.stderr)")
        #expect(finish.stdout.contains("resuming"), "the same run continued: \(finish.stdout)")
        journal = try await batch.openJournal()
        #expect(try await journal.run(id: 1)?.status == .completed)
        #expect(try await journal.counts(run: 1)[.uploaded] == guests)
        let state = try await emulator.state()
        let uploads = (0..<guests).map { Tenant.uploads(Tenant.guestID($0), of: Tenant.reception, in: state) }
        #expect(uploads.allSatisfy { $0 >= 1 }, "every contact got its photo: \(uploads)")
        // In flight at the kill means journaled `uploading` (README "Resume"): sent, or about to be, with no outcome
        // committed yet. That can exceed --concurrency by the uploads whose answer came but whose commit had not.
        #expect(
            uploads.reduce(0) { $0 + $1 - 1 } <= before[.uploading],
            "only what was in flight went twice: \(uploads), \(before[.uploading]) in flight")
    }

    @Test func aSecondRunSkipsUnchangedContactsAndUploadsChangedOnes() async throws {
        let batch = try await Batch.make(count: 0)
        let emulator = try await Emulator.start(seed: Tenant.seed(guests: 3))
        let people = try csv(
            batch, "people.csv", [(Tenant.visitorAddress, 1)] + (0..<3).map { (Tenant.guestAddress($0), $0 + 10) })
        #expect(try await upload(batch, emulator, csv: people).status == 0)
        let again = try await upload(batch, emulator, csv: people)
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 uploaded, 4 unchanged"), "\(again.stdout)")
        try Batch.photo(seed: 99).write(to: URL(fileURLWithPath: batch.path("photo1.jpg")))
        let changed = try await upload(batch, emulator, csv: people)
        #expect(changed.stdout.contains("1 uploaded, 3 unchanged"), "\(changed.stdout)")
        let state = try await emulator.state()
        #expect(Tenant.uploads(Tenant.visitorID, of: Tenant.reception, in: state) == 2)
        #expect(Tenant.uploads(Tenant.guestID(0), of: Tenant.reception, in: state) == 1)
        // The same addresses in another mailbox are other contacts: nothing there is unchanged.
        let frontDesk = try csv(batch, "front.csv", [(Tenant.visitorAddress, 1)])
        let other = try await upload(batch, emulator, csv: frontDesk, mailbox: Tenant.frontDesk)
        #expect(other.stdout.contains("1 uploaded") && !other.stdout.contains("unchanged"), "\(other.stdout)")
    }

    @Test func removeMissingIsRefusedUpFrontBecauseGraphCannotDeleteAContactsPhoto() async throws {
        let batch = try await Batch.make(count: 0)
        let emulator = try await Emulator.start(seed: Tenant.seed(guests: 1))
        let both = try csv(batch, "both.csv", [(Tenant.visitorAddress, 1), (Tenant.guestAddress(0), 2)])
        #expect(try await upload(batch, emulator, csv: both).status == 0)
        let arrived = try await emulator.arrived()

        // The visitor left the source: --remove-missing would have to delete that contact's photo.
        _ = try csv(batch, "both.csv", [(Tenant.guestAddress(0), 2)])
        for extra in [["--remove-missing", "--dry-run"], ["--remove-missing"]] {
            let run = try await upload(batch, emulator, csv: both, extra)
            #expect(run.status == 2, "\(extra): \(run.stdout) \(run.stderr)")
            #expect(
                run.stderr.contains(
                    "--remove-missing cannot be used with --target contacts: graph cannot delete a contact's photo "
                        + "(its profilePhoto delete takes users and groups only); remove it in Outlook; "
                        + "run without --remove-missing"), "\(run.stderr)")
        }
        #expect(try await emulator.arrived() == arrived, "refused before signing in or reading the tenant")
        let state = try await emulator.state()
        #expect(
            Tenant.contact(Tenant.visitorID, of: Tenant.reception, in: state)["sha256"] as? String != nil,
            "the photo is still there")
        let journal = try await batch.openJournal()
        #expect(try await journal.latestRun()?.id == 1, "no run was started")
    }

    @Test func aDryRunPredictsEachContactAndTheReportNamesTheMailbox() async throws {
        let batch = try await Batch.make(count: 0)
        let emulator = try await Emulator.start(seed: Tenant.seed())
        let people = try csv(
            batch, "people.csv",
            [
                (Tenant.visitorAddress, 1), ("nobody@fabrikam.example", 2), (Tenant.sharedAddress, 3),
            ])
        let directory = batch.path("report")
        let run = try await upload(batch, emulator, csv: people, ["--dry-run", "--report", directory])
        #expect(run.status == 1, "two would fail: \(run.stdout) \(run.stderr)")
        #expect(try await emulator.arrived(method: "PUT") == 0, "a dry run writes nothing")

        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json")))
            as? [String: Any] ?? [:]
        let counts = (report["run"] as? [String: Any])?["counts"] as? [String: Any] ?? [:]
        #expect(counts["would-add"] as? NSNumber == 1, "the visitor has no photo yet")
        #expect(counts["would-fail"] as? NSNumber == 2)
        let items = report["items"] as? [[String: Any]] ?? []
        #expect(items.count == 3)
        #expect(
            items.allSatisfy {
                $0["targetKind"] as? String == "contact" && $0["mailbox"] as? String == Tenant.reception
            })
        #expect(items.allSatisfy { $0["contactFolder"] is NSNull })
        let visitor = items.first { $0["key"] as? String == Tenant.visitorAddress }
        #expect(visitor?["outcome"] as? String == "would-add")
        #expect((visitor?["reason"] as? String)?.contains("no photo yet") == true, "\(visitor ?? [:])")
        let twins = items.first { $0["key"] as? String == Tenant.sharedAddress }
        #expect((twins?["reason"] as? String)?.hasPrefix("2 contacts have email") == true, "\(twins ?? [:])")

        let csvText = try String(contentsOfFile: directory + "/report.csv", encoding: .utf8)
        let header = csvText.split(separator: "\r\n").first ?? ""
        // The face framing's columns follow the backups' (contacts are framed on faces by default).
        #expect(header.contains(",mailbox,contactFolder,hadPhoto,previousBytes,faceCount,"), "\(header)")
        #expect(csvText.contains(",\(Tenant.reception),,,,"), "no folder; a dry run takes no backup")
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        #expect(html.contains("\"mailbox\":\"\(Tenant.reception)\""))
    }

    @Test func aTokenWithoutContactsReadWriteIsBlockedByThePreflight() async throws {
        let batch = try await Batch.make(count: 0)
        let emulator = try await Emulator.start(seed: Tenant.seed())
        let people = try csv(batch, "people.csv", [(Tenant.visitorAddress, 1)])
        let run = try await upload(
            batch, emulator, csv: people,
            environment: ["AZURE_CLIENT_ID": Tenant.readerApp, "AZURE_CLIENT_SECRET": Tenant.readerSecret])
        #expect(run.status == 3, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("the token lacks Contacts.ReadWrite"), "\(run.stdout)")
        #expect(try await emulator.arrived(method: "PUT") == 0)
        let journal = try await batch.openJournal()
        #expect(try await journal.run(id: 1)?.verdict == .blocked)
        #expect(try await journal.run(id: 1)?.status == .failed)
    }

    @Test func policyShowsAContactsRunsPreflight() async throws {
        let emulator = try await Emulator.start(seed: Tenant.seed())
        let arguments = [
            "policy", "--target", "contacts", "--mailbox", Tenant.reception, "--contact-folder", "vendors",
        ]
        let allowed = try await photoprov(arguments + ["--json"], environment: emulator.environment)
        #expect(allowed.status == 0, "\(allowed.stdout) \(allowed.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(allowed.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["verdict"] as? String == "allowed")
        let contacts = report["contacts"] as? [String: Any] ?? [:]
        #expect(contacts["found"] as? Bool == true)
        #expect(contacts["folderName"] as? String == "Vendors")
        let blocked = try await photoprov(
            arguments,
            environment: emulator.environment.merging(
                ["AZURE_CLIENT_ID": Tenant.readerApp, "AZURE_CLIENT_SECRET": Tenant.readerSecret]) { _, new in new })
        #expect(blocked.status == 3, "\(blocked.stdout) \(blocked.stderr)")
        #expect(blocked.stdout.contains("write contacts' photos: missing"), "\(blocked.stdout)")
        #expect(
            blocked.stdout.contains("contacts: folder vendors of mailbox \(Tenant.reception) (not checked)"),
            "\(blocked.stdout)")
    }

    @Test(arguments: [
        ("nobody@contoso.example", "user nobody@contoso.example not found (--mailbox)"),
        (ContactsTenant.noMailbox, "user \(ContactsTenant.noMailbox) has no Exchange Online mailbox"),
    ])
    func aMailboxThatCannotHoldContactsStopsTheRunBeforeAnyUpload(mailbox: String, message: String) async throws {
        let batch = try await Batch.make(count: 0)
        let emulator = try await Emulator.start(seed: Tenant.seed())
        let people = try csv(batch, "people.csv", [(Tenant.visitorAddress, 1)])
        let run = try await upload(batch, emulator, csv: people, mailbox: mailbox)
        #expect(run.status == 3, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains(message), "\(run.stdout)")
        #expect(try await emulator.arrived(method: "PUT") == 0)
    }

    @Test(arguments: [
        (["--target", "contacts"], "--target contacts needs --mailbox"),
        (["--mailbox", "reception@contoso.example"], "--mailbox and --contact-folder are for --target contacts"),
        (["--match", "email"], "--match email is for --target contacts"),
        (["--target", "contacts", "--mailbox", "x@y.example", "--match", "upn"], "--match must be one of email, id"),
        (["--target", "contacts", "--mailbox", "reception"], "--mailbox 'reception' is neither"),
    ])
    func contactOptionsAreChecked(arguments: [String], message: String) async throws {
        let batch = try await Batch.make(count: 1)
        let run = try await photoprov(["upload", "--csv", batch.csv, "--journal", batch.journal] + arguments)
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }
}
