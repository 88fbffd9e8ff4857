import Foundation

/// The time source and sleeper behind token expiry, `Retry-After` and backoff, so tests can record the delays
/// requested without waiting for them.
public protocol GraphClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Waits `seconds`; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// Wall-clock time and real sleeps.
public struct SystemClock: GraphClock {
    /// Creates the system clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
