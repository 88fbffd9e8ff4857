/// Whose photos a source sets: users, or groups and teams (keyed by their GUID id).
public enum TargetKind: String, Sendable, CaseIterable, Codable {
    case users
    case groups
    case teams

    /// The singular noun used in messages ("user not found") and in reports' `targetKind`.
    public var noun: String {
        switch self {
        case .users: "user"
        case .groups: "group"
        case .teams: "team"
        }
    }
}
