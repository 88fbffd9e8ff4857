import Synchronization

/// Set once when the run should stop taking new items (SIGINT/SIGTERM, `--max-duration`); read by every task.
public final class StopFlag: Sendable {
    /// Why the run stops early.
    public enum Reason: String, Sendable {
        case interrupted
        case timeLimit = "time limit"
    }

    private let state = Mutex<Reason?>(nil)

    /// Creates a flag that is not set.
    public init() {}

    /// Sets the flag; the first reason wins.
    public func stop(_ reason: Reason) {
        state.withLock { current in
            if current == nil { current = reason }
        }
    }

    /// The reason, once set.
    public var reason: Reason? { state.withLock { $0 } }

    /// Whether the flag is set.
    public var isSet: Bool { reason != nil }
}
