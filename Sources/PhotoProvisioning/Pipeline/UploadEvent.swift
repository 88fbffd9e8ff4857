import PhotoJournal
import PhotoModel

/// What an upload run tells the person (or log collector) watching it; the executable renders these.
public enum UploadEvent: Sendable {
    /// The plan is known: how many items the run holds and how many still need work.
    case planned(Plan)
    /// One item reached a final state in this run.
    case item(ItemEvent)
    /// Something worth a line of its own (ignored files, users no longer in the source, policy notes).
    case note(String)
    /// The run stops taking new items (signal or time limit); items in flight finish.
    case stopping(StopFlag.Reason)

    /// The shape of a run before its items are processed.
    public struct Plan: Sendable {
        /// The journal's run id.
        public var runID: Int64
        /// Whether an interrupted run of the same command is being continued.
        public var resumed: Bool
        /// Every item of the run, invalid ones included.
        public var total: Int
        /// Items this invocation will work on (after `--max-items`).
        public var toDo: Int
        /// Items already finished by an earlier, interrupted invocation of this run.
        public var alreadyDone: Int
    }
}

/// One item's final state in this run.
public struct ItemEvent: Sendable {
    /// The user, group or team key as the source named it.
    public var key: String
    /// Where it came from: `line 4` or a file name.
    public var location: String?
    /// The state reached.
    public var state: Journal.ItemState
    /// The reason for a failure, or the facts of a success (`98.2 KB 648×648 q85`).
    public var detail: String
}
