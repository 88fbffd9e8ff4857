/// The mailbox, and the contact folder in it, that holds `--target contacts` items.
///
/// Part of a contact item's identity (journal, sync, `--remove-missing`): the same address in two mailboxes, or in
/// two folders of one, names two contacts.
public struct Mailbox: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The mailbox's user as `--mailbox` named it: a UPN (lower-case) or an object id (lower-case GUID).
    public var user: String
    /// `--contact-folder` as given (a display name or a folder id); `nil` for the mailbox's default Contacts folder.
    public var folder: String?

    /// The default Contacts folder of `user`, or `folder` in it.
    public init(user: String, folder: String? = nil) {
        self.user = user
        self.folder = folder.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `mailbox ada@contoso.com`, or `folder Suppliers of mailbox ada@contoso.com`.
    public var description: String {
        (folder.map { "folder \($0) of " } ?? "") + "mailbox \(user)"
    }
}
