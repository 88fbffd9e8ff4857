import Foundation
import TestSupport
import PhotoProvisioning
import Testing

/// A run killed with SIGKILL at random moments, again and again, then finished: nothing lost, nothing doubled
/// but what was in flight at a kill, and the journal intact after every kill.
@Suite struct ResumeTests {
    @Test func resumesAfterRepeatedKillsWithoutLosingOrDoublingItems() async throws {
        let items = 500
        let kills = 20
        let concurrency = 4
        let batch = try Batch(count: items, side: 48)
        // 100 ms a request and 4 in flight: about 40 uploads a second, so a run outlives many kills.
        let emulator = try Emulator.start(["--users-csv", batch.csv, "--latency-ms", "100"])
        let arguments = ["upload", "--csv", batch.csv, "--journal", batch.journal, "--concurrency", "\(concurrency)",
            "--quiet"]
        var generator = SystemRandomNumberGenerator()
        var landed = 0
        var previous = 0
        var attempts = 0
        while landed < kills, attempts < kills * 3 {
            attempts += 1
            let log = batch.path("run\(attempts).log")
            let process = try PhotoprovProcess.start(arguments, environment: emulator.environment, log: log)
            let delay = Int.random(in: 60...400, using: &generator)
            // Timed on a Dispatch thread: other tests may hold the cooperative pool, which would delay a Task.sleep.
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) { _ = kill(pid, SIGKILL) }
            process.waitUntilExit()
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard process.terminationReason == .uncaughtSignal else {
                // The run ended before the kill: nothing left to interrupt.
                #expect(process.terminationStatus == 0, "run \(attempts) ended by itself: \(output)")
                break
            }
            let journal = try await batch.openJournal()
            #expect(try await journal.integrityCheck() == "ok", "integrity after kill \(landed + 1) (\(delay) ms)")
            #expect(try await journal.latestRun()?.id == 1, "every start continues run 1")
            // A kill that lands after the last item only cuts the closing summary short.
            if try await journal.run(id: 1)?.status == .completed { break }
            landed += 1
            let uploaded = try await journal.counts(run: 1)[.uploaded]
            #expect(uploaded >= previous, "no upload forgotten after kill \(landed)")
            previous = uploaded
        }
        #expect(landed >= kills, "\(landed) kills struck mid-run (\(attempts) starts)")
        #expect(previous < items, "the kills left work for the last run")

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
