import Foundation
import PhotoModel

/// One run as a report shows it: what ran, when, how fast, and what the tenant's photo policy said.
///
/// Counts by outcome are not stored here: the writer derives them from the items it is given, so the summary
/// at the top of a report can never disagree with its rows (`Outcome.counts(in:)`).
public struct ReportRun: Sendable, Hashable {
    /// The journal's run id.
    public var id: String
    /// Upload or dry run.
    public var kind: RunKind
    /// When the run started.
    public var startedAt: Date
    /// When the run ended; nil while it is still running or when it was killed.
    public var endedAt: Date?
    /// The policy verdict in a few words, e.g. `allowed`, `blocked: source is onPremises`, `not checked (offline)`.
    public var policyVerdict: String
    /// Why the verdict is what it is (settings read, roles held), one or two sentences.
    public var policyExplanation: String
    /// Whether the policy lets this identity upload: true, false, or nil when unknown or not checked.
    public var policyAllowsUploads: Bool?
    /// The command's arguments (without the program name); secrets are masked on the way in.
    public private(set) var arguments: [String]
    /// The tenant id or domain, when known.
    public var tenant: String?
    /// The Graph host the run talked to (e.g. `graph.microsoft.com` or the emulator's `127.0.0.1:8443`).
    public var graphHost: String?
    /// An explicit duration in seconds; when nil, `duration` is computed from the start and end.
    public var measuredDuration: TimeInterval?
    /// An explicit throughput in items per second; when nil, `throughput(itemCount:)` computes one.
    public var measuredThroughput: Double?
    /// `photoprov restore`: the run whose changes this run put back.
    public var restoresRun: String?

    /// Creates a run; `arguments` pass through `Redaction.arguments` so reports never show a secret.
    public init(
        id: String, kind: RunKind, startedAt: Date, endedAt: Date? = nil, policyVerdict: String = "not checked",
        policyExplanation: String = "", policyAllowsUploads: Bool? = nil, arguments: [String] = [],
        tenant: String? = nil, graphHost: String? = nil, duration: TimeInterval? = nil, throughput: Double? = nil
    ) {
        self.id = id
        self.kind = kind
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.policyVerdict = policyVerdict
        self.policyExplanation = policyExplanation
        self.policyAllowsUploads = policyAllowsUploads
        self.arguments = Redaction.arguments(arguments)
        self.tenant = tenant
        self.graphHost = graphHost
        self.measuredDuration = duration
        self.measuredThroughput = throughput
    }

    /// Replaces the arguments, masking secrets.
    public mutating func setArguments(_ arguments: [String]) {
        self.arguments = Redaction.arguments(arguments)
    }

    /// The run's length in seconds: the explicit duration, else end minus start, else nil.
    public var duration: TimeInterval? {
        if let measuredDuration { return measuredDuration }
        guard let endedAt else { return nil }
        return max(0, endedAt.timeIntervalSince(startedAt))
    }

    /// Items per second: the explicit figure, else `itemCount / duration` (nil without a positive duration).
    public func throughput(itemCount: Int) -> Double? {
        if let measuredThroughput { return measuredThroughput }
        guard let duration, duration > 0 else { return nil }
        return Double(itemCount) / duration
    }
}

extension RunKind {
    /// A short label for people.
    public var label: String { self == .upload ? "Upload" : "Dry run" }
}

extension ReportRun {
    /// What the run was, for people: `Upload`, `Dry run`, `Restore of run 3`, `Dry run: restore of run 3`.
    public var label: String {
        guard let restoresRun else { return kind.label }
        return kind == .dryRun ? "Dry run: restore of run \(restoresRun)" : "Restore of run \(restoresRun)"
    }
}
