import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An emulator tenant for `--target contacts`: two mailboxes with Outlook contacts and folders, and apps with and
/// without Contacts.ReadWrite.
package enum ContactsTenant {
    package static let domain = "contoso.example"
    /// The first app (the emulator's banner names it): Contacts.ReadWrite only.
    package static let writerApp = "cccccccc-0000-4000-8000-000000000001"
    package static let writerSecret = "contacts-writer~secret-0123456789"
    /// Contacts.Read plus every user-photo permission, but not Contacts.ReadWrite.
    package static let readerApp = "cccccccc-0000-4000-8000-000000000002"
    package static let readerSecret = "contacts-reader~secret-9876543210"

    /// The reception mailbox, holding every kind of contact.
    package static let reception = "reception@contoso.example"
    /// A second mailbox with a contact of the same address as one of reception's.
    package static let frontDesk = "front.desk@contoso.example"
    /// A user without an Exchange Online mailbox.
    package static let noMailbox = "no.mailbox@contoso.example"

    /// In reception's default Contacts folder, stored with capitals (look-ups ignore case).
    package static let visitorAddress = "one@fabrikam.example"
    package static let visitorID = "AAMkAGI1VisitorOne="
    /// Two contacts of reception's default folder share this address.
    package static let sharedAddress = "shared@fabrikam.example"
    package static let twinIDs = ["AAMkAGI2TwinA-_=", "AAMkAGI3TwinB+/="]
    /// Only in reception's folder Suppliers.
    package static let supplierAddress = "sales@tailspin.example"
    package static let supplierID = "AAMkAGI4Supplier="
    /// Only in folder Vendors, a child of Suppliers.
    package static let vendorAddress = "orders@vendor.example"
    package static let vendorID = "AAMkAGI5Vendor="
    /// Front desk's contact with the visitor's address.
    package static let frontDeskVisitorID = "AAMkAGI6FrontVisitor="

    /// `guestNN@visitors.example`, one contact each in reception's default folder (for long runs).
    package static func guestAddress(_ index: Int) -> String { String(format: "guest%02d@visitors.example", index) }
    package static func guestID(_ index: Int) -> String { String(format: "AAMkAGGuest%02d=", index) }

    /// The seed JSON, with `guests` extra contacts in reception's default folder.
    package static func seed(guests: Int = 0) -> [String: Any] {
        func contact(_ id: String, _ name: String, _ address: String, folder: String? = nil) -> [String: Any] {
            var spec: [String: Any] = ["id": id, "displayName": name, "emailAddresses": [["address": address]]]
            if let folder { spec["folder"] = folder }
            return spec
        }
        var contacts = [
            contact(visitorID, "Visitor One", "One@Fabrikam.example"),
            contact(twinIDs[0], "Twin A", sharedAddress),
            contact(twinIDs[1], "Twin B", "Shared@Fabrikam.example"),
            contact(supplierID, "Tailspin Sales", supplierAddress, folder: "Suppliers"),
            contact(vendorID, "Vendor Orders", vendorAddress, folder: "Vendors"),
        ]
        contacts += (0..<guests).map { contact(guestID($0), "Guest \($0)", guestAddress($0)) }
        return [
            "id": "dddddddd-0000-4000-8000-000000000001", "domain": domain,
            "apps": [
                [
                    "clientId": writerApp, "displayName": "contacts writer", "secrets": [writerSecret],
                    "roles": ["Contacts.ReadWrite"],
                ],
                [
                    "clientId": readerApp, "displayName": "contacts reader", "secrets": [readerSecret],
                    "roles": [
                        "Contacts.Read", "ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.Read.All",
                    ],
                ],
            ],
            "users": [
                [
                    "userPrincipalName": reception,
                    "contactFolders": [
                        ["displayName": "Suppliers"], ["displayName": "Vendors", "parent": "Suppliers"],
                    ],
                    "contacts": contacts,
                ],
                [
                    "userPrincipalName": frontDesk,
                    "contacts": [contact(frontDeskVisitorID, "Visitor One", visitorAddress)],
                ],
                ["userPrincipalName": noMailbox, "hasMailbox": false],
            ],
        ]
    }

    /// `/_emulator/state`'s record of `mailbox`'s contact `id`: uploads, sha256, folder, …
    package static func contact(_ id: String, of mailbox: String, in state: [String: Any]) -> [String: Any] {
        ((state["contacts"] as? [String: Any])?[mailbox] as? [String: Any])?[id] as? [String: Any] ?? [:]
    }

    /// How many times `mailbox`'s contact `id` got a photo.
    package static func uploads(_ id: String, of mailbox: String, in state: [String: Any]) -> Int {
        (contact(id, of: mailbox, in: state)["uploads"] as? NSNumber)?.intValue ?? 0
    }
}
