/// Whether a run uploads or only reports what it would do.
public enum RunKind: String, Sendable, Hashable, CaseIterable, Codable {
    case upload
    case dryRun = "dry-run"
}

/// Where a run stands. Every status but `completed` can be resumed by the same command.
public enum RunStatus: String, Sendable, Codable {
    case running, completed, interrupted, failed

    /// Whether the same command started again continues this run.
    public var isResumable: Bool { self != .completed }
}
