import Foundation
import PhotoGraph
import PhotoJournal
import PhotoModel
import PhotoReports
import PhotoSources

/// What an upload (or dry) run did, for the closing lines, the exit code and the report.
public struct UploadSummary: Sendable {
    /// The journal's run id.
    public var runID: Int64
    /// Upload or dry run.
    public var kind: Journal.RunKind
    /// Whether this invocation continued an interrupted run.
    public var resumed: Bool
    /// Items per state for the whole run.
    public var counts: Journal.Counts
    /// The tenant policy preflight, when one ran.
    public var policy: PolicyReport?
    /// Whether the run refused to start because the policy or a permission blocks uploads.
    public var blocked: Bool
    /// Why the run stopped early, if it did (signal or `--max-duration`).
    public var stoppedBy: StopFlag.Reason?
    /// Items left for the next run of the same command (`--max-items`, `--max-duration`, a signal).
    public var leftForNextRun: Int
    /// Keys that hold a photo from an earlier run but are no longer in the source (untouched without
    /// `--remove-missing`).
    public var missingFromSource: [String]
    /// Why `--remove-missing` removed none of them (the source may not be whole, or more would go than
    /// `--max-removals` allows); `nil` when it removed them or was not asked to.
    public var removalsRefused: String?
    /// Whose photos the run set.
    public var target: TargetKind
    /// Wall-clock seconds of this invocation.
    public var seconds: Double
    /// The journal file.
    public var journalPath: String
    /// The report files, when a report was written.
    public var report: ReportWriter.Files?

    /// Whether some items failed or were invalid.
    public var hasFailures: Bool { counts[.failed] + counts[.invalid] > 0 }
}

extension UploadSummary {
    /// The summary of a run just started (or resumed), before anything is done.
    init(starting start: Journal.Start, target: TargetKind, journalPath: String) {
        self.init(
            runID: start.run.id, kind: start.run.kind, resumed: start.resumed, counts: Journal.Counts(), policy: nil,
            blocked: false, stoppedBy: nil, leftForNextRun: 0, missingFromSource: [], target: target, seconds: 0,
            journalPath: journalPath, report: nil)
    }
}
