/// What an item asks of Graph: set its photo, or (with `--remove-missing`) delete the one we set.
public enum ItemAction: String, Sendable, Codable {
    case upload
    case remove
}

/// Where one item of a run stands. Raw values are what the journal stores and `status` prints.
public enum ItemState: String, Sendable, Codable, CaseIterable {
    /// Planned; nothing done yet.
    case pending
    /// The JPEG was produced (output facts recorded); not sent yet.
    case converted
    /// The PUT was about to be sent (recorded first, so a crash leaves it here and resume retries it).
    case uploading
    /// Graph accepted the PUT; the photo is being read back (its size checked, its ETag taken). A crash leaves it
    /// here, and resume only reads it back: the photo is not sent again.
    case verifying
    /// Graph accepted the photo; the last-upload record was updated in the same transaction.
    case uploaded
    /// Sync found the same source SHA-256 and settings fingerprint as the last successful upload.
    case unchanged
    /// Given up: the failure reason, HTTP status, Graph code, request-id and message say why.
    case failed
    /// The source row failed validation (reason says which rule).
    case invalid
    /// Not attempted in this run (e.g. `--max-items` or `--max-duration` reached).
    case skipped
    /// The DELETE was about to be sent.
    case removing
    /// The photo was deleted; the last-upload record was dropped in the same transaction.
    case removed
    /// Dry run: would be uploaded.
    case wouldUpload = "would-upload"
    /// Dry run: would be deleted by `--remove-missing`.
    case wouldRemove = "would-remove"
    /// Left as it is: the photo was changed outside photoprov since we set it (`--overwrite-others` replaces it),
    /// the target has a photo and `--only-missing` was given, or a restore would lose a later change.
    case kept
    /// Dry run: would replace the photo the target has now (a backup is taken first).
    case wouldReplace = "would-replace"
    /// Dry run: would give a photo to a target that has none.
    case wouldAdd = "would-add"
    /// `photoprov restore`: the photo from before the restored run was put back (or deleted, if there was none).
    case restored

    /// Whether the item still has work to do when its run is resumed: `pending`, `converted`,
    /// `uploading` (in flight at a crash: offered again), `verifying` (read back only) and `removing`.
    public var needsWork: Bool {
        switch self {
        case .pending, .converted, .uploading, .verifying, .removing: true
        default: false
        }
    }

    /// Whether entering this state sends a request and so counts as one more attempt.
    public var countsAttempt: Bool { self == .uploading || self == .removing }

    /// Whether this state ends the item's work successfully (clears an earlier error reason).
    public var isSuccess: Bool {
        [.uploaded, .unchanged, .removed, .wouldUpload, .wouldRemove, .kept, .wouldReplace, .wouldAdd, .restored]
            .contains(self)
    }
}
