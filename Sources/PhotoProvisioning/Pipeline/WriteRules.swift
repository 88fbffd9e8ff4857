import Foundation
import PhotoGraph
import PhotoJournal
import PhotoModel

/// What a target holds now, as the read before a write (or a dry run's look-up) found it.
struct CurrentPhoto: Sendable, Equatable {
    /// Whether it has a photo; `nil` when not known (an offline dry run).
    var hasPhoto: Bool?
    /// The photo's ETag, when it has one and Graph gave it.
    var etag: String?
}

/// Whether a write goes ahead, decided from the photo there now.
enum WriteDecision: Sendable, Equatable {
    /// Write (after the backup).
    case write
    /// Write nothing: the item ends in this state, for this reason.
    case skip(ItemState, String)
}

/// The rules that keep photoprov's hands off photos it should not touch: the first-contact rule, `kept`,
/// `--only-missing`, and what a restore may put back. Pure functions of what is known, so tests state them.
enum WriteRules {
    /// Before an upload. First contact (a target photoprov never set) with a photo: replace it, backed up first,
    /// unless `--only-missing`. A photo photoprov set whose ETag changed since: someone else set it; `kept` unless
    /// `--overwrite-others`. A target with no photo: add one.
    static func upload(
        _ current: CurrentPhoto, last: Journal.LastUpload?, onlyMissing: Bool, overwriteOthers: Bool
    ) -> WriteDecision {
        if onlyMissing, current.hasPhoto == true {
            return .skip(.kept, "has a photo already (--only-missing sets photos only for those without one)")
        }
        if !overwriteOthers, let change = changedOutside(current, since: last) {
            return .skip(.kept, change + "; --overwrite-others replaces it")
        }
        return .write
    }

    /// Before `--remove-missing` deletes a photo photoprov set: nothing to do when it is gone already; `kept` when
    /// someone changed it since, unless `--overwrite-others`.
    static func removal(_ current: CurrentPhoto, last: Journal.LastUpload?, overwriteOthers: Bool) -> WriteDecision {
        if current.hasPhoto == false { return .skip(.removed, "had no photo any more; nothing to delete") }
        if !overwriteOthers, let change = changedOutside(current, since: last) {
            return .skip(.kept, change + "; not deleted (--overwrite-others deletes it)")
        }
        return .write
    }

    /// Why the photo there now is not the one photoprov left, or nil when it is, or when that cannot be told (no
    /// ETag recorded, none given now). A photo that is gone is no one's: nothing is lost by setting one.
    static func changedOutside(_ current: CurrentPhoto, since last: Journal.LastUpload?) -> String? {
        guard let last, let left = last.etag, current.hasPhoto == true, let now = current.etag,
            !sameETag(now, left)
        else { return nil }
        return "photo changed outside photoprov since run \(last.runID) set it (ETag \(now), not \(left))"
    }

    /// Whether two ETags name the same version: the `$value` answer's header and the metadata's `@odata.mediaEtag`
    /// may differ in spelling (a weak `W/` prefix, the quotes), never in the opaque value they quote.
    static func sameETag(_ one: String?, _ other: String?) -> Bool {
        func opaque(_ tag: String?) -> String? {
            guard var tag = tag?.trimmingCharacters(in: .whitespaces), !tag.isEmpty else { return nil }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return opaque(one) == opaque(other)
    }

    /// What run `original`'s write should have left: a photo with a known ETag, no photo, a photo whose ETag was
    /// never read, or nothing certain (the write did not finish).
    enum Left: Equatable {
        case photo(etag: String)
        case none
        case unverified
        case unknown
    }

    static func left(by original: Journal.Item?) -> Left {
        guard let original else { return .unknown }
        let done: Set<ItemState> = [.uploaded, .removed, .restored]
        switch original.action {
        case .remove: return done.contains(original.state) ? .none : .unknown
        case .upload:
            if let etag = original.etag { return .photo(etag: etag) }
            return done.contains(original.state) ? .unverified : .unknown
        }
    }

    /// Before a restore puts back `backup` (taken by run `backup.runID` before `original`'s write). Nothing to do
    /// when the photo is as it was; unless `force`, `kept` when a later run or someone outside photoprov changed it
    /// since run N (restoring would lose that change). Graph cannot delete a team photo, so a team that had none
    /// keeps the one run N set.
    static func restore(
        _ current: CurrentPhoto, backup: Journal.Backup, original: Journal.Item?, laterRun: Int64?, force: Bool
    ) -> WriteDecision {
        let run = backup.runID
        guard let hasPhoto = current.hasPhoto else { return .write }
        if hasPhoto == backup.hadPhoto, !hasPhoto || (current.etag != nil && sameETag(current.etag, backup.etag)) {
            return .skip(.unchanged, "already as it was before run \(run)")
        }
        if !force {
            let lose = "; restoring would lose that change (--force restores anyway)"
            if let laterRun { return .skip(.kept, "changed again by run \(laterRun) after run \(run)" + lose) }
            switch left(by: original) {
            case .photo(let etag) where !sameETag(current.etag, etag):
                let now = current.etag.map { "ETag \($0)" } ?? "no photo"
                return .skip(.kept, "changed outside photoprov after run \(run) (\(now), not \(etag))" + lose)
            case .none where hasPhoto:
                return .skip(.kept, "given a photo outside photoprov after run \(run) removed it" + lose)
            case .unknown:
                return .skip(
                    .kept,
                    "run \(run)'s change did not finish, so photoprov cannot tell whether this is the photo "
                        + "it left (--force restores anyway)")
            default: break
            }
        }
        if !backup.hadPhoto, backup.target == .teams {
            return .skip(
                .skipped,
                "had no photo before run \(run), and graph cannot delete a team photo (profilephoto-delete "
                    + "supports users and groups only), so the photo run \(run) set stays")
        }
        return .write
    }

    /// Why the photo Graph holds after an upload is not the one sent, or nil when it is: the same pixel size, or for
    /// a photo larger than 648×648 (the largest HD size Microsoft 365 keeps, profilephoto-get:
    /// https://learn.microsoft.com/graph/api/profilephoto-get) any size no larger with the same shape.
    static func mismatch(stored: PhotoMetadata, sentWidth: Int, sentHeight: Int) -> String? {
        guard let width = stored.width, let height = stored.height else {
            return "graph gave no size for the photo it holds"
        }
        if width == sentWidth && height == sentHeight { return nil }
        let largest = 648
        let sameShape = abs(width * sentHeight - height * sentWidth) <= max(sentWidth, sentHeight)
        if max(sentWidth, sentHeight) > largest, width <= sentWidth, height <= sentHeight, sameShape { return nil }
        return "graph holds a \(width)×\(height) photo after the upload, not the \(sentWidth)×\(sentHeight) one sent"
    }
}
