import Foundation
import Testing

@testable import PhotoProvisioning

/// SIGKILLs a real writer process (`photoprov __journal-stress`) at random moments and checks the journal.
@Suite struct JournalKillTests {
    /// The built `photoprov`, beside the test bundle in SwiftPM's build folder.
    private static var binary: String? {
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        return candidates.map { $0.appendingPathComponent("photoprov").path }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    private func startWriter(_ binary: String, journal: String, items: Int, delayMicroseconds: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["__journal-stress", journal, String(items), String(delayMicroseconds)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func staysSoundAndResumesAfterSIGKILLAtRandomMoments() async throws {
        let binary = try #require(Self.binary, "build photoprov first (swift build --build-tests)")
        let folder = NSTemporaryDirectory() + "photoprov-kill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/photoprov.journal"
        let itemCount = 2000
        var kills = 0
        var runID: Int64?
        var uploadedBefore = 0
        var roundsWithProgress = 0
        // At least 20 kills, at least 5 of them after the writer made progress (a loaded machine starts slowly).
        for _ in 0..<60 where kills < 20 || roundsWithProgress < 5 {
            let writer = try startWriter(binary, journal: path, items: itemCount, delayMicroseconds: 1000)
            usleep(UInt32.random(in: 20_000...250_000))
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
            if writer.terminationReason == .uncaughtSignal { kills += 1 } else { break }
            guard FileManager.default.fileExists(atPath: path) else { continue }  // killed before it opened

            let journal = try await Journal.open(at: path)
            #expect(try await journal.integrityCheck() == "ok")
            guard let run = try await journal.latestRun() else { continue }
            #expect(run.status == .running)
            if let runID { #expect(run.id == runID, "every restart continues the first run") }
            runID = run.id
            let items = try await journal.items(run: run.id)
            let uploaded = items.filter { $0.state == .uploaded }.count
            #expect(uploaded >= uploadedBefore, "no recorded upload is ever lost")
            if uploaded > uploadedBefore { roundsWithProgress += 1 }
            uploadedBefore = uploaded
            #expect(items.filter { $0.state == .uploading }.count <= 1, "one writer has at most one item in flight")
            #expect(try await journal.keysWithPhotos(target: .users, match: .upn).count == uploaded)
        }
        #expect(kills >= 20)
        #expect(roundsWithProgress >= 5, "kills must land while the writer works")
        let finisher = try startWriter(binary, journal: path, items: itemCount, delayMicroseconds: 0)
        finisher.waitUntilExit()
        #expect(finisher.terminationStatus == 0)

        let journal = try await Journal.open(at: path)
        #expect(try await journal.integrityCheck() == "ok")
        let runs = try await journal.runs()
        #expect(runs.count == 1, "the kills never started a second run")
        #expect(runs.first?.status == .completed)
        let items = try await journal.items(run: try #require(runs.first).id)
        #expect(items.count == itemCount)
        #expect(items.allSatisfy { $0.state == .uploaded })
        #expect(items.allSatisfy { $0.attempts >= 1 })
        let repeats = items.map { $0.attempts - 1 }.reduce(0, +)
        #expect(repeats <= kills, "only an item in flight at a kill is sent again (\(repeats) repeats, \(kills) kills)")
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            if stat(file, &info) == 0 { #expect(info.st_mode & 0o777 == 0o600, "\(file) must stay 0600") }
        }
        print(
            "journal kill test: \(kills) kills (\(roundsWithProgress) after progress), \(uploadedBefore) of \(itemCount) items uploaded before the last kill, "
                + "\(repeats) repeated uploads")
    }
}
