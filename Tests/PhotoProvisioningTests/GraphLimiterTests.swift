import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

/// The AIMD in-flight limit: halves on 429, climbs one step per run of successes, never above the maximum.
@Suite struct GraphLimiterTests {
    @Test func halvesOncePerWindowAndClimbsBack() async throws {
        let limiter = AdaptiveLimiter(maximum: 8)
        var tickets: [AdaptiveLimiter.Ticket] = []
        for _ in 0..<8 { tickets.append(try await limiter.acquire()) }
        #expect(await limiter.inFlight == 8)
        // Several 429s from requests started under the same limit halve it once.
        await limiter.release(tickets.removeFirst(), .throttled)
        await limiter.release(tickets.removeFirst(), .throttled)
        await limiter.release(tickets.removeFirst(), .throttled)
        #expect(await limiter.limit == 4)
        #expect(await limiter.decreases == 1)
        for ticket in tickets { await limiter.release(ticket, .neutral) }
        // A 429 on a request started under the new limit halves again.
        let late = try await limiter.acquire()
        await limiter.release(late, .throttled)
        #expect(await limiter.limit == 2)
        #expect(await limiter.lowestLimit == 2)
        // Each run of `limit` successes adds one.
        for expected in [3, 4, 5, 6, 7, 8, 8] {
            let run = await limiter.limit
            for _ in 0..<run { await limiter.release(try await limiter.acquire(), .success) }
            #expect(await limiter.limit == expected)
        }
    }

    @Test func aWaiterGetsTheFreedSlotAndACancelledOneNever() async throws {
        // Whether each task is already queued when the test acts does not change what must happen, so nothing
        // here waits for it: a cancelled acquire throws, wherever it was, and the held slot goes to the waiter.
        // (Many queued waiters being woken in turn is exercised by throttledTenantConvergesInsteadOfBeingHammered.)
        let limiter = AdaptiveLimiter(maximum: 1)
        let held = try await limiter.acquire()
        let granted = LineSink()
        let waiter = Task {
            let ticket = try await limiter.acquire()
            granted.handler("granted")
            return ticket
        }
        let cancelled = Task { try await limiter.acquire() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { _ = try await cancelled.value }
        #expect(await limiter.inFlight == 1, "only the held slot is out")
        #expect(granted.lines.isEmpty, "nobody gets a slot while the only one is held")
        await limiter.release(held, .success)
        let ticket = try await waiter.value
        #expect(granted.lines == ["granted"])
        #expect(await limiter.inFlight == 1)
        await limiter.release(ticket, .success)
        #expect(await limiter.inFlight == 0)
    }

    @Test func throttledTenantConvergesInsteadOfBeingHammered() async throws {
        let emulator = try await Emulator.start(["--throttle-rps", "8", "--throttle-burst", "4"])
        let client = try GraphClient(
            settings: try emulator.settings(clock: SystemClock()) {
                $0.concurrency = 8
                $0.maxAttempts = 10
            })
        try await client.signIn()
        let users = ["adele.vance", "alex.wilber", "megan.bowen", "people.admin", "global.admin", "user.admin"]
        let outcomes = await client.putPhotosAtOnce(48, users: users)
        #expect(outcomes.filter { !$0.succeeded }.isEmpty, "\(outcomes.filter { !$0.succeeded })")
        let counts = try await emulator.requestCounts()
        let throttled = counts["429", default: 0]
        #expect(throttled < 48, "paused and limited, far fewer 429s than uploads: \(counts)")
        #expect(throttled > 0, "the bucket throttles 8 parallel writers: \(counts)")
        #expect(await client.limiter.decreases >= 1)
        #expect(await client.limiter.lowestLimit <= 4, "halved at least once from 8")
        // Every 429 was retried exactly once more: attempts add up to what the emulator answered.
        #expect(outcomes.map(\.attempts).reduce(0, +) == 48 + throttled)
        print(
            "AIMD: 48 uploads at 8 req/s, \(throttled) answered 429, lowest limit \(await client.limiter.lowestLimit), final \(await client.limiter.limit)"
        )
    }
}
