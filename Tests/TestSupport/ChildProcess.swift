import Foundation

/// A child process run to completion with its output captured: the built `photoprov`, `openssl`, and the like.
package enum ChildProcess {
    /// What the child printed and how it ended.
    package struct Output: Sendable {
        package let status: Int32
        package let stdout: Data
        package let stderr: Data

        /// Standard output as UTF-8 text.
        package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        /// Standard error as UTF-8 text.
        package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments`, `environment` added to this process's, and `input` on standard input;
    /// waits for it to exit. Both pipes are drained at once, so a chatty child cannot block on a full one.
    package static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        input: Data? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try inPipe.fileHandleForWriting.close()
        }
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: outData, stderr: errData)
    }

    /// Runs a tool found on `PATH` (e.g. `openssl`) and returns its standard output; throws with its stderr when
    /// it fails.
    @discardableResult
    package static func tool(_ name: String, _ arguments: [String], input: Data? = nil) throws -> Data {
        let output = try run(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, input: input)
        guard output.status == 0 else {
            throw Emulator.Failure(
                description: "\(name) \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
        }
        return output.stdout
    }
}
