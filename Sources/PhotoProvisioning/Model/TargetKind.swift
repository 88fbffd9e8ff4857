/// Whose photos a source sets: users, groups and teams (keyed by their GUID id), or the contacts of one mailbox.
public enum TargetKind: String, Sendable, CaseIterable, Codable {
    case users
    case groups
    case teams
    /// Outlook contacts of one user's mailbox (`--target contacts --mailbox UPN`): a target with a mailbox.
    case contacts

    /// The singular noun used in messages ("user not found") and in reports' `targetKind`.
    public var noun: String {
        switch self {
        case .users: "user"
        case .groups: "group"
        case .teams: "team"
        case .contacts: "contact"
        }
    }

    /// Whether Graph can delete this kind's photo. Graph's profilePhoto delete "supports only user or group photos,
    /// but not Outlook contact nor Teams photos" (https://learn.microsoft.com/graph/api/profilephoto-delete), and
    /// its metadata agrees: `microsoft.graph.contact/photo` and `microsoft.graph.team/photo` carry
    /// `DeleteRestrictions` `Deletable="false"`, user and group photos `true` (../shared/graph/v1.0-metadata.xml).
    /// So `upload --remove-missing` is refused up front for those targets (exit 2) instead of sending requests
    /// bound to fail.
    public var canDeletePhoto: Bool { self == .users || self == .groups }

    /// Whether an item of this kind lives in a mailbox, which is then part of its identity.
    public var hasMailbox: Bool { self == .contacts }
}
