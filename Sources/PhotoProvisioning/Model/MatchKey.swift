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

    /// How people call this key in messages.
    public var displayName: String {
        switch self {
        case .upn: "UPN"
        case .mail: "mail address"
        case .employeeId: "employee id"
        case .id: "object id"
        }
    }

    /// Whether keys of this kind must be looked up to find the object they name (users only).
    public var needsLookup: Bool { self == .mail || self == .employeeId }
}
