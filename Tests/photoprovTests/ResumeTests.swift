import Foundation
import PhotoProvisioning
import TestSupport
import Testing

/// A run killed with SIGKILL again and again, each time while uploads are in flight, then finished: nothing lost,
/// nothing doubled but what was in flight at a kill, and the journal intact after every kill.
@Suite struct ResumeTests {
    @Test func resumesAfterRepeatedKillsWithoutLosingOrDoublingItems() async throws {
        let items = 300
        let kills = 20
        let concurrency = 4
        let batch = try await Batch.make(count: items, side: 48)
        // 25 ms a request and 4 in flight: each kill strikes a dozen uploads or so into a run (sent from a thread of
        // its own the moment the emulator reports the upload), leaving a couple of hundred that would take the
        // emulator over a second to serve, so no run can end before its kill.
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--latency-ms", "25"])
        let arguments = [
            "upload", "--csv", batch.csv, "--journal", batch.journal, "--concurrency", "\(concurrency)",
            "--quiet",
        ]
        var previous = 0
        var inFlight = 0  // items journaled `uploading` after a kill, summed over the kills
        for strike in 1...kills {
            // Each kill strikes when this run's n-th upload arrives, n varying from 1 to 12 between kills.
            let strikeAfter = 1 + (strike * 7) % 12
            let target = try await emulator.arrived(method: "PUT") + strikeAfter
            let process = try PhotoprovProcess.start(arguments, environment: emulator.environment)
            try await emulator.signal(SIGKILL, to: process, whenArrived: target, method: "PUT")
            let output = await process.finished()
            try #require(
                output.reason == .uncaughtSignal && output.status == SIGKILL,
                "run \(strike) was killed mid-run: \(output.stdoutText) \(output.stderrText)")
            let journal = try await batch.openJournal()
            #expect(
                try await journal.integrityCheck() == "ok", "integrity after kill \(strike) (upload \(strikeAfter))")
            #expect(try await journal.latestRun()?.id == 1, "every start continues run 1")
            #expect(try await journal.run(id: 1)?.status != .completed, "kill \(strike) struck mid-run")
            let counts = try await journal.counts(run: 1)
            let uploaded = counts[.uploaded]
            inFlight += counts[.uploading]
            #expect(uploaded >= previous, "no upload forgotten after kill \(strike)")
            previous = uploaded
        }
        #expect(previous < items, "the kills left work for the last run")

        let finish = try await PhotoprovProcess.run(arguments, environment: emulator.environment)
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
        // Only an item in flight when the process died (journaled `uploading`, README "Resume") can be sent again.
        // That is not bounded by `concurrency`: an upload whose answer came but whose commit had not is in flight
        // too, and a faster transport hands out the freed slot sooner.
        #expect(extra <= inFlight, "\(extra) repeated uploads for \(kills) kills, \(inFlight) in flight at them")
        for suffix in ["", "-wal", "-shm"] {
            let path = batch.journal + suffix
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(path) is private")
        }
    }
}
