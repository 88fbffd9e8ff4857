/// What happened to one item of a run, as people read it: the item state, with work still to do folded into
/// `pending` and a dry run's failures shown as predictions.
///
/// The raw value is the stable spelling written to report.json, report.csv and the HTML filter. Adding an outcome
/// is one `case` plus its `label` and `tone` (Reports); every report picks it up through `allCases`.
public enum Outcome: String, Sendable, Hashable, CaseIterable, Codable {
    /// The photo was sent to Graph and accepted.
    case uploaded
    /// The journal shows the same photo was already uploaded with the same settings; nothing was sent.
    case unchanged
    /// Converting or uploading failed (Graph error, network, codec failure on a readable file).
    case failed
    /// The input itself is unusable: a malformed row, a missing or undecodable file, an unknown user.
    case invalid
    /// Deliberately left out (filtered, disabled account, policy, duplicate row).
    case skipped
    /// Dry run: the photo converted and the checks passed, so a real run would upload it.
    case wouldUpload = "would-upload"
    /// Dry run: a real run would fail for this item (say why in the reason).
    case wouldFail = "would-fail"
    /// The photo was deleted from Graph.
    case removed
    /// Dry run: `--remove-missing` would delete this photo.
    case wouldRemove = "would-remove"
    /// Not processed yet (an interrupted run).
    case pending
    /// Left as it is on purpose: someone changed the photo outside photoprov since we set it, `--only-missing` and
    /// the target has a photo, or (restore) the photo changed after the restored run (the reason says which).
    case kept
    /// Dry run: a real run would replace the photo the target has now, after backing it up.
    case wouldReplace = "would-replace"
    /// Dry run: a real run would give a photo to a target that has none.
    case wouldAdd = "would-add"
    /// The photo from before the restored run was put back (or removed, where there was none).
    case restored

    /// How a journal state reads for people; in a dry run a failure is a prediction.
    public init(_ state: ItemState, run kind: RunKind) {
        switch state {
        case .uploaded: self = .uploaded
        case .unchanged: self = .unchanged
        case .failed: self = kind == .dryRun ? .wouldFail : .failed
        case .invalid: self = .invalid
        case .skipped: self = .skipped
        case .removed: self = .removed
        case .wouldUpload: self = .wouldUpload
        case .wouldRemove: self = .wouldRemove
        case .kept: self = .kept
        case .wouldReplace: self = .wouldReplace
        case .wouldAdd: self = .wouldAdd
        case .restored: self = .restored
        case .pending, .converted, .uploading, .verifying, .removing: self = .pending
        }
    }
}
