import Foundation
import PhotoModel

/// What the pipeline asks of Microsoft Graph, for any photo target: users, groups, teams, and contacts (a target
/// with a mailbox: `PhotoTarget.contact(_:mailbox:folderID:)`).
///
/// `GraphClient` answers from the tenant, `OfflineGraph` answers an offline dry run without one, and tests script
/// their own. Per-target results are values (`GraphOutcome`, `TargetState`); only failures that concern every
/// target (sign-in, a refused or unreachable look-up) are thrown.
public protocol GraphService: Sendable {
    /// Obtains the first token, so a sign-in problem stops the run before any work.
    ///
    /// - Throws: `GraphError` of kind `.signIn` with the AADSTS code and what to fix.
    @discardableResult
    func signIn() async throws(GraphError) -> SignedInIdentity

    /// Reads the tenant's photo policy and judges whether this identity may write photos; never throws.
    func preflight() async -> PolicyReport

    /// Sets `jpeg` as `target`'s photo (PUT …/photo/$value).
    func putPhoto(_ target: PhotoTarget, jpeg: Data) async -> GraphOutcome

    /// Sets `bytes` of `contentType` as `target`'s photo: how a restore puts back exactly what a backup read.
    func putPhoto(_ target: PhotoTarget, bytes: Data, contentType: String) async -> GraphOutcome

    /// Every user of the tenant (id and UPN), for `photoprov export --all-users`.
    ///
    /// - Throws: `GraphError` when the list cannot be read (permission, network).
    func listUsers() async throws(GraphError) -> [DirectoryUser]

    /// Removes `target`'s photo (DELETE …/photo/$value); a target without a photo counts as success.
    func deletePhoto(_ target: PhotoTarget) async -> GraphOutcome

    /// Reads `target`'s photo (GET …/photo/$value): its bytes, content type and ETag; none for 404 ImageNotFound.
    func readPhoto(_ target: PhotoTarget) async -> PhotoRead

    /// Reads `target`'s photo metadata (GET …/photo): ETag, content type and pixel size; none for ImageNotFound.
    func photoMetadata(_ target: PhotoTarget) async -> PhotoMetadataRead

    /// Finds the users that `keys` (UPN, mail, employeeId or object id) name, in batches.
    ///
    /// - Throws: `GraphError` when look-ups are impossible: sign-in failed, User.Read.All missing (`.blocked`),
    ///   Graph unreachable (`.network`).
    func resolveUsers(keys: [String], by match: MatchKey) async throws(GraphError) -> [String: UserLookup]

    /// Reads, without changing anything, whether each target exists, is enabled and has a photo, in batches.
    ///
    /// - Throws: `GraphError` when the look-ups as a whole fail (sign-in, refused, unreachable); a single
    ///   target's trouble is its `TargetState.problem`.
    func lookupTargets(_ targets: [PhotoTarget]) async throws(GraphError) -> [PhotoTarget: TargetState]

    /// For `--target contacts`, instead of `preflight()`: whether this identity may set the photos of `mailbox`'s
    /// contacts (Contacts.ReadWrite; the mailbox exists, has a mailbox and holds the folder), with the folder's id in
    /// `PolicyReport.contacts`; never throws.
    func preflightContacts(in mailbox: Mailbox) async -> PolicyReport

    /// Finds the contacts of `user`'s mailbox (default Contacts folder, or the folder `folderID`) that have each of
    /// `addresses` among their email addresses, in batches.
    ///
    /// - Throws: `GraphError` when look-ups are impossible: sign-in failed, Contacts.ReadWrite missing
    ///   (`.blocked`), Graph unreachable (`.network`).
    func resolveContacts(
        addresses: [String], mailbox user: String, folderID: String?
    ) async throws(GraphError) -> [String: ContactLookup]
}

extension GraphService {
    /// A service that knows nothing of contacts judges nothing: verdict unknown, with the reason.
    public func preflightContacts(in mailbox: Mailbox) async -> PolicyReport {
        PolicyReport.evaluateContacts(
            identity: SignedInIdentity(offline: ()), check: ContactFolderCheck(mailbox: mailbox, found: nil),
            problem: .unknown("\(type(of: self)) does not serve contacts"))
    }

