import Foundation
import TestSupport

/// The built `photoprov` run as a child through `posix_spawn` and `wait4`, for what `Foundation.Process` does not
/// give: the child's own peak RSS (its `rusage`, not the sum over every child of this test process), and a hang
/// bound, so a photoprov that waits forever on a FIFO fails its test instead of stalling the suite.
struct WatchedChild {
    /// How the child ended and what it printed.
    struct Output {
        /// The exit status, or 128 + the signal that ended it.
        let status: Int32
        let stdout: String
        let stderr: String
        /// The child's peak resident set size in bytes.
        let peakRSS: Int
        /// Whether the hang bound ran out and the child was killed.
        let hung: Bool
    }

    /// Runs photoprov with `arguments` and `environment` added to this process's; kills it after `hangBound`
    /// seconds (a bound for a broken photoprov that never returns, not a timing expectation). The waiting happens on
    /// a thread of its own, never on the cooperative pool.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], hangBound: Double = 120
    ) async throws -> Output {
        try await onWorkerThread { try runBlocking(arguments, environment: environment, hangBound: hangBound) }
    }

    private static func runBlocking(
        _ arguments: [String], environment: [String: String], hangBound: Double
    ) throws -> Output {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "photoprov-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let binary = PhotoprovProcess.binary.path
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw Emulator.Failure(description: "cannot start \(binary): \(String(cString: strerror(spawned)))")
        }

        // wait4 blocks on its own thread; this one waits for it, or for the hang bound.
        nonisolated(unsafe) var status: Int32 = 0
        nonisolated(unsafe) var usage = rusage()
        let exited = DispatchSemaphore(value: 0)
        let child = pid
        Thread {
            while wait4(child, &status, 0, &usage) < 0 && errno == EINTR {}
            exited.signal()
        }.start()
        var hung = false
        if exited.wait(timeout: .now() + hangBound) == .timedOut {
            hung = true
            kill(child, SIGKILL)
            exited.wait()
        }
        let signal = status & 0x7F
        return Output(
            status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            peakRSS: Int(usage.ru_maxrss) * 1024, hung: hung)
    }
}

/// The bytes and permission bits of the file at `path`, to prove it untouched.
func snapshot(_ path: String) throws -> (bytes: Data, mode: Int) {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    return (bytes, mode)
}
