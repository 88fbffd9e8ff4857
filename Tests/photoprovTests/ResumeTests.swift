import Foundation
import PhotoProvisioning
import Testing

/// A run killed with SIGKILL at random moments, again and again, then finished: nothing lost, nothing doubled
/// but what was in flight at a kill, and the journal intact after every kill.
@Suite struct ResumeTests {
    @Test func resumesAfterRepeatedKillsWithoutLosingOrDoublingItems() async throws {
        let items = 300
        let kills = 20
        let concurrency = 4
        let batch = try Batch(count: items, side: 48)
        let emulator = try Emulator.start(["--users-csv", batch.csv, "--latency-ms", "40"])
        let arguments = ["upload", "--csv", batch.csv, "--journal", batch.journal, "--concurrency", "\(concurrency)",
            "--quiet"]
        var generator = SystemRandomNumberGenerator()
        var landed = 0
        var previous = 0
        for attempt in 1...kills {
            let process = Process()
            process.executableURL = PhotoprovProcess.binary
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(emulator.environment) { _, new in new }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let delay = Int.random(in: 80...450, using: &generator)
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "kill \(attempt) after \(delay) ms landed mid-run")

            let journal = try await batch.openJournal()
            #expect(try await journal.integrityCheck() == "ok", "integrity after kill \(attempt)")
            let uploaded = try await journal.counts(run: 1)[.uploaded]
            if uploaded > previous { landed += 1 }
            #expect(uploaded >= previous, "no upload forgotten after kill \(attempt)")
            previous = uploaded
        }
        #expect(landed >= 10, "most kills struck while uploads were under way (\(landed) of \(kills))")

        let finish = try PhotoprovProcess.run(arguments, environment: emulator.environment)
        #expect(finish.status == 0, "\(finish.stdout) \(finish.stderr)")
        #expect(finish.stdout.contains("resuming"), "the same run continued: \(finish.stdout)")

        let journal = try await batch.openJournal()
        #expect(try await journal.integrityCheck() == "ok")
        #expect(try await journal.counts(run: 1)[.uploaded] == items)
        #expect(try await journal.run(id: 1)?.status == .completed)
        let users = try await emulator.state()["users"] as? [String: Any] ?? [:]
        var extra = 0
        for upn in batch.upns {
            let uploads = ((users[upn] as? [String: Any])?["uploads"] as? NSNumber)?.intValue ?? 0
            #expect(uploads >= 1, "\(upn) was uploaded")
            extra += max(0, uploads - 1)
        }
        // Only an item in flight when the process died can be sent again: at most `concurrency` per kill.
        #expect(extra <= kills * concurrency, "\(extra) repeated uploads for \(kills) kills")
        for suffix in ["", "-wal", "-shm"] {
            let path = batch.journal + suffix
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(path) is private")
        }
    }
}
