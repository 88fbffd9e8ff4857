import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

/// Retries against the emulator's throttle and fault flags, with exact attempt counts and the delays honoured;
/// and the answers that are never retried, each with its reason.
@Suite struct GraphRetryTests {
    private let photo = TestImage.jpeg(width: 96, height: 96)
    private let adele = PhotoTarget.user("adele.vance@contoso.example")

    @Test func faultsAreRetriedUpToMaxAttemptsHonouringRetryAfter() async throws {
        let emulator = try await Emulator.start(["--fault-rate", "1", "--random-seed", "3"])
        let clock = RecordingClock()
        let trace = LineSink()
        let client = try GraphClient(
            settings: try emulator.settings(clock: clock) {
                $0.maxAttempts = 5
                $0.jitter = { $0 * 0.37 }
                $0.trace = trace.handler
            })
        let outcome = await client.putPhoto(adele, jpeg: photo)
        #expect(outcome.failure == .serviceUnavailable)
        #expect(outcome.attempts == 5)
        #expect([503, 504].contains(outcome.httpStatus ?? 0))
        let counts = try await emulator.requestCounts()
        #expect(counts["503", default: 0] + counts["504", default: 0] == 5, "\(counts)")
        // Each wait is the answer's Retry-After (1 s) when it had one, else full jitter up to 1·2^(n−1) s.
        let answers = trace.lines.filter { $0.hasPrefix("<- 50") }
        #expect(answers.count == 5)
        #expect(clock.sleeps.count == 4)
        var sawRetryAfter = false
        var sawBackoff = false
        for (index, wait) in clock.sleeps.enumerated() {
            if answers[index].contains("retry-after=1") {
                sawRetryAfter = true
                #expect(wait == 1, "Retry-After: 1 honoured exactly before attempt \(index + 2)")
            } else {
                sawBackoff = true
                #expect(abs(wait - 0.37 * pow(2, Double(index))) < 1e-9, "backoff before attempt \(index + 2): \(wait)")
            }
        }
        #expect(sawRetryAfter && sawBackoff, "seed 3 gives both kinds of fault: \(answers)")
    }

    @Test func mixedFaultsEndInSuccessAfterExactlyTheRequestsSent() async throws {
        let emulator = try await Emulator.start(["--fault-rate", "0.6", "--random-seed", "11"])
        let client = try GraphClient(settings: try emulator.settings { $0.maxAttempts = 10 })
        var totalAttempts = 0
        for name in ["adele.vance", "alex.wilber", "megan.bowen"] {
            let outcome = await client.putPhoto(.user("\(name)@contoso.example"), jpeg: photo)
            #expect(outcome.succeeded, "\(outcome)")
            totalAttempts += outcome.attempts
        }
        let counts = try await emulator.requestCounts()
        let faults = counts["503", default: 0] + counts["504", default: 0]
        #expect(faults > 0, "a 60 % fault rate faults some of them: \(counts)")
        #expect(totalAttempts == faults + 3, "every attempt is one request the emulator saw: \(counts)")
    }

