import Foundation
import Testing

@testable import PhotoProvisioning

/// SIGKILLs a real writer process (`JournalStress`, which prints a line per committed item) after a random number
/// of commits and checks the journal each time: sound, one run, no committed upload lost.
@Suite struct JournalKillTests {
    /// The built `JournalStress`, beside the test bundle in SwiftPM's build folder.
    private static var binary: String? {
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        return candidates.map { $0.appendingPathComponent("JournalStress").path }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// How one writer ended.
    private struct Round: Sendable {
        /// `committed` lines read before the kill (or before it exited).
        var commits: Int
        /// Whether SIGKILL ended it (false: it finished first).
        var killed: Bool
        var status: Int32
    }

    /// Starts the writer, SIGKILLs it right after its `killAfter`-th commit line (at once for 0; never for nil),
    /// and waits for it to end. Runs on a thread of its own, so no thread of Swift's pool blocks on the pipe.
    private func round(_ binary: String, journal: String, items: Int, killAfter: Int?) async throws -> Round {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = [journal, String(items)]
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                let ended = DispatchSemaphore(value: 0)
                process.terminationHandler = { _ in ended.signal() }
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                var commits = 0
                var sent = false
                if killAfter == 0 {
                    kill(process.processIdentifier, SIGKILL)
                    sent = true
                }
                var pending = Data()
                while true {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }  // end of file: the writer is gone
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        if pending[pending.startIndex..<newline].starts(with: Data("committed".utf8)) { commits += 1 }
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                    if !sent, let killAfter, commits >= killAfter {
                        kill(process.processIdentifier, SIGKILL)
                        sent = true
                    }
                }
                ended.wait()
                continuation.resume(
                    returning: Round(
                        commits: commits, killed: process.terminationReason == .uncaughtSignal,
                        status: process.terminationStatus))
            }
            thread.start()
        }
    }

    @Test func staysSoundAndResumesAfterSIGKILLAtRandomMoments() async throws {
        let binary = try #require(Self.binary, "build JournalStress first (swift build --build-tests)")
        let folder = NSTemporaryDirectory() + "photoprov-kill-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/photoprov.journal"
        let itemCount = 2000
        var kills = 0
        var runID: Int64?
        var uploadedBefore = 0
        var reported = 0
        // 20 kills: the first right at start (before or while the journal is created), the rest after 1-40 commits.
        for index in 0..<20 {
            let after = index == 0 ? 0 : Int.random(in: 1...40)
            let round = try await round(binary, journal: path, items: itemCount, killAfter: after)
            #expect(round.killed, "the writer must still be working after \(after) commits")
            guard round.killed else { break }
            kills += 1
            reported += round.commits
            guard FileManager.default.fileExists(atPath: path) else { continue }  // killed before it opened

            let journal = try await Journal.open(at: path)
            #expect(try await journal.integrityCheck() == "ok")
            guard let run = try await journal.latestRun() else { continue }
            #expect(run.status == .running)
            if let runID { #expect(run.id == runID, "every restart continues the first run") }
            runID = run.id
            let items = try await journal.items(run: run.id)
            let uploaded = items.filter { $0.state == .uploaded }.count
            #expect(uploaded >= uploadedBefore + round.commits, "every commit the writer reported is kept")
            uploadedBefore = uploaded
            #expect(items.filter { $0.state == .uploading }.count <= 1, "one writer has at most one item in flight")
            #expect(try await journal.keysWithPhotos(target: .users, match: .upn).count == uploaded)
        }
        #expect(kills == 20)
        #expect(reported >= 19, "kills after the first each came after at least one commit")
        let finisher = try await round(binary, journal: path, items: itemCount, killAfter: nil)
        #expect(!finisher.killed && finisher.status == 0)
        #expect(finisher.commits == itemCount - uploadedBefore, "the last run did exactly the items left")

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
        print("journal kill test: \(kills) kills after \(reported) reported commits, \(repeats) repeated uploads")
    }
}
