import Foundation
import TestSupport
import Testing

/// SIGTERM ends a run promptly wherever it is: waiting for a device code, in a policy check Graph never answers,
/// or with uploads hung in flight (those get the documented 10 s grace period, then are cancelled).
///
/// The durations asserted are the behaviour itself (a time limit), bounded with wide margins: the hung requests
/// would take 40–60 s to end on their own and the device code 30 s to expire, so a run that ignored the signal
/// could not pass however fast the machine, and one that honours it has seconds to spare however slow.
@Suite struct StopTests {
    /// Sends SIGTERM and returns the exit status and the seconds until the child exited.
    private func terminate(_ child: RunningProcess) async -> (output: ChildProcess.Output, seconds: Double) {
        let sent = Date()
        child.signal(SIGTERM)
        let output = await child.finished()
        return (output, Date().timeIntervalSince(sent))
    }

    @Test func sigtermWithUploadsHungInFlightEndsWithinTheGracePeriod() async throws {
        let batch = try await Batch.make(count: 12)
        // Every Graph answer comes after 60 s: the uploads hang.
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--slow-rate", "1", "--slow-ms", "60000"])
        let child = try PhotoprovProcess.start(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--skip-policy-check", "--concurrency", "4"],
            environment: emulator.environment)
        // Each upload first reads the photo it replaces, to back it up: four of those hang in flight.
        try await emulator.waitUntil(arrived: 4, method: "GET")
        let (output, seconds) = await terminate(child)
        let text = output.stdoutText + output.stderrText
        #expect(output.status == 130, "\(text)")
        #expect(seconds < 10 + 15, "ends once the 10 s grace period is over, not after the hung answers: \(seconds) s")
        #expect(text.contains("run the same command again to continue"), "\(text)")
        let journal = try await batch.openJournal()
        #expect(try await journal.counts(run: 1).workLeft == 12, "nothing was answered, all wait for the next run")
    }

    @Test func sigtermDuringAPolicyCheckGraphNeverAnswersEndsTheRunAtOnce() async throws {
        let batch = try await Batch.make(count: 3)
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--slow-rate", "1", "--slow-ms", "60000"])
        let child = try PhotoprovProcess.start(
            [
                "upload", "--csv", batch.csv, "--journal", batch.journal, "--request-timeout", "40", "--max-attempts",
                "1",
            ],
            environment: emulator.environment)
        try await emulator.waitUntil(arrived: 1, method: "GET")  // the photo policy preflight
        let (output, seconds) = await terminate(child)
        let text = output.stdoutText + output.stderrText
        #expect(output.status == 130, "\(text)")
        #expect(seconds < 20, "no grace period is due before any upload, and the GET would take 40 s: \(seconds) s")
        let journal = try await batch.openJournal()
        #expect(try await journal.run(id: 1)?.status == .interrupted)
    }

    @Test func sigtermDuringADeviceCodeWaitEndsTheRun() async throws {
        let batch = try await Batch.make(count: 2)
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--device-code-lifetime", "30"])
        var environment = emulator.environment
        environment["AZURE_CLIENT_SECRET"] = ""
        let child = try PhotoprovProcess.start(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--device-code"], environment: environment)
        #expect(await child.output { $0.contains("enter the code") || $1.contains("enter the code") })
        let (output, seconds) = await terminate(child)
        let text = output.stdoutText + output.stderrText
        #expect(output.status == 130, "interrupted, not a sign-in failure when the code expires: \(text)")
        #expect(seconds < 15, "the code would expire after 30 s: \(seconds) s")
        let journal = try await batch.openJournal()
        #expect(try await journal.run(id: 1)?.status == .interrupted, "resumable, not failed")
    }
}
