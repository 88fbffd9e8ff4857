import Synchronization

/// Set once when the run should stop taking new items (SIGINT/SIGTERM, `--max-duration`); read by every task,
/// awaited by the one that enforces the grace period.
public final class StopFlag: Sendable {
    /// Why the run stops early.
    public enum Reason: String, Sendable {
        case interrupted
        case timeLimit = "time limit"
    }

    private struct State {
        var reason: Reason?
        var waiters: [UInt64: CheckedContinuation<Reason?, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a flag that is not set.
    public init() {}

    /// Sets the flag; the first reason wins. Wakes every task waiting in `stopped()`.
    public func stop(_ reason: Reason) {
        let waiters = state.withLock { state -> [CheckedContinuation<Reason?, Never>] in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: reason) }
    }

    /// The reason, once set.
    public var reason: Reason? { state.withLock { $0.reason } }

    /// Whether the flag is set.
    public var isSet: Bool { reason != nil }

    /// Waits until the flag is set and returns why; `nil` when the waiting task is cancelled first.
    public func stopped() async -> Reason? {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Reason?? in
                    if let reason = state.reason { return .some(reason) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }
}
