import PhotoModel

/// How to read a source: what its keys are, whose photos they set, and which columns and paths to accept.
public struct SourceOptions: Sendable, Equatable {
    /// `--match`: what the keys name (default UPN). Ignored for groups and teams, which are keyed by id; contacts
    /// take `email` (their default) or `id` (see `keyKind`).
    public var match: MatchKey
    /// `--target`: users, groups, teams or contacts.
    public var target: TargetKind
    /// `--upn-column`: the key column's header, instead of looking for the usual names.
    public var keyColumn: String?
    /// `--photo-column`: the photo column's header, instead of looking for the usual names.
    public var photoColumn: String?
    /// `--name-column`: the display-name column's header, instead of looking for the usual names (a CSV without
    /// one is fine unless this names it).
    public var nameColumn: String?
    /// `--domain`: folder sources may name files `<alias>.<ext>`; the key becomes `alias@domain`.
    public var domain: String?
    /// `--allow-outside`: accept photo paths that leave the source folder through `..`, a symlink or an
    /// absolute path.
    public var allowOutside: Bool

    /// Creates options; the defaults read a CSV of UPNs for users.
    public init(
        match: MatchKey = .upn, target: TargetKind = .users, keyColumn: String? = nil, photoColumn: String? = nil,
        nameColumn: String? = nil, domain: String? = nil, allowOutside: Bool = false
    ) {
        self.match = match
        self.target = target
        self.keyColumn = keyColumn
        self.photoColumn = photoColumn
        self.nameColumn = nameColumn
        self.domain = domain
        self.allowOutside = allowOutside
    }

    /// The kind of key actually expected: `match` for users, `id` for groups and teams, and for contacts
    /// `contactId` when `match` is an id (`--match id`), else `email`.
    public var keyKind: MatchKey {
        switch target {
        case .users: match
        case .groups, .teams: .id
        case .contacts: match == .id || match == .contactId ? .contactId : .email
        }
    }
}
