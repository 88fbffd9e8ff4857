import Foundation

/// Limits requests in flight and adapts the limit to throttling (AIMD), and paces request starts at the rate the
/// service was seen to allow.
///
/// The limit halves when a request started under the current limit is answered 429, and grows by one after each
/// run of `limit` consecutive successes, never above `maximum`. A 429's `Retry-After` also pauses every new request
/// until it has passed, so the waiting requests do not all burst into an empty bucket together. A tenant that
/// throttles gets fewer parallel requests instead of a hammering; when it recovers, throughput climbs back.
///
/// Fewer requests in flight do not slow a fast service down (on a quick network one request at a time can still
/// send dozens a second), so a 429 also sets a pace: `paceBackoff` times the rate of successes since the last
/// pause ended (over at least 1 s and at most `paceWindow` seconds), which is about what the service let through
/// before it refused. Requests then start at most that often, and the pace rises by `paceGrowth` per success
/// (about 5% a second at any rate) until the next 429 measures again. Under a steady limit the pace settles just
/// below it and 429s become rare instead of every other answer.
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
    /// Requests started per second at most, learnt from the last 429; `nil` (no pace) until a service throttles.
    public private(set) var pace: Double?

    /// Seconds of successes a 429 measures the allowed rate over, at most.
    public static let paceWindow: Double = 5
    /// The share of the measured rate the pace is set to, just under what was refused.
    public static let paceBackoff: Double = 0.9
    /// How much the pace grows per success, in requests per second.
    public static let paceGrowth: Double = 0.05
    /// The pace never falls below this many requests per second.
    public static let slowestPace: Double = 0.1

    private let clock: any GraphClock
    /// Since when requests have flowed without a pause: the limiter's creation, then the end of the last pause.
    private var flowingSince: Date
    /// When the most recent successes were answered, oldest first (at most `recentLimit`).
    private var recentSuccesses: [Date] = []
    private static let recentLimit = 4096
    /// The earliest time the next request may start under the pace.
    private var nextStart: Date?
    private var generation = 0
    private var successRun = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiter: UInt64 = 0

    /// Creates a limiter starting at `maximum`; `clock` times pauses.
    public init(maximum: Int, clock: any GraphClock = SystemClock()) {
        self.clock = clock
        self.flowingSince = clock.now()
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
            let wait = await reserveStart()
            if wait > 0 { try await clock.sleep(seconds: wait) }
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
            recentSuccesses.append(clock.now())
            if recentSuccesses.count > Self.recentLimit { recentSuccesses.removeFirst(recentSuccesses.count / 2) }
            if let pace { self.pace = pace + Self.paceGrowth }
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
            measurePace()
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

    /// The seconds the caller, holding a slot, waits before its request starts under the pace (0 without one);
    /// books the start, so requests that take slots at the same moment are spread out in order.
    func reserveStart() -> Double {
        guard let pace else { return 0 }
        let now = clock.now()
        let start = max(now, nextStart ?? now)
        nextStart = start.addingTimeInterval(1 / pace)
        return start.timeIntervalSince(now)
    }

    /// Sets the pace from what the service let through: the successes since requests last started flowing
    /// (over at least 1 s, at most `paceWindow`), per second, times `paceBackoff`. Without a success in that time
    /// there is nothing to measure and the pace stays as it was.
    private func measurePace() {
        let now = clock.now()
        let window = min(Self.paceWindow, max(1, now.timeIntervalSince(flowingSince)))
        let since = now.addingTimeInterval(-window)
        let admitted = recentSuccesses.reversed().prefix { $0 > since }.count
        guard admitted > 0 else { return }
        pace = max(Self.slowestPace, Self.paceBackoff * Double(admitted) / window)
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
        flowingSince = clock.now()
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
