import Foundation
import PhotoModel

/// A contact as its mailbox knows it.
public struct MailboxContact: Sendable, Hashable, Codable {
    /// The contact's Outlook id.
    public var id: String
    /// The name Outlook shows.
    public var displayName: String?
    /// Every address in its `emailAddresses`.
    public var emailAddresses: [String]

    /// Creates a contact record.
    public init(id: String, displayName: String? = nil, emailAddresses: [String] = []) {
        self.id = id
        self.displayName = displayName
        self.emailAddresses = emailAddresses
    }
}

/// What looking up one contact's email address in the run's folder found.
public typealias ContactLookup = DirectoryLookup<MailboxContact>

/// What the contacts preflight learnt about the mailbox and folder a `--target contacts` run works in.
public struct ContactFolderCheck: Sendable, Hashable, Codable {
    /// The mailbox and folder as the run named them.
    public var mailbox: Mailbox
    /// Whether the mailbox, and the folder in it, were found and can be read; `nil` when they were not looked at
    /// (no token, no permission, offline).
    public var found: Bool?
    /// The folder's Outlook id; `nil` for the default Contacts folder, and when the folder was not found.
    public var folderID: String?
    /// The folder's display name, when `--contact-folder` named one that was found.
    public var folderName: String?

    /// Creates a check result.
    public init(mailbox: Mailbox, found: Bool?, folderID: String? = nil, folderName: String? = nil) {
        self.mailbox = mailbox
        self.found = found
        self.folderID = folderID
        self.folderName = folderName
    }
}
