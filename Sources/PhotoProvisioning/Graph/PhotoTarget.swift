import Foundation
import PhotoModel

/// Whose photo: a user, group or team, named by object id or (for users) user principal name; or a contact,
/// named by its id within a user's mailbox (and folder).
public struct PhotoTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kind of object, spelled as its Graph collection (the sources' `--target`).
    public typealias Kind = TargetKind

    /// The kind of object.
    public var kind: Kind
    /// The object id, a user principal name for users, or a contact's id.
    public var key: String
    /// Contacts: the mailbox's user (UPN or id); `nil` for other kinds.
    public var mailbox: String?
    /// Contacts: the contact folder's id; `nil` for the mailbox's default Contacts folder (and other kinds).
    public var folderID: String?

    /// Creates a target of `kind` named `key`.
    public init(_ kind: Kind, _ key: String) {
        self.kind = kind
        self.key = key
    }

    /// A user by id or UPN.
    public static func user(_ key: String) -> PhotoTarget { PhotoTarget(.users, key) }

    /// The contact with id `id` in `mailbox`'s default Contacts folder, or in the folder with id `folderID`.
    public static func contact(_ id: String, mailbox: String, folderID: String? = nil) -> PhotoTarget {
        var target = PhotoTarget(.contacts, id)
        target.mailbox = mailbox
        target.folderID = folderID
        return target
    }

    /// The object's path below the API version, e.g. `/users/ada%40contoso.com` (built by `GraphPath`).
    public var objectPath: String { GraphPath.object(self).relative }

    /// The photo's binary content path below the API version: `/users/{id|upn}/photo/$value`.
    public var photoValuePath: String { GraphPath.photoValue(self).relative }

    /// The photo's metadata path below the API version: `/users/{id|upn}/photo`.
    public var photoPath: String { GraphPath.photo(self).relative }

    /// `user ada@contoso.com`, `contact AAMk… in mailbox ada@contoso.com`.
    public var description: String {
        "\(kind.noun) \(key)" + (mailbox.map { " in mailbox \($0)" } ?? "")
    }
}
