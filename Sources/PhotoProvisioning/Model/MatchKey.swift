/// What a source's keys name: the property a user (or group, team, contact) is found by.
public enum MatchKey: String, Sendable, CaseIterable, Codable {
    /// The user principal name, `name@domain`; compared case-insensitively.
    case upn
    /// The primary SMTP address, `name@domain`; compared case-insensitively.
    case mail
    /// The HR employee number: any non-empty text, compared exactly.
    case employeeId
    /// The directory object id, a GUID; compared case-insensitively.
    case id
    /// A contact's email address: any of its `emailAddresses`, compared case-insensitively (`--target contacts`).
    case email
    /// A contact's Outlook item id (`--target contacts --match id`): base64 text, compared exactly.
    case contactId

    /// How people call this key in messages.
    public var displayName: String {
        switch self {
        case .upn: "UPN"
        case .mail: "mail address"
        case .employeeId: "employee id"
        case .id: "object id"
        case .email: "email address"
        case .contactId: "contact id"
        }
    }

    /// Whether keys of this kind must be looked up to find the object they name: users by mail or employeeId,
    /// contacts by email.
    public var needsLookup: Bool { self == .mail || self == .employeeId || self == .email }
}
