import Foundation
import PhotoModel

extension Journal {
    // The shared vocabulary (PhotoModel) under the names the journal's callers have used.
    public typealias RunKind = PhotoModel.RunKind
    public typealias RunStatus = PhotoModel.RunStatus
    public typealias Action = ItemAction
    public typealias ItemState = PhotoModel.ItemState

    /// One run: an upload or dry run of one command.
    public struct Run: Sendable, Equatable {
        public var id: Int64
        public var kind: RunKind
        /// What identifies "the same command" for resume (source + target + match + settings fingerprint).
        public var commandKey: String
        /// The command's arguments with secret values redacted.
        public var arguments: [String]
        /// The tenant photo-policy verdict; `nil` until the run recorded one.
        public var verdict: Verdict?
        /// The verdict's first reason (blocked, unknown), or why it was not checked (offline).
        public var verdictDetail: String?
        public var startedAt: Date
        public var endedAt: Date?
        public var status: RunStatus
        /// `photoprov restore`: the run whose changes this run puts back; `nil` for uploads and dry runs.
        public var restoresRun: Int64?

        /// Seconds from start to end (or to now while running).
        public var duration: TimeInterval { (endedAt ?? Date()).timeIntervalSince(startedAt) }

        /// The verdict for people: `allowed`, `blocked: …`, `not checked (offline)`; `not checked` before one.
        public var verdictText: String { verdict?.text(detail: verdictDetail) ?? "not checked" }
    }

    /// What `startRun` returns: the run to work in, whether it is a resumed one, and its items so far.
    public struct Start: Sendable {
        public var run: Run
        /// `true` when an unfinished run with the same kind and command key was found and continues.
        public var resumed: Bool
        /// The run's items as they stand (empty for a new run).
        public var items: [Item]
    }

    /// An item to add to a run: a record whose id, run, attempts and times the journal fills in. `pending` for
    /// work to do; `invalid` (with `reason`) for rows that failed validation. Pass `key` normalised (sources
    /// lower-case UPNs): it is compared exactly.
    public typealias NewItem = ItemRecord

    /// One item of a run as the journal holds it: the shared record.
    public typealias Item = ItemRecord

    /// A state change and the facts learnt with it; `nil` fields keep their stored value.
    ///
    /// Entering `uploading` or `removing` adds one attempt. Entering a success state without a `reason`
    /// clears the reason, failure and Graph code left by an earlier failed attempt.
    public struct ItemUpdate: Sendable, Equatable {
        public var state: ItemState
        public var resolvedID: String?
        public var fingerprint: String?
        /// Replaces every photo fact when set.
        public var photo: PhotoFacts?
        /// Replaces the HTTP status, Graph code and request-id when set.
        public var reply: GraphReply?
        public var failure: FailureReason?
        public var reason: String?
        /// The photo's ETag after the write, read back once (entering `uploaded` also gives it to `last_upload`).
        public var etag: String?

        /// A change to `state`; set the other fields as needed.
        public init(
            _ state: ItemState, failure: FailureReason? = nil, reason: String? = nil, photo: PhotoFacts? = nil,
            reply: GraphReply? = nil
        ) {
            self.state = state
            self.failure = failure
            self.reason = reason
            self.photo = photo
            self.reply = reply
        }
    }

    /// The last successful upload of a photo for one key: what sync compares against.
    public struct LastUpload: Sendable, Equatable {
        public var target: TargetKind
        public var match: MatchKey
        public var key: String
        /// Contacts: the mailbox (and folder) of the contact; `nil` for other targets.
        public var mailbox: Mailbox?
        public var resolvedID: String?
        public var sourceSHA256: String?
        public var fingerprint: String?
        public var uploadedAt: Date
        public var runID: Int64
        public var itemID: Int64
        /// The photo's ETag as we left it (after our upload, or after a restore); `nil` when it was not read.
        public var etag: String?

