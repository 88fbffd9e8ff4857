import Foundation
import TestSupport

/// The built `photoprov` binary, run as a child process with captured output.
struct PhotoprovProcess {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The folder holding the test bundle, which SwiftPM also builds the executable into.
    static var binary: URL {
        var url = Bundle.main.bundleURL
        for candidate in [url, url.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("photoprov")
            if FileManager.default.isExecutableFile(atPath: path.path) { return path }
        }
        // xctest bundles on Linux live beside the products in the build folder.
        url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return url.appendingPathComponent("photoprov")
    }

    /// The project's root folder (three levels above this source file).
    static var projectRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Runs photoprov with `arguments` and `environment` added to this process's, waiting for it to exit.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        input: Data? = nil
    ) throws -> Output {
        let output = try ChildProcess.run(
            binary, arguments, environment: environment, currentDirectory: currentDirectory, input: input)
        return Output(status: output.status, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// Starts photoprov in the background with stdout and stderr going to the file `log`; the caller waits for or
    /// signals the returned process.
    static func start(_ arguments: [String], environment: [String: String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
        return process
    }
}
