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

    /// Runs photoprov with `arguments` and `environment` added to this process's; returns once it has exited.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        input: Data? = nil
    ) async throws -> Output {
        let output = try await ChildProcess.run(
            binary, arguments, environment: environment, currentDirectory: currentDirectory, input: input)
        return Output(status: output.status, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// Starts photoprov in the background; the caller waits for its output or exit, or signals it.
    static func start(_ arguments: [String], environment: [String: String]) throws -> RunningProcess {
        try RunningProcess(binary, arguments, environment: environment)
    }
}