        /// Whether a source with this SHA-256 converted with this settings fingerprint is `unchanged`.
        public func matches(sourceSHA256: String, fingerprint: String) -> Bool {
            self.sourceSHA256 == sourceSHA256 && self.fingerprint == fingerprint
        }
    }

    /// How many items of a run are in each state.
    public struct Counts: Sendable, Equatable {
        /// Items per state; states with no items are absent.
        public var byState: [ItemState: Int]

        /// Creates counts from items per state.
        public init(byState: [ItemState: Int] = [:]) { self.byState = byState }

        /// The number of items in `state`.
        public subscript(state: ItemState) -> Int { byState[state] ?? 0 }

        /// Every item of the run.
        public var total: Int { byState.values.reduce(0, +) }

        /// Items that still have work to do (`ItemState.needsWork`): planned, converted or in flight.
        public var workLeft: Int { byState.filter { $0.key.needsWork }.values.reduce(0, +) }

        /// The summary names `status --json` prints, in order, with the states each one adds up:
        /// uploaded = uploaded; unchanged = unchanged; failed = failed;
        /// pending = pending + converted + uploading + verifying + removing (work left, e.g. after a kill);
        /// skipped_invalid = invalid + skipped; removed = removed; would_upload = would-upload;
        /// would_remove = would-remove; kept = kept; restored = restored; would_replace = would-replace;
        /// would_add = would-add; total = all items.
        public var summary: [(name: String, count: Int)] {
            [
                ("uploaded", self[.uploaded]),
                ("unchanged", self[.unchanged]),
                ("failed", self[.failed]),
                ("pending", workLeft),
                ("skipped_invalid", self[.invalid] + self[.skipped]),
                ("removed", self[.removed]),
                ("would_upload", self[.wouldUpload]),
                ("would_remove", self[.wouldRemove]),
                ("kept", self[.kept]),
                ("restored", self[.restored]),
                ("would_replace", self[.wouldReplace]),
                ("would_add", self[.wouldAdd]),
                ("total", total),
            ]
        }
    }

    /// Small preview JPEGs for reports: of the source as given and of what was (or would be) uploaded.
    public struct Previews: Sendable, Equatable {
        public var original: Data?
        public var output: Data?
    }

    /// Journal-wide figures for `status`.
    public struct Totals: Sendable, Equatable {
        /// Runs recorded.
        public var runs: Int
        /// Keys that currently hold a photo we uploaded, per target kind.
        public var withPhotos: [TargetKind: Int]
        /// The backups held (`photoprov backups prune` drops old ones).
        public var backups: BackupTotals = BackupTotals()
    }

    /// What the backups take: how many, how many held a photo, and the bytes of the distinct photos kept.
    public struct BackupTotals: Sendable, Equatable {
        /// Backups taken (one per item that changed a photo, or was about to), with a photo or without.
        public var count: Int = 0
        /// Backups of a photo (the rest record that the target had none).
        public var photos: Int = 0
        /// Distinct photos stored (the same bytes are kept once).
        public var distinctPhotos: Int = 0
        /// Bytes of the distinct photos.
        public var bytes: Int = 0
        /// When the oldest backup was taken; `nil` without backups.
        public var oldest: Date?

        /// Creates totals; empty by default.
        public init(count: Int = 0, photos: Int = 0, distinctPhotos: Int = 0, bytes: Int = 0, oldest: Date? = nil) {
            self.count = count
            self.photos = photos
            self.distinctPhotos = distinctPhotos
            self.bytes = bytes
            self.oldest = oldest
        }
    }

    /// How hard each commit is pushed to disk.
    public enum Durability: Sendable {
        /// WAL with `synchronous=NORMAL`: commits survive a killed process; an OS crash or power loss may
        /// drop the last few, which only repeats idempotent uploads on resume.
        case normal
        /// WAL with `synchronous=FULL`: every commit is fsynced before the call returns.
        case full
    }
}
