import Foundation
import TestSupport
import Testing

@testable import PhotoProvisioning

/// The token endpoint is retried like every other request: a brief outage (503 `temporarily_unavailable` with
/// Retry-After) is waited out, up to `--max-attempts` and the item deadline.
@Suite struct SignInRetryTests {
    @Test func aBriefTokenEndpointOutageIsWaitedOut() async throws {
        // With seed 1 the first four token requests draw a 503 (Retry-After: 1) at a rate of 0.8, the fifth not.
        let emulator = try await Emulator.start(["--token-fault-rate", "0.8", "--random-seed", "1"])
        let clock = RecordingClock()
        let client = try GraphClient(settings: try emulator.settings(clock: clock))
        let identity = try await client.signIn()
        #expect(identity.claims?.appID == emulator.clientID)
        #expect(try await emulator.requestCounts()["503"] == 4)
        #expect(clock.sleeps == [1, 1, 1, 1], "each Retry-After honoured: \(clock.sleeps)")
        let outcome = await client.putPhoto(
            .user("adele.vance@contoso.example"), jpeg: TestImage.jpeg(width: 64, height: 64))
        #expect(outcome.succeeded, "\(outcome)")
    }

    @Test func anOutageLongerThanTheAttemptsEndsTheSignInWithEntrasAnswer() async throws {
        let emulator = try await Emulator.start(["--token-fault-rate", "1"])
        let clock = RecordingClock()
        let client = try GraphClient(settings: try emulator.settings(clock: clock) { $0.maxAttempts = 3 })
        await #expect {
            try await client.signIn()
        } throws: { error in
            guard let error = error as? GraphError else { return false }
            return error.kind == .signIn && error.description.contains("AADSTS90033")
        }
        #expect(try await emulator.requestCounts()["503"] == 3)
        #expect(clock.sleeps == [1, 1])
    }
}