    /// A service that knows nothing of contacts finds none: every address fails with the reason.
    public func resolveContacts(
        addresses: [String], mailbox user: String, folderID: String?
    ) async throws(GraphError) -> [String: ContactLookup] {
        Dictionary(
            addresses.map { ($0, ContactLookup.failed("\(type(of: self)) does not serve contacts")) },
            uniquingKeysWith: { first, _ in first })
    }
}

extension GraphService {
    /// Graph stores JPEGs: by default the bytes go up as `putPhoto(_:jpeg:)` sends them.
    public func putPhoto(_ target: PhotoTarget, bytes: Data, contentType: String) async -> GraphOutcome {
        await putPhoto(target, jpeg: bytes)
    }

    /// A Graph that cannot list users says so.
    public func listUsers() async throws(GraphError) -> [DirectoryUser] {
        throw GraphError(.configuration, "listing every user needs the tenant (not available offline)")
    }
}

/// A photo as Graph stores it.
public struct StoredPhoto: Sendable, Hashable {
    /// The bytes exactly as Graph returned them (Graph re-encodes every upload).
    public var bytes: Data
    /// The `Content-Type` Graph gave, e.g. `image/jpeg`.
    public var contentType: String?
    /// The `ETag`; it changes at every upload, even of identical bytes.
    public var etag: String?

    /// Creates a photo record.
    public init(bytes: Data, contentType: String?, etag: String?) {
        self.bytes = bytes
        self.contentType = contentType
        self.etag = etag
    }
}

/// What reading a target's photo found.
public struct PhotoRead: Sendable {
    /// The request's end: success (with or without a photo) or why it failed.
    public var outcome: GraphOutcome
    /// The photo; `nil` with a successful outcome when the target has none (404 ImageNotFound).
    public var photo: StoredPhoto?

    /// Creates a result.
    public init(outcome: GraphOutcome, photo: StoredPhoto?) {
        self.outcome = outcome
        self.photo = photo
    }
}

/// A photo's metadata, from Graph's `profilePhoto` entity (`height`, `width`) and its media annotations.
public struct PhotoMetadata: Sendable, Hashable {
    /// `@odata.mediaEtag`.
    public var etag: String?
    /// `@odata.mediaContentType`.
    public var contentType: String?
    /// Pixel size of the stored photo.
    public var width: Int?
    public var height: Int?

    /// Creates metadata.
    public init(etag: String?, contentType: String?, width: Int?, height: Int?) {
        self.etag = etag
        self.contentType = contentType
        self.width = width
        self.height = height
    }
}

extension PhotoMetadata {
    /// Reads a `profilePhoto` JSON object; `nil` for the placeholder Graph answers for a user whose photo was never
    /// set: 200 with a 1×1 `image/gif` and an empty `@odata.mediaEtag` (profilephoto-get, "Get the metadata of the
    /// user photo of the signed-in user": https://learn.microsoft.com/graph/api/profilephoto-get). Team and group
    /// photos carry `@odata.mediaEtag` too (the same page's team example).
    init?(json object: [String: any Sendable]) {
        func number(_ name: String) -> Int? {
            switch object[name] {
            case let value as Int: value
            case let value as Double: Int(value)
            case let value as NSNumber: value.intValue
            default: nil
            }
        }
        let etag = object["@odata.mediaEtag"] as? String
        let width = number("width"), height = number("height")
        if width == 1, height == 1 { return nil }
        self.init(
            etag: etag?.isEmpty == false ? etag : nil, contentType: object["@odata.mediaContentType"] as? String,
            width: width, height: height)
    }
}

/// What reading a target's photo metadata found.
public struct PhotoMetadataRead: Sendable {
    /// The request's end: success (with or without a photo) or why it failed.
    public var outcome: GraphOutcome
    /// The metadata; `nil` with a successful outcome when the target has no photo.
    public var metadata: PhotoMetadata?

    /// Creates a result.
    public init(outcome: GraphOutcome, metadata: PhotoMetadata?) {
        self.outcome = outcome
        self.metadata = metadata
    }
}
