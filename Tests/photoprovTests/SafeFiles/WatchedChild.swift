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

        // The child's own peak: Linux carries a process's peak RSS across fork and exec, so photoprov started
        // straight from this (large) test process would report at least this process's size. A small Python
        // launcher forks it instead and hands back the grandchild's rusage from os.wait4.
        let binary = PhotoprovProcess.binary.path
        let usagePath = folder.appendingPathComponent("rusage").path
        let launcher = """
            import os, sys
            pid = os.fork()
            if pid == 0:
                os.execv(sys.argv[2], sys.argv[2:])
            _, status, usage = os.wait4(pid, 0)
            with open(sys.argv[1], "w") as f:
                f.write(str(usage.ru_maxrss))
            os._exit(os.waitstatus_to_exitcode(status) % 256 if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
            """
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let python = "/usr/bin/env"
        let argv = (["env", "python3", "-c", launcher, usagePath, binary] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))  // one group: a hang kills both
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, python, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw Emulator.Failure(description: "cannot start python3: \(String(cString: strerror(spawned)))")
        }

        // wait4 blocks on its own thread; this one waits for it, or for the hang bound.
        nonisolated(unsafe) var status: Int32 = 0
        let exited = DispatchSemaphore(value: 0)
        let child = pid
        Thread {
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            exited.signal()
        }.start()
        var hung = false
        if exited.wait(timeout: .now() + hangBound) == .timedOut {
            hung = true
            kill(-child, SIGKILL)
            exited.wait()
        }
        let peakKilobytes = Int((try? String(contentsOfFile: usagePath, encoding: .utf8)) ?? "") ?? 0
        let signal = status & 0x7F
        return Output(
            status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            peakRSS: peakKilobytes * 1024, hung: hung)
    }
}

/// The bytes and permission bits of the file at `path`, to prove it untouched.
func snapshot(_ path: String) throws -> (bytes: Data, mode: Int) {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    return (bytes, mode)
}
