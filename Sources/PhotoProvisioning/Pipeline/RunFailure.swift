import PhotoGraph
import PhotoJournal
import PhotoReports

/// A run that stopped because something other than one item failed: the journal, the report, Graph for the whole
/// run (user look-ups refused or unreachable), sign-in. The run is recorded `failed` (when the journal still takes
/// writes) and the same command continues it once the cause is fixed.
public struct RunFailure: Error, CustomStringConvertible, Sendable {
    /// The journal's run id.
    public let runID: Int64
    /// What stopped the run: a `JournalError`, `ReportError`, `GraphError`, `PipelineError`, …
    public let cause: any Error & Sendable
    /// Why the run could not be recorded `failed`, when it could not (the journal itself is the cause, usually).
    public let unrecorded: String?

    /// Wraps `cause` for run `runID`.
    public init(runID: Int64, cause: any Error & Sendable, unrecorded: String? = nil) {
        self.runID = runID
        self.cause = cause
        self.unrecorded = unrecorded
    }

    public var description: String {
        let recorded = unrecorded == nil ? "recorded as failed; " : "not recorded (\(unrecorded!)); "
        return "run \(runID) stopped: \(cause) (\(recorded)fix this and run the same command again to continue)"
    }
}

/// A failure of the pipeline's own bookkeeping, not of one item.
public struct PipelineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Items that still needed work when the run ended without a stop anyone asked for.
    public let unfinished: Int

    /// An error for `unfinished` items left behind.
    public init(unfinished: Int) { self.unfinished = unfinished }

    public var description: String {
        "\(unfinished) item(s) were left unfinished although no stop was asked for"
    }
}
