/// What happened to one item of a run, as reports show it.
///
/// The raw value is the stable spelling written to report.json, report.csv and the HTML filter. Adding an outcome
/// is one `case` plus its `label` and `tone`; every report picks it up through `allCases`.
public enum ReportOutcome: String, Sendable, Hashable, CaseIterable, Codable {
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

    /// A short label for people.
    public var label: String {
        switch self {
        case .uploaded: "Uploaded"
        case .unchanged: "Unchanged"
        case .failed: "Failed"
        case .invalid: "Invalid"
        case .skipped: "Skipped"
        case .wouldUpload: "Would upload"
        case .wouldFail: "Would fail"
        case .removed: "Removed"
        case .wouldRemove: "Would remove"
        case .pending: "Pending"
        }
    }

    /// How the outcome reads at a glance; the HTML colours badges by it (always alongside the label).
    public var tone: Tone {
        switch self {
        case .uploaded, .wouldUpload, .removed: .good
        case .unchanged, .skipped, .pending: .neutral
        case .wouldFail, .wouldRemove: .warning
        case .failed, .invalid: .bad
        }
    }

    /// Whether the outcome needs someone's attention (listed first by the HTML's "problems first" order).
    public var isProblem: Bool { tone == .bad || tone == .warning }

    /// The feel of an outcome.
    public enum Tone: String, Sendable {
        case good, neutral, warning, bad
    }

    /// How many items have each outcome, with every outcome present (zero when none).
    public static func counts(in items: [ReportItem]) -> [ReportOutcome: Int] {
        var counts = Dictionary(uniqueKeysWithValues: allCases.map { ($0, 0) })
        for item in items { counts[item.outcome, default: 0] += 1 }
        return counts
    }
}
