import Foundation

/// Limits requests in flight and adapts the limit to throttling (AIMD).
///
/// The limit halves when a request started under the current limit is answered 429, and grows by one after each
/// run of `limit` consecutive successes, never above `maximum`. A 429's `Retry-After` also pauses every new request
/// until it has passed, so the waiting requests do not all burst into an empty bucket together. A tenant that
/// throttles gets fewer parallel requests instead of a hammering; when it recovers, throughput climbs back.
public actor AdaptiveLimiter {
    /// How a finished request should move the limit.
    public enum Signal: Sendable {
        /// Answered without throttling.
        case success
        /// Answered 429.
        case throttled
        /// Neither (network error, 4xx): leaves the limit as it is.
        case neutral
    }

    /// A held slot; give it back to ``release(_:_:)``.
    public struct Ticket: Sendable {
        let generation: Int
    }

    /// The ceiling (`--concurrency`).
    public let maximum: Int
    /// The current in-flight limit, 1...maximum.
    public private(set) var limit: Int
    /// Requests holding a slot now.
    public private(set) var inFlight = 0
    /// The lowest the limit has been.
    public private(set) var lowestLimit: Int
    /// How many times the limit was halved.
    public private(set) var decreases = 0
    /// How many times the limit grew.
    public private(set) var increases = 0

    /// No slot is handed out before this time (the latest `Retry-After` of a 429).
    public private(set) var pausedUntil: Date?
    private let clock: any GraphClock
    private var generation = 0
    private var successRun = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiter: UInt64 = 0

    /// Creates a limiter starting at `maximum`; `clock` times pauses.
    public init(maximum: Int, clock: any GraphClock = SystemClock()) {
        self.clock = clock
        self.maximum = max(1, maximum)
        self.limit = max(1, maximum)
        self.lowestLimit = max(1, maximum)
    }

    /// Waits for a free slot (first come, first served).
    ///
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func acquire() async throws -> Ticket {
        if pausedUntil == nil && inFlight < limit && waiters.isEmpty {
            inFlight += 1
            return Ticket(generation: generation)
        }
        nextWaiter += 1
        let id = nextWaiter
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        return Ticket(generation: generation)
    }

    /// Runs `body` holding a slot, and gives the slot back with the signal `body` returns (`.neutral` when it
    /// throws): the slot cannot leak, whichever way `body` ends.
    ///
    /// - Throws: `CancellationError` when cancelled while waiting for a slot; what `body` throws.
    public nonisolated func withSlot<T>(_ body: () async throws -> (value: T, signal: Signal)) async throws -> T {
        let ticket = try await acquire()
        let outcome: (value: T, signal: Signal)
        do {
            outcome = try await body()
        } catch {
            await release(ticket, .neutral)
            throw error
        }
        await release(ticket, outcome.signal)
        return outcome.value
    }

    /// Gives a slot back and adapts the limit to how its request went.
    public func release(_ ticket: Ticket, _ signal: Signal) {
        inFlight -= 1
        switch signal {
        case .success:
            successRun += 1
            if successRun >= limit {
                successRun = 0
                if limit < maximum {
                    limit += 1
                    increases += 1
                }
            }
        case .throttled:
            successRun = 0
            // Only the first 429 of requests started under this limit halves it; the rest were already in flight.
            if ticket.generation == generation {
                limit = max(1, limit / 2)
                lowestLimit = min(lowestLimit, limit)
                decreases += 1
                generation += 1
            }
        case .neutral:
            break
        }
        wake()
    }

    /// Holds back every waiting and new request for `seconds` (a 429's `Retry-After`); extends, never shortens,
    /// a pause.
    public func pause(seconds: Double) {
        guard seconds > 0 else { return }
        let until = clock.now().addingTimeInterval(seconds)
        guard pausedUntil.map({ until > $0 }) ?? true else { return }
        pausedUntil = until
        Task { [clock] in
            try? await clock.sleep(seconds: seconds)
            self.endPause(until)
        }
    }

    private func endPause(_ until: Date) {
        guard pausedUntil == until else { return }
        pausedUntil = nil
        wake()
    }

    private func wake() {
        while pausedUntil == nil, inFlight < limit, !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            inFlight += 1
            waiter.continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
