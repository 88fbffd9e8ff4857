/// What a source's keys name: the property a user (or group, team) is found by.
public enum MatchKey: String, Sendable, CaseIterable, Codable {
    /// The user principal name, `name@domain`; compared case-insensitively.
    case upn
    /// The primary SMTP address, `name@domain`; compared case-insensitively.
    case mail
    /// The HR employee number: any non-empty text, compared exactly.
    case employeeId
    /// The directory object id, a GUID; compared case-insensitively.
    case id
}

/// Whose photos a source sets: users, or groups and teams (keyed by their GUID id).
public enum TargetKind: String, Sendable, CaseIterable, Codable {
    case users
    case groups
    case teams
}