    @Test func throttledRequestWaitsRetryAfterInRealTime() async throws {
        // One token every 2 s, none stored up: back-to-back uploads soon meet a 429 with Retry-After 1 or 2.
        let emulator = try await Emulator.start(["--throttle-rps", "0.5", "--throttle-burst", "1"])
        let clock = RecordingClock(scale: 1)
        let trace = LineSink()
        let client = try GraphClient(settings: try emulator.settings(clock: clock) { $0.trace = trace.handler })
        try await client.signIn()
        var throttled: (GraphOutcome, Double)?
        // Two uploads at once against a bucket holding one request: one of them meets the 429.
        for _ in 0..<5 where throttled == nil {
            let pair = await withTaskGroup(of: (GraphOutcome, Double).self) { group in
                for name in ["adele.vance", "alex.wilber"] {
                    group.addTask {
                        let started = Date()
                        let outcome = await client.putPhoto(.user("\(name)@contoso.example"), jpeg: photo)
                        return (outcome, Date().timeIntervalSince(started))
                    }
                }
                var results: [(GraphOutcome, Double)] = []
                for await result in group { results.append(result) }
                return results
            }
            #expect(pair.allSatisfy { $0.0.succeeded }, "\(pair.map(\.0))")
            throttled = pair.first { $0.0.attempts > 1 }
        }
        let (outcome, elapsed) = try #require(
            throttled, "two simultaneous uploads against a one-request bucket meet a 429")
        #expect(outcome.attempts == 2)
        let answer = try #require(trace.lines.first { $0.hasPrefix("<- 429") })
        let retryAfter = try #require(
            answer.range(of: #"retry-after=\d+"#, options: .regularExpression).map {
                Double(answer[$0].dropFirst("retry-after=".count))
            } ?? nil)
        #expect(
            clock.sleeps == [retryAfter, retryAfter], "the item and the limiter's pause both waited the Retry-After")
        #expect(elapsed >= retryAfter, "never retried earlier than Retry-After: \(elapsed) s < \(retryAfter) s")
        #expect(try await emulator.requestCounts()["429"] == 1)
        #expect(await client.limiter.decreases == 1)
    }

    @Test func droppedConnectionsAreRetriedThenReported() async throws {
        let emulator = try await Emulator.start(["--drop-rate", "1"])
        let clock = RecordingClock()
        let client = try GraphClient(
            settings: try emulator.settings(clock: clock) {
                $0.maxAttempts = 3
                $0.requestTimeout = 2  // see droppedKeepAliveConnectionFailsAtOnce
            })
        let outcome = await client.putPhoto(adele, jpeg: photo)
        #expect(outcome.failure == .network)
        #expect(outcome.attempts == 3)
        #expect(outcome.httpStatus == nil)
        #expect(clock.sleeps.count == 2)
        #expect(try await emulator.state()["dropped"] as? Int == 3)
    }

    /// A request on a kept-alive connection that the server closes unanswered fails at once as a lost connection,
    /// as it does on a fresh connection, never after the request timeout. (FoundationNetworking waited out the
    /// timeout with a thread spinning, swift-corelibs-foundation#5477; the libcurl engine on Linux does not: its
    /// bodies cannot be rewound, so libcurl reports the loss instead of resending — CurlTransfer says why.)
    @Test func droppedKeepAliveConnectionFailsAtOnce() async throws {
        let emulator = try await Emulator.start(["--drop-rate", "1"])
        let trace = LineSink()
        let client = try GraphClient(
            settings: try emulator.settings {
                $0.maxAttempts = 1
                $0.requestTimeout = 60
                $0.trace = trace.handler
            })
        try await client.signIn()  // the token request leaves a kept-alive connection for the upload to reuse
        let outcome = await client.putPhoto(adele, jpeg: photo)
        #expect(outcome.failure == .network)
        #expect(outcome.message.contains("connection lost"), "\(outcome.message)")
        #expect(!outcome.message.contains("timed out"), "\(outcome.message)")
        #expect(try await emulator.state()["dropped"] as? Int == 1, "one attempt, not resent behind the client's back")
    }

    @Test func slowResponsesTimeOutAndAreRetried() async throws {
        // Every Graph answer held back 30 s against a 0.5 s timeout: the timeout fires first on any machine.
        let emulator = try await Emulator.start(["--slow-rate", "1", "--slow-ms", "30000"])
        let client = try GraphClient(
            settings: try emulator.settings {
                $0.maxAttempts = 2
                $0.requestTimeout = 0.5
            })
        try await client.signIn()
        let outcome = await client.putPhoto(adele, jpeg: photo)
        #expect(outcome.failure == .network)
        #expect(outcome.message.contains("timed out"), "\(outcome)")
        #expect(outcome.attempts == 2)
    }

    @Test func itemDeadlineStopsRetries() async throws {
        let emulator = try await Emulator.start(["--fault-rate", "1", "--random-seed", "3"])
        let clock = RecordingClock()
        let client = try GraphClient(
            settings: try emulator.settings(clock: clock) {
                $0.itemDeadline = 0.5
                $0.jitter = { $0 }
            })
        let outcome = await client.putPhoto(adele, jpeg: photo)
        #expect(outcome.failure == .deadlineExceeded)
        #expect(outcome.attempts == 1, "the first wait (1 s) would pass the 0.5 s deadline")
        #expect(clock.sleeps.isEmpty)
    }

    @Test func clientErrorsAreNotRetriedAndAreClassified() async throws {
        let emulator = try await Emulator.start()
        let client = try GraphClient(settings: try emulator.settings())
        let cases: [(PhotoTarget, Data, FailureReason, Int, String)] = [
            (.user("nobody@contoso.example"), photo, .notFound, 404, "Request_ResourceNotFound"),
            (.user("lee.gu@contoso.example"), photo, .noMailbox, 404, "MailboxNotEnabledForRESTAPI"),
            (adele, TestImage.jpeg(width: 20, height: 20), .photoTooSmall, 400, "ValidationWidthTooSmall"),
            (adele, TestImage.jpeg(width: 96, height: 96, bytes: 4 * 1024 * 1024 + 1), .photoTooLarge, 413, ""),
            (adele, Data("this is not an image".utf8), .notAnImage, 500, "ErrorInternalServerError"),
            (PhotoTarget(.groups, "00000000-0000-4000-8000-00000000beef"), photo, .notFound, 404, ""),
        ]
        for (target, body, reason, status, code) in cases {
            let outcome = await client.putPhoto(target, jpeg: body)
            #expect(outcome.failure == reason, "\(target): \(outcome)")
            #expect(outcome.httpStatus == status)
            #expect(outcome.attempts == 1)
            if !code.isEmpty { #expect(outcome.graphCode == code) }
            #expect(outcome.requestID?.isEmpty == false)
            #expect(outcome.message.contains(target.key), "messages name the target: \(outcome.message)")
        }
        #expect(
            try await emulator.requestCounts().keys.allSatisfy { ["200", "400", "404", "413", "500"].contains($0) })
    }

    @Test func policyAndPermissionRefusalsAreClassified() async throws {
        let blocked = try await Emulator.start(["--policy-source", "onPremises"])
        let outcome = await (try GraphClient(settings: try blocked.settings())).putPhoto(adele, jpeg: photo)
        #expect(outcome.failure == .blockedByPolicy)
        #expect(outcome.graphCode == "ForbiddenByAdmindEditPolicy")
        #expect(outcome.attempts == 1)

        let tenant = try await Emulator.start(seed: TestTenant.seed())
        let reader = try GraphClient(
            settings: try tenant.settings(app: TestTenant.readerApp, secret: TestTenant.readerSecret))
        let denied = await reader.putPhoto(.user(TestTenant.upn("ada")), jpeg: photo)
        #expect(denied.failure == .missingPermission)
        #expect(denied.httpStatus == 403)
        #expect(denied.message.contains("ProfilePhoto.ReadWrite.All"))
    }

    @Test func groupsTeamsDeletesAndAwkwardUPNs() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let client = try GraphClient(
            settings: try emulator.settings(clientID: TestTenant.fullApp) {
                $0.credential = .clientSecret(Secret(TestTenant.fullSecret))
            })
        let group = PhotoTarget(.groups, TestTenant.groupID)
        let team = PhotoTarget(.teams, TestTenant.teamID)
        let irish = PhotoTarget.user(TestTenant.upn("o'brien"))
        for target in [group, team, irish] {
            let outcome = await client.putPhoto(target, jpeg: photo)
            #expect(outcome.succeeded, "\(target): \(outcome)")
        }
        let state = try await emulator.state()
        #expect(
            (state["groups"] as? [String: Any])?[TestTenant.groupID].flatMap {
                ($0 as? [String: Any])?["uploads"] as? Int
            } == 1)
        #expect(
            (state["teams"] as? [String: Any])?[TestTenant.teamID].flatMap {
                ($0 as? [String: Any])?["uploads"] as? Int
            } == 1)
        #expect(try await emulator.user(TestTenant.upn("o'brien"))["uploads"] as? Int == 1)

        let removed = await client.deletePhoto(irish)
        #expect(removed.succeeded, "\(removed)")
        #expect(removed.message.contains("photo removed"))
        let again = await client.deletePhoto(irish)
        #expect(again.succeeded, "deleting a missing photo is not a failure: \(again)")
        #expect(again.message.contains("had no photo"))
        #expect(try await emulator.user(TestTenant.upn("o'brien"))["sha256"] is NSNull)
    }
}
