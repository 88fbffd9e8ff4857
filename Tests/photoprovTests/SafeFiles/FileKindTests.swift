import Foundation
import TestSupport
import Testing

/// Files given by name that are not what photoprov expects (issue 12): each gets a message naming the real problem,
/// and a FIFO never makes photoprov wait for a writer.
@Suite struct FileKindTests {
    @Test(arguments: ["utf-16le", "utf-16be", "utf-16le-bom"])
    func aUTF16SourceIsNamedAsSuch(_ encoding: String) async throws {
        let batch = try await Batch.make(count: 1)
        let text = "upn,photo\nuser0001@contoso.example,user0001.jpg\n"
        var bytes = Data(
            encoding == "utf-16be"
                ? Array(text.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
                : Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        if encoding == "utf-16le-bom" { bytes.insert(contentsOf: [0xFF, 0xFE], at: 0) }
        try bytes.write(to: URL(fileURLWithPath: batch.csv))
        let run = try await WatchedChild.run([
            "upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal", batch.journal,
        ])
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        let expected =
            encoding == "utf-16be"
            ? "UTF-16 text (big-endian, no byte-order mark), not UTF-8"
            : encoding == "utf-16le"
                ? "UTF-16 text (little-endian, no byte-order mark), not UTF-8"
                : "UTF-16 text (little-endian, with a byte-order mark), not UTF-8"
        #expect(run.stderr.contains("people.csv is \(expected); save it as CSV UTF-8"), "\(run.stderr)")
    }

    /// The photoprov arguments that read `path` as `role`.
    private func arguments(reading path: String, as role: String, _ batch: Batch) -> [String] {
        switch role {
        case "csv": ["upload", "--csv", path, "--dry-run", "--offline", "--journal", batch.journal]
        case "secret file": ["policy", "--client-secret-file", path, "--tenant", "t", "--client-id", "c"]
        case "certificate": ["policy", "--certificate", path, "--tenant", "t", "--client-id", "c"]
        default: ["upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal", path]
        }
    }

    @Test(arguments: ["folder", "fifo"], ["csv", "secret file", "certificate", "journal"])
    func aFolderOrFIFOGivenAsAFileIsNamedAndNeverWaitedOn(_ kind: String, _ role: String) async throws {
        let batch = try await Batch.make(count: 1)
        let path = batch.path("given")
        if kind == "folder" {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } else {
            #expect(mkfifo(path, 0o600) == 0)
        }
        let run = try await WatchedChild.run(
            arguments(reading: path, as: role, batch), environment: SignInFixtures.cleanEnvironment)
        #expect(!run.hung, "photoprov waited on a \(kind) given as the \(role)")
        #expect(run.status == (role == "journal" ? 6 : 2), "\(role): \(run.stdout) \(run.stderr)")
        let what = kind == "folder" ? "is a folder, not" : "is a named pipe (FIFO), not"
        #expect(run.stderr.contains(path) && run.stderr.contains(what), "\(role): \(run.stderr)")
    }

    @Test func aSecretFileWithAByteOrderMarkAndAWindowsLineEndSignsIn() async throws {
        let batch = try await Batch.make(count: 1)
        let emulator = try await Emulator.start()
        defer { emulator.stop() }
        let file = batch.path("secret.txt")
        try Data([0xEF, 0xBB, 0xBF] + Array((emulator.clientSecret + "\r\n").utf8)).write(
            to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
        var environment = emulator.environment
        environment["AZURE_CLIENT_SECRET"] = ""
        let run = try await WatchedChild.run(["policy", "--client-secret-file", file], environment: environment)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("(secret)"), "\(run.stdout)")
    }

    @Test func aFailingTokenCommandsStandardErrorIsScrubbed() async throws {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEiLCJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
        let secret = "Xq8Q~s3cr3tValueThatIsLongEnough0123"
        let command =
            "echo \"curl -H 'Authorization: Bearer \(jwt)' -d client_secret=hunter2 \(secret)\" >&2; "
            + "echo 'second line' >&2; exit 3"
        let run = try await WatchedChild.run(
            ["policy", "--token-command", command, "--graph-url", "http://127.0.0.1:9"],
            environment: SignInFixtures.cleanEnvironment)
        #expect(run.status == 4, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("--token-command exited with status 3"), "\(run.stderr)")
        #expect(
            run.stderr.contains("its standard error (2 lines) begins: curl -H 'Authorization: Bearer ***'"),
            "\(run.stderr)")
        for leaked in [jwt, "hunter2", secret] {
            #expect(!run.stderr.contains(leaked) && !run.stdout.contains(leaked), "leaked \(leaked.prefix(8))…")
        }
    }
}
