import Foundation

/// A user as the directory knows it.
public struct DirectoryUser: Sendable, Hashable, Codable {
    /// The object id.
    public var id: String
    /// The user principal name.
    public var userPrincipalName: String
    /// The primary SMTP address, when set.
    public var mail: String?
    /// The HR employee id, when set.
    public var employeeId: String?
    /// Whether sign-in is enabled; `nil` when Graph did not say.
    public var accountEnabled: Bool?

    /// Creates a user record.
    public init(id: String, userPrincipalName: String, mail: String? = nil, employeeId: String? = nil, accountEnabled: Bool? = nil) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.mail = mail
        self.employeeId = employeeId
        self.accountEnabled = accountEnabled
    }
}

/// What looking up one key found.
public enum UserLookup: Sendable, Hashable, Codable {
    /// Exactly one user has this key.
    case found(DirectoryUser)
    /// No user has this key.
    case notFound
    /// Several users share this key (e.g. a duplicated employeeId); none is picked.
    case ambiguous([DirectoryUser])
    /// The lookup itself failed for this key (after retries); `message` says why.
    case failed(String)
}

/// What a dry run learns about one target without changing anything.
public struct TargetState: Sendable, Hashable, Codable {
    /// Whether the object exists: `true`, `false`, or `nil` when the lookup failed.
    public var exists: Bool?
    /// The object id, when found.
    public var id: String?
    /// The user principal name (users) or display name (groups, teams), when found.
    public var name: String?
    /// Whether the user's account is enabled (users only; `nil` otherwise or unknown).
    public var accountEnabled: Bool?
    /// Whether the object has a photo now; `nil` when unknown (e.g. no mailbox, or the lookup failed).
    public var hasPhoto: Bool?
    /// Why something is unknown, or a problem found (e.g. "user has no mailbox").
    public var problem: String?

    /// Creates a state.
    public init(
        exists: Bool?, id: String? = nil, name: String? = nil, accountEnabled: Bool? = nil, hasPhoto: Bool? = nil,
        problem: String? = nil
    ) {
        self.exists = exists
        self.id = id
        self.name = name
        self.accountEnabled = accountEnabled
        self.hasPhoto = hasPhoto
        self.problem = problem
    }
}
