import PhotoModel

extension Outcome {
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
        case .kept: "Kept"
        case .wouldReplace: "Would replace"
        case .wouldAdd: "Would add"
        case .restored: "Restored"
        }
    }

    /// How the outcome reads at a glance; the HTML colours badges by it (always alongside the label).
    public var tone: Tone {
        switch self {
        case .uploaded, .wouldUpload, .removed, .wouldAdd, .restored: .good
        case .unchanged, .skipped, .pending, .wouldReplace: .neutral
        case .wouldFail, .wouldRemove, .kept: .warning
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
    public static func counts(in items: [ReportItem]) -> [Outcome: Int] {
        var counts = Dictionary(uniqueKeysWithValues: allCases.map { ($0, 0) })
        for item in items { counts[item.outcome, default: 0] += 1 }
        return counts
    }
}
