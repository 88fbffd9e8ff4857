import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

/// Sustained throttling: a 429 asks an item to wait, it does not use up its attempts, and the limiter learns the
/// pace the service allows from what got through before the 429.
@Suite struct ThrottlePacingTests {
    @Test func sustainedThrottlingDelaysUploadsInsteadOfFailingThem() async throws {
        // 4 requests a second, 4 stored up: 40 uploads, 8 at a time, take at least 9 s under the limit, so the
        // client meets it however slow the machine is (it would have to take 2 s per request not to).
        let emulator = try await Emulator.start(["--throttle-rps", "4", "--throttle-burst", "4"])
        let client = try GraphClient(
            settings: try emulator.settings(clock: SystemClock()) {
                $0.concurrency = 8
                $0.maxAttempts = 1  // a single fault would fail an item; a 429 must not
            })
        try await client.signIn()
        let users = ["adele.vance", "alex.wilber", "megan.bowen", "people.admin", "global.admin", "user.admin"]
        let outcomes = await client.putPhotosAtOnce(40, users: users)
        let counts = try await emulator.requestCounts()
        let throttled = counts["429", default: 0]
        #expect(throttled > 0, "8 uploads at once exceed the 4 stored up: \(counts)")
        #expect(outcomes.filter { !$0.succeeded }.isEmpty, "\(outcomes.filter { !$0.succeeded })")
        #expect(outcomes.map(\.attempts).reduce(0, +) == 40 + throttled, "every 429 was waited out and sent again")
        // Paced at what got through, the client meets few 429s after the first burst: unpaced, about every other
        // request of the 40 would be refused.
        #expect(throttled <= 15, "\(counts)")
        let pace = try #require(await client.limiter.pace, "a 429 sets a pace")
        #expect(pace > 1 && pace < 8, "the pace is near the 4 a second the emulator allows: \(pace)")
    }

    @Test func throttlingThatOutlastsTheItemDeadlineFailsAsDeadlineExceeded() async throws {
        // One request every 10 s and none stored: the second of two uploads meets a 429 with a Retry-After of
        // several seconds, which would end after the 0.5 s deadline.
        let emulator = try await Emulator.start(["--throttle-rps", "0.1", "--throttle-burst", "1"])
        let clock = RecordingClock()
        let client = try GraphClient(
            settings: try emulator.settings(clock: clock) {
                $0.maxAttempts = 1
                $0.itemDeadline = 0.5
            })
        try await client.signIn()
        let first = await client.putPhoto(
            .user("adele.vance@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
        let second = await client.putPhoto(
            .user("alex.wilber@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
        #expect(first.succeeded, "\(first)")
        #expect(second.failure == .deadlineExceeded, "\(second)")
        #expect(second.httpStatus == 429 && second.attempts == 1)
        #expect(second.message.contains("item deadline of 500 ms reached"), "\(second)")
    }

    @Test func aThrottledAnswerSetsThePaceFromWhatGotThroughAndSpacesLaterStarts() async throws {
        let clock = ManualClock()
        let limiter = AdaptiveLimiter(maximum: 4, clock: clock)
        // Four successes over 2 s, then a 429: 2 a second got through, so the pace becomes 0.9 × 2 = 1.8.
        for _ in 0..<4 {
            clock.advance(0.5)
            await limiter.release(try await limiter.acquire(), .success)
        }
        #expect(await limiter.pace == nil, "no pace before the service throttles")
        await limiter.release(try await limiter.acquire(), .throttled)
        let pace = try #require(await limiter.pace)
        #expect(abs(pace - 1.8) < 1e-9, "\(pace)")
        // Three requests taking slots at the same moment start 1/pace apart.
        for _ in 0..<3 {
            _ = try await limiter.withSlot { () async -> (value: Void, signal: AdaptiveLimiter.Signal) in ((), .neutral)
            }
        }
        let spacing = 1 / pace
        #expect(clock.sleeps.count == 2, "the first starts at once: \(clock.sleeps)")
        for (index, wait) in clock.sleeps.enumerated() {
            #expect(abs(wait - spacing * Double(index + 1)) < 1e-6, "start \(index + 2) waits \(wait)")
        }
        // Each success raises the pace a little, so it climbs back when the service allows more.
        await limiter.release(try await limiter.acquire(), .success)
        #expect(abs((await limiter.pace ?? 0) - (pace + AdaptiveLimiter.paceGrowth)) < 1e-9)
    }
}
