import Foundation

/// A child process run to completion with its output captured: the built `photoprov`, `openssl`, and the like.
///
/// Everything here waits by events, never by sleeping or by blocking a thread of the cooperative pool: output is
/// read on the child's own reader threads, and the exit arrives through the process's termination handler.
package enum ChildProcess {
    /// What the child printed and how it ended.
    package struct Output: Sendable {
        package let status: Int32
        /// `.exit` for a normal exit (``status`` is the exit code), `.uncaughtSignal` when a signal ended it
        /// (``status`` is the signal number).
        package let reason: Process.TerminationReason
        package let stdout: Data
        package let stderr: Data

        /// Standard output as UTF-8 text.
        package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        /// Standard error as UTF-8 text.
        package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, `environment` added to this process's, and `input` on standard input;
    /// returns once it has exited and both pipes are drained.
    package static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        input: Data? = nil
    ) async throws -> Output {
        let child = try RunningProcess(
            executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input)
        return await child.finished()
    }

    /// Runs a tool found on `PATH` (e.g. `openssl`) and returns its standard output; throws with its stderr when
    /// it fails.
    @discardableResult
    package static func tool(_ name: String, _ arguments: [String], input: Data? = nil) async throws -> Data {
        let output = try await run(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, input: input)
        guard output.status == 0, output.reason == .exit else {
            throw Emulator.Failure(
                description: "\(name) \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
        }
        return output.stdout
    }
}

/// A child process started in the background: its output collected as it comes, signals on demand, and awaitable
/// events — some text appeared, the process ended.
package final class RunningProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is configured before `run()` and afterwards only read (`processIdentifier`);
    // everything that changes lives in `state`, touched only under `lock`.

    private let process = Process()
    private let lock = NSLock()
    private var state = State()

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var openPipes = 2
        var exit: (status: Int32, reason: Process.TerminationReason)?
        var finishedWaiters: [CheckedContinuation<ChildProcess.Output, Never>] = []
        var textWaiters: [TextWaiter] = []
        var exitHandlers: [@Sendable () -> Void] = []

        var output: ChildProcess.Output? {
            guard let exit, openPipes == 0 else { return nil }
            return ChildProcess.Output(status: exit.status, reason: exit.reason, stdout: stdout, stderr: stderr)
        }
    }

    private struct TextWaiter {
        let condition: @Sendable (_ stdout: String, _ stderr: String) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    /// Starts `executable` with `arguments`, `environment` added to this process's, and `input` written to its
    /// standard input (then closed; no input means `/dev/null`).
    package init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        input: Data? = nil
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        process.terminationHandler = { [weak self] process in
            self?.update { $0.exit = (process.terminationStatus, process.terminationReason) }
        }
        try process.run()
        // The pipes' write ends now belong to the child alone, so each reader sees end-of-file when it exits.
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        read(out.fileHandleForReading, into: \.stdout)
        read(err.fileHandleForReading, into: \.stderr)
        if let input {
            let writer = inPipe.fileHandleForWriting
            Thread.detachNewThread {
                writer.write(input)
                try? writer.close()
            }
        }
    }

    /// Reads `handle` to its end on a thread of its own, appending each chunk to the state at `field`.
    private func read(_ handle: FileHandle, into field: WritableKeyPath<State, Data> & Sendable) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                update { $0[keyPath: field].append(chunk) }
            }
            try? handle.close()
            update { $0.openPipes -= 1 }
        }
    }

    /// Applies `change` and wakes every waiter whose event has now happened.
    private func update(_ change: (inout State) -> Void) {
        var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
        var finished: [CheckedContinuation<ChildProcess.Output, Never>] = []
        var output: ChildProcess.Output?
        var exited: [@Sendable () -> Void] = []
        lock.withLock {
            change(&state)
            if state.exit != nil {
                exited = state.exitHandlers
                state.exitHandlers = []
            }
            let ended = state.output != nil
            let stdout = state.textWaiters.isEmpty ? "" : String(decoding: state.stdout, as: UTF8.self)
            let stderr = state.textWaiters.isEmpty ? "" : String(decoding: state.stderr, as: UTF8.self)
            state.textWaiters.removeAll { waiter in
                if waiter.condition(stdout, stderr) {
                    ready.append((waiter.continuation, true))
                    return true
                }
                if ended {
                    ready.append((waiter.continuation, false))
                    return true
                }
                return false
            }
            if let complete = state.output {
                output = complete
                finished = state.finishedWaiters
                state.finishedWaiters = []
            }
        }
        for handler in exited { handler() }
        for (continuation, met) in ready { continuation.resume(returning: met) }
        if let output { for continuation in finished { continuation.resume(returning: output) } }
    }

    /// The child's process id.
    package var pid: Int32 { process.processIdentifier }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGKILL`) to the child.
    package func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits until the output so far satisfies `condition`; false when the child ended without it ever doing so.
    @discardableResult
    package func output(
        where condition: @escaping @Sendable (_ stdout: String, _ stderr: String) -> Bool
    ) async -> Bool {
        await withCheckedContinuation { continuation in
            update { $0.textWaiters.append(TextWaiter(condition: condition, continuation: continuation)) }
        }
    }

    /// Waits for the child to exit and both pipes to be drained.
    package func finished() async -> ChildProcess.Output {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let output = state.output {
                lock.unlock()
                continuation.resume(returning: output)
            } else {
                state.finishedWaiters.append(continuation)
                lock.unlock()
            }
        }
    }

    /// Calls `handler` once the child has exited (at once if it already has), on whichever thread sees the exit.
    package func whenExited(_ handler: @escaping @Sendable () -> Void) {
        let now: Bool = lock.withLock {
            if state.exit != nil { return true }
            state.exitHandlers.append(handler)
            return false
        }
        if now { handler() }
    }

    /// Output collected so far, without waiting.
    package var outputSoFar: (stdout: String, stderr: String) {
        lock.withLock { (String(decoding: state.stdout, as: UTF8.self), String(decoding: state.stderr, as: UTF8.self)) }
    }

    /// Whether the child has exited (its pipes may still hold output).
    package var hasExited: Bool { lock.withLock { state.exit != nil } }
}
