import Foundation
import TestSupport
import Testing

@testable import PhotoGraph
@testable import PhotoProvisioning

/// The Graph client's contacts: the preflight (permission, mailbox, folder), look-ups by email, photos, dry-run
/// checks, against the emulator's contacts on 127.0.0.1.
@Suite struct GraphContactsTests {
    private func client(
        _ emulator: Emulator, app: String = ContactsTenant.writerApp, secret: String = ContactsTenant.writerSecret,
        trace: LineSink? = nil
    ) throws -> GraphClient {
        try GraphClient(
            settings: try emulator.settings(.clientSecret(Secret(secret)), clientID: app) {
                $0.trace = trace?.handler
            })
    }

    @Test func addressesAreFoundIgnoringCaseOnlyInTheirFolder() async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed())
        let client = try client(emulator)
        let inDefault = try await client.resolveContacts(
            addresses: [
                ContactsTenant.visitorAddress, ContactsTenant.sharedAddress, ContactsTenant.supplierAddress,
                "nobody@fabrikam.example",
            ],
            mailbox: ContactsTenant.reception, folderID: nil)
        guard case .found(let visitor) = inDefault[ContactsTenant.visitorAddress] else {
            Issue.record("the visitor (stored as One@Fabrikam.example): \(String(describing: inDefault))")
            return
        }
        #expect(visitor.id == ContactsTenant.visitorID)
        #expect(visitor.displayName == "Visitor One")
        guard case .ambiguous(let twins) = inDefault[ContactsTenant.sharedAddress] else {
            Issue.record("two contacts share \(ContactsTenant.sharedAddress): \(String(describing: inDefault))")
            return
        }
        #expect(Set(twins.map(\.id)) == Set(ContactsTenant.twinIDs))
        #expect(inDefault[ContactsTenant.supplierAddress] == .notFound, "the supplier lives in folder Suppliers")
        #expect(inDefault["nobody@fabrikam.example"] == .notFound)

        let report = await client.preflightContacts(in: Mailbox(user: ContactsTenant.reception, folder: "suppliers"))
        let folderID = try #require(report.contacts?.folderID)
        let inFolder = try await client.resolveContacts(
            addresses: [ContactsTenant.supplierAddress, ContactsTenant.visitorAddress],
            mailbox: ContactsTenant.reception,
            folderID: folderID)
        #expect(
            inFolder[ContactsTenant.supplierAddress]
                == .found(
                    MailboxContact(
                        id: ContactsTenant.supplierID, displayName: "Tailspin Sales",
                        emailAddresses: [ContactsTenant.supplierAddress])))
        #expect(inFolder[ContactsTenant.visitorAddress] == .notFound, "the visitor is not in Suppliers")
    }

    @Test func manyAddressesGoTwentyPerBatch() async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed(guests: 25))
        let trace = LineSink()
        let client = try client(emulator, trace: trace)
        let addresses = (0..<25).map(ContactsTenant.guestAddress) + ["late@visitors.example"]
        let found = try await client.resolveContacts(
            addresses: addresses, mailbox: ContactsTenant.reception, folderID: nil)
        #expect(found.count == 26)
        for index in 0..<25 {
            #expect(
                found[ContactsTenant.guestAddress(index)]
                    == .found(
                        MailboxContact(
                            id: ContactsTenant.guestID(index), displayName: "Guest \(index)",
                            emailAddresses: [ContactsTenant.guestAddress(index)])))
        }
        #expect(
            trace.lines.filter { $0.hasPrefix("-> POST") && $0.contains("$batch") }.count == 2, "26 addresses: 20 + 6")
    }

    @Test func preflightAllowsAWriterAndResolvesNestedFoldersByNameOrId() async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed())
        let client = try client(emulator)
        let plain = await client.preflightContacts(in: Mailbox(user: ContactsTenant.reception))
        #expect(plain.verdict == .allowed, "\(plain.explanation)")
        #expect(plain.contacts == ContactFolderCheck(mailbox: Mailbox(user: ContactsTenant.reception), found: true))
        #expect(
            plain.permissions.first
                == PolicyReport.PermissionFinding(
                    need: "write contacts' photos", granted: true, detail: "Contacts.ReadWrite"))

        let byName = await client.preflightContacts(in: Mailbox(user: ContactsTenant.reception, folder: "VENDORS"))
        #expect(byName.verdict == .allowed, "\(byName.explanation)")
        #expect(byName.contacts?.folderName == "Vendors", "a child of Suppliers, found breadth first")
        let id = try #require(byName.contacts?.folderID)
        let byID = await client.preflightContacts(in: Mailbox(user: ContactsTenant.reception, folder: id))
        #expect(byID.contacts?.folderID == id)
        #expect(byID.contacts?.folderName == "Vendors")
    }

    @Test(
        arguments: [
            (
                ContactsTenant.reception, "Archive",
                "no contact folder 'Archive' in mailbox \(ContactsTenant.reception) (its folders: Suppliers, Vendors)"
            ),
            ("nobody@contoso.example", nil, "user nobody@contoso.example not found (--mailbox)"),
            (ContactsTenant.noMailbox, nil, "user \(ContactsTenant.noMailbox) has no Exchange Online mailbox"),
        ] as [(String, String?, String)])
    func preflightBlocksAMailboxOrFolderThatCannotBeUsed(user: String, folder: String?, reason: String) async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed())
        let client = try client(emulator)
        let report = await client.preflightContacts(in: Mailbox(user: user, folder: folder))
        #expect(report.verdict == .blocked)
        #expect(report.explanation.first?.hasPrefix(reason) == true, "\(report.explanation)")
        #expect(report.contacts?.found == false)
    }

    @Test func preflightBlocksATokenWithoutContactsReadWriteBeforeAnyMailboxRequest() async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed())
        let trace = LineSink()
        let client = try client(
            emulator, app: ContactsTenant.readerApp, secret: ContactsTenant.readerSecret, trace: trace)
        let report = await client.preflightContacts(in: Mailbox(user: ContactsTenant.reception))
        #expect(report.verdict == .blocked)
        #expect(report.explanation.first?.contains("lacks Contacts.ReadWrite") == true, "\(report.explanation)")
        #expect(report.permissions.first?.granted == false)
        #expect(report.contacts?.found == nil, "not looked at")
        #expect(
            !trace.lines.contains { $0.contains("/contacts") }, "no request was spent on the mailbox: \(trace.text)")
    }

    @Test func aDelegatedTokenIsToldItReachesOnlySharedMailboxes() {
        var claims = AccessTokenClaims(scopes: ["Contacts.ReadWrite"])
        claims.identityType = "user"
        claims.userPrincipalName = "ada@contoso.example"
        let identity = SignedInIdentity(claims: claims, credential: .deviceCode)
        let own = PolicyReport.evaluateContacts(
            identity: identity, check: ContactFolderCheck(mailbox: Mailbox(user: "ada@contoso.example"), found: true),
            problem: nil)
        #expect(own.verdict == .allowed)
        #expect(!own.explanation.contains { $0.contains("shared") })
        let other = PolicyReport.evaluateContacts(
            identity: identity,
            check: ContactFolderCheck(mailbox: Mailbox(user: "reception@contoso.example"), found: true),
            problem: .unknown("mailbox reception@contoso.example: timed out"))
        #expect(other.verdict == .unknown)
        #expect(other.explanation.contains { $0.contains("only if that mailbox is shared with ada@contoso.example") })
        claims.scopes = ["User.Read"]
        let without = PolicyReport.evaluateContacts(
            identity: SignedInIdentity(claims: claims, credential: .deviceCode),
            check: ContactFolderCheck(mailbox: Mailbox(user: "ada@contoso.example"), found: true), problem: nil)
        #expect(without.verdict == .blocked)
        #expect(without.explanation.first?.contains("grant the delegated permission Contacts.ReadWrite") == true)
    }

    @Test func aFolderNameIsPickedIgnoringCaseAndTwoOfThemAreAmbiguous() {
        typealias Search = GraphClient.FolderSearch
        let folders = [(id: "F1", name: "Suppliers"), (id: "F2", name: "Archive"), (id: "F3", name: "archive")]
        #expect(Search.pick("SUPPLIERS", among: folders) == .found(id: "F1", name: "Suppliers"))
        #expect(Search.pick("Archive", among: folders) == .several(["F2", "F3"]))
        #expect(Search.pick("Visitors", among: folders) == .none(["Suppliers", "Archive", "archive"]))
    }

    @Test func photosGoToTheContactInItsFolderAndDryRunsSeeThem() async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed())
        let client = try client(emulator)
        let report = await client.preflightContacts(in: Mailbox(user: ContactsTenant.reception, folder: "Suppliers"))
        let folderID = try #require(report.contacts?.folderID)
        let supplier = PhotoTarget.contact(
            ContactsTenant.supplierID, mailbox: ContactsTenant.reception, folderID: folderID)
        let visitor = PhotoTarget.contact(ContactsTenant.visitorID, mailbox: ContactsTenant.reception)
        let ghost = PhotoTarget.contact("AAMkAGGhost=", mailbox: ContactsTenant.reception)

        let put = await client.putPhoto(supplier, jpeg: TestImage.jpeg(width: 96, height: 96))
        #expect(put.succeeded, "\(put)")
        #expect(put.httpStatus == 200)
        let state = try await emulator.state()
        #expect(ContactsTenant.uploads(ContactsTenant.supplierID, of: ContactsTenant.reception, in: state) == 1)
        #expect(
            ContactsTenant.contact(ContactsTenant.supplierID, of: ContactsTenant.reception, in: state)["width"]
                as? NSNumber == 96)

        let lookups = try await client.lookupTargets([supplier, visitor, ghost])
        #expect(lookups[supplier]?.exists == true)
        #expect(lookups[supplier]?.hasPhoto == true)
        #expect(lookups[supplier]?.name == "Tailspin Sales")
        #expect(lookups[visitor]?.exists == true)
        #expect(lookups[visitor]?.hasPhoto == false)
        #expect(lookups[ghost]?.exists == false)

        let missing = await client.putPhoto(ghost, jpeg: TestImage.jpeg(width: 96, height: 96))
        #expect(missing.failure == .notFound, "\(missing)")
        #expect(missing.graphCode == "ErrorItemNotFound")
    }

    @Test func aPhotoWithoutContactsReadWriteFailsNamingThePermission() async throws {
        let emulator = try await Emulator.start(seed: ContactsTenant.seed())
        let client = try client(emulator, app: ContactsTenant.readerApp, secret: ContactsTenant.readerSecret)
        let outcome = await client.putPhoto(
            .contact(ContactsTenant.visitorID, mailbox: ContactsTenant.reception),
            jpeg: TestImage.jpeg(width: 96, height: 96))
        #expect(outcome.failure == .missingPermission)
        #expect(outcome.message.contains("grant Contacts.ReadWrite"), "\(outcome.message)")
    }
}
