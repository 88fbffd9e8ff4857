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
    public init(
        id: String, userPrincipalName: String, mail: String? = nil, employeeId: String? = nil,
        accountEnabled: Bool? = nil
    ) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.mail = mail
        self.employeeId = employeeId
        self.accountEnabled = accountEnabled
    }
}

/// What looking up one key found in the directory (a user by mail or employeeId, a contact by email address).
public enum DirectoryLookup<Record: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    /// Exactly one record has this key.
    case found(Record)
    /// No record has this key.
    case notFound
    /// Several records share this key (e.g. a duplicated employeeId); none is picked.
    case ambiguous([Record])
    /// The lookup itself failed for this key (after retries); `message` says why.
    case failed(String)
    /// Not looked up at all (an offline dry run): the key stays as the source gave it.
    case unchecked
}

/// What looking up one user's mail or employeeId found.
public typealias UserLookup = DirectoryLookup<DirectoryUser>

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
    /// The current photo's ETag (`@odata.mediaEtag` of its metadata), when it has one.
    public var etag: String?
    /// Why something is unknown, or a problem found (e.g. the user has no mailbox).
    public var problem: TargetProblem?

    /// Creates a state.
    public init(
        exists: Bool?, id: String? = nil, name: String? = nil, accountEnabled: Bool? = nil, hasPhoto: Bool? = nil,
        etag: String? = nil, problem: TargetProblem? = nil
    ) {
        self.exists = exists
        self.id = id
        self.name = name
        self.accountEnabled = accountEnabled
        self.hasPhoto = hasPhoto
        self.etag = etag
        self.problem = problem
    }
}

/// Why a target's state is partly unknown, or what is wrong with it, as a dry run found it.
public enum TargetProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Nothing was read from the tenant (the reason, e.g. offline).
    case notChecked(String)
    /// The user has no Exchange Online mailbox, which Graph needs to store a photo: an upload would fail.
    case noMailbox(PhotoTarget)
    /// Looking the object up failed (HTTP status and Graph code).
    case lookupFailed(PhotoTarget, status: Int, code: String?)
    /// Reading the current photo needs ProfilePhoto.Read.All or User.Read.All.
    case photoReadForbidden
    /// Reading the current photo failed (HTTP status and Graph code).
    case photoReadFailed(PhotoTarget, status: Int, code: String?)

    /// Whether a real run would fail for this target (as opposed to a state merely being unknown).
    public var failsUpload: Bool {
        if case .noMailbox = self { true } else { false }
    }

    public var description: String {
        switch self {
        case .notChecked(let reason): "not checked against the tenant (\(reason))"
        case .noMailbox(let target): "\(target) has no Exchange Online mailbox, which Graph needs to store a photo"
        case .lookupFailed(let target, let status, let code):
            "looking up \(target) failed: HTTP \(status) \(code ?? "")"
        case .photoReadForbidden: "reading photos needs ProfilePhoto.Read.All or User.Read.All"
        case .photoReadFailed(let target, let status, let code):
            "reading the photo of \(target) failed: HTTP \(status) \(code ?? "")"
        }
    }
}
