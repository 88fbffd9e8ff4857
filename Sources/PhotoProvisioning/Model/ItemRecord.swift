import Foundation

/// One item of a run: who gets which photo, what is known about the photo, and where the item stands.
///
/// The journal stores and returns these; reports show them. The codec's own result type is mapped into `photo`
/// once, where the pipeline calls the codec.
public struct ItemRecord: Sendable, Hashable {
    /// The journal's item id (0 before it is stored).
    public var id: Int64
    public var runID: Int64
    public var action: ItemAction
    public var target: TargetKind
    public var match: MatchKey
    /// The key as the source gave it, normalised (UPNs, mail addresses and GUIDs lower-case).
    public var key: String
    /// Contacts: the mailbox (and folder) holding the contact, part of the item's identity; `nil` for other targets.
    public var mailbox: Mailbox?
    /// The person's name as the source gave it (the CSV's display-name column), when it has one.
    public var displayName: String?
    /// The object id Graph knows the target by, once resolved (`--match mail|employeeId`, dry runs).
    public var resolvedID: String?
    /// The CSV line where the row starts; `nil` for folder sources.
    public var line: Int?
    /// The photo file as an absolute path.
    public var sourcePath: String?
    /// The codec settings fingerprint the item was planned with.
    public var fingerprint: String?
    /// The photo's facts.
    public var photo: PhotoFacts
    public var state: ItemState
    /// How many times the item entered `uploading` or `removing`.
    public var attempts: Int
    /// Graph's answer to the last request.
    public var reply: GraphReply
    /// Why the item failed, classified; `nil` unless it failed (and for items of journals older than schema 2).
    public var failure: FailureReason?
    /// Why, in words: the failure's message, a refused row's rule, a dry run's note.
    public var reason: String?
    /// The photo's ETag right after this item's write (read back once after an upload); `nil` before, for a
    /// deletion, or when it could not be read. What a later run and `restore` compare to notice outside changes.
    public var etag: String?
    /// `photoprov restore`: the journal's backup this item puts back; `nil` for every other item.
    public var restoresBackup: Int64?
    public var createdAt: Date
    public var updatedAt: Date

    /// Creates a record; the defaults describe a new upload item of a user keyed by UPN.
    public init(
        id: Int64 = 0, runID: Int64 = 0, action: ItemAction = .upload, target: TargetKind = .users,
        match: MatchKey = .upn, key: String, mailbox: Mailbox? = nil, displayName: String? = nil,
        resolvedID: String? = nil, line: Int? = nil, sourcePath: String? = nil, fingerprint: String? = nil,
        photo: PhotoFacts = PhotoFacts(), state: ItemState = .pending, attempts: Int = 0,
        reply: GraphReply = GraphReply(), failure: FailureReason? = nil, reason: String? = nil,
        etag: String? = nil, restoresBackup: Int64? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.runID = runID
        self.action = action
        self.target = target
        self.match = match
        self.key = key
        self.mailbox = mailbox
        self.displayName = displayName
        self.resolvedID = resolvedID
        self.line = line
        self.sourcePath = sourcePath
        self.fingerprint = fingerprint
        self.photo = photo
        self.state = state
        self.attempts = attempts
        self.reply = reply
        self.failure = failure
        self.reason = reason
        self.etag = etag
        self.restoresBackup = restoresBackup
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
