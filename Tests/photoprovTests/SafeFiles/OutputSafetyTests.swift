import Foundation
import TestSupport
import Testing

/// What photoprov prints cannot be forged or hijacked by its input, and JSON logs stay JSON (issue 12).
@Suite struct OutputSafetyTests {
    /// A CSV whose key cells try to forge a log line and to send terminal escape sequences.
    private func hostileSource() async throws -> Batch {
        let batch = try await Batch.make(count: 0)
        try batch.write(
            "people.csv",
            "upn,photo\n\"mallory\n2026-01-01T00:00:00Z uploaded ceo@contoso.example\",a.jpg\n"
                + "\"eve\u{1B}]0;owned\u{07}\u{1B}[2J@contoso.example\",b.jpg\n")
        return batch
    }

    @Test func textLogsKeepEachEventOnOneLineAndPassNoControlCharacters() async throws {
        let batch = try await hostileSource()
        let run = try await WatchedChild.run([
            "upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal", batch.journal,
        ])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(
            !lines.contains { $0.hasPrefix("2026-01-01T00:00:00Z") }, "a CSV field forged a log line:\n\(run.stdout)")
        #expect(run.stdout.contains(#"invalid mallory\n2026-01-01T00:00:00Z uploaded ceo@contoso.example (line 2)"#))
        #expect(run.stdout.contains(#"eve\u{1B}]0;owned\u{7}\u{1B}[2J@contoso.example"#), "\(run.stdout)")
        for byte in (Array(run.stdout.utf8) + Array(run.stderr.utf8)) where byte < 0x20 && byte != 0x0A {
            Issue.record("control character \(byte) in the output")
        }
    }

    @Test func onATerminalTheItemLinesAreEscapedToo() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("SKIP: script (util-linux) is not installed; cannot give photoprov a terminal")
            return
        }
        let batch = try await hostileSource()
        let command = [
            PhotoprovProcess.binary.path, "upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal",
            batch.journal,
        ].map { "'\($0)'" }.joined(separator: " ")
        let run = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"])
        let text = run.stdoutText
        // On a terminal item lines carry no timestamp (the progress bar's mode).
        #expect(text.contains("invalid mallory") && !text.contains("Z invalid mallory"), "not on a terminal: \(text)")
        #expect(!text.contains("\u{1B}]0;owned") && !text.contains("\u{1B}[2J"), "a CSV field reached the terminal raw")
        #expect(text.contains(#"eve\u{1B}]0;owned\u{7}\u{1B}[2J@contoso.example"#), "\(text)")
    }

    @Test func withJSONLogsAFatalErrorIsAJSONLine() async throws {
        let batch = try await Batch.make(count: 1)
        let missing = batch.path("missing.csv")
        let run = try await WatchedChild.run(
            ["upload", "--csv", missing, "--dry-run", "--offline", "--journal", batch.journal, "--log-format", "json"])
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON line: \(line)")
            guard let object else { continue }
            #expect(object["event"] as? String == "error")
            #expect(object["exit_code"] as? Int == 2)
            #expect((object["message"] as? String)?.contains("missing.csv") == true, "\(object)")
            #expect(object["time"] is String)
        }
    }

    @Test func aBlockedRunsJSONSummaryCarriesTheReason() async throws {
        let batch = try await Batch.make(count: 1)
        let emulator = try await Emulator.start(["--users-csv", batch.csv, "--policy-source", "onPremises"])
        defer { emulator.stop() }
        let run = try await WatchedChild.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--log-format", "json"],
            environment: emulator.environment)
        #expect(run.status == 3, "\(run.stdout) \(run.stderr)")
        let summary = run.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.first { $0["event"] as? String == "summary" }
        #expect(summary?["blocked"] as? Bool == true, "\(run.stdout)")
        let reason = summary?["reason"] as? String ?? ""
        #expect(reason.contains("onPremises"), "the summary must say why: \(summary ?? [:])")
        #expect((summary?["policy_explanation"] as? [String])?.first == reason)
    }
}
