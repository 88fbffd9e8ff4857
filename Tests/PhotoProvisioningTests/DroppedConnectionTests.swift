import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A connection closed without an answer is noticed when it closes, not when `--request-timeout` runs out: the
/// emulator drops a share of requests, including ones sent on a reused keep-alive connection, which is where
/// URLSession on Linux used to wait out the whole timeout (HTTPTransport's delegate says why).
@Suite struct DroppedConnectionTests {
    @Test func droppedUploadsOnReusedConnectionsFailFastAndAreRetried() async throws {
        let emulator = try await Emulator.start(["--drop-rate", "0.3", "--random-seed", "3"])
        let trace = LineSink()
        // One request at a time over one connection: every request but the first after a drop reuses it.
        let client = try GraphClient(
            settings: try emulator.settings(clock: RecordingClock()) {
                $0.concurrency = 1
                $0.maxAttempts = 10
                $0.requestTimeout = 30
                $0.trace = trace.handler
            })
        try await client.signIn()
        let photo = TestImage.jpeg(width: 96, height: 96)
        for round in 0..<20 {
            let outcome = await client.putPhoto(.user("adele.vance@contoso.example"), jpeg: photo)
            #expect(outcome.succeeded, "upload \(round): \(outcome)")
        }
        let dropped = try #require(try await emulator.state()["dropped"] as? Int)
        let failures = trace.lines.filter { $0.hasPrefix("<- PUT") && $0.contains("failed after") }
        #expect(dropped >= 3, "seed 3 drops several of the 20 uploads")
        #expect(failures.count == dropped, "every drop is one failed attempt: \(failures)")
        #expect(!failures.contains { $0.contains("timed out") }, "no drop waited for the request timeout: \(failures)")
        #expect(
            failures.contains { $0.contains("connection lost") },
            "a drop on a reused connection is reported as the lost connection it is: \(failures)")
    }
}

/// Requests cancelled while they start always end: swift-corelibs-foundation never completes a task whose
/// `cancel()` races its `resume()`, which left a run that stopped mid-upload waiting forever. The time limit is a
/// hang bound, not a timing expectation: alone the test takes 0.2 s, beside the whole suite on a loaded machine a
/// minute.
@Suite struct CancelledRequestTests {
    @Test(.timeLimit(.minutes(5))) func requestsCancelledAsTheyStartAllEnd() async throws {
        let emulator = try await Emulator.start(["--latency-ms", "5"])
        let transport = HTTPTransport(timeout: 60, maxConnections: 4, trace: nil)
        let request = URLRequest(url: emulator.baseURL.appendingPathComponent("v1.0/users"))
        // 400 requests in waves of 8, each cancelled after a random handful of scheduler turns: some before they
        // start, some while they start, some in flight. Every one of them must come back.
        var ended = 0
        for wave in 0..<50 {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    let attempt = Task { try await transport.send(request) }
                    group.addTask {
                        for _ in 0..<((wave * 8 + index) % 5) { await Task.yield() }
                        attempt.cancel()
                        _ = await attempt.result
                    }
                }
            }
            ended += 8
        }
        #expect(ended == 400)
    }
}
