import Foundation
import PhotoCodec
import PhotoProvisioning

/// One subcommand: its name, help text, options and what it runs.
struct Command: Sendable {
    let name: String
    let summary: String
    let usage: String
    /// The command's own options; `parse` and `--help` add `--config`.
    let declaredOptions: [Arguments.Option]
    let run: @Sendable (Arguments) async throws -> ExitCode

    init(
        name: String, summary: String, usage: String, options: [Arguments.Option],
        run: @escaping @Sendable (Arguments) async throws -> ExitCode
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.declaredOptions = options
        self.run = run
    }

    /// Every option the command takes: its own and `--config`.
    var options: [Arguments.Option] {
        declaredOptions + [
            .value("config", "FILE", "read options from FILE (name = value lines); flags given here win")
        ]
    }

    /// Parses the command line and, with `--config FILE`, the file's options under it.
    ///
    /// Reads the config file on the calling thread: one small read at start-up, before any concurrent work.
    func parse(_ arguments: [String]) throws(UsageError) -> Arguments {
        let parsed = try Arguments(arguments, options: options)
        guard let path = parsed.value("config") else { return parsed }
        return try parsed.merging(ConfigFile.read(path), options: options, command: name)
    }

    /// The subcommand's `--help` text.
    var help: String {
        var text = "\(summary)\n\nUsage: photoprov \(usage)\n"
        if !options.isEmpty {
            text += "\nOptions:\n"
            for option in options {
                let left = option.takesValue ? "--\(option.name) \(option.valueName)" : "--\(option.name)"
                let padded = left.padding(toLength: max(left.count, 26), withPad: " ", startingAt: 0)
                text += "  \(padded)  \(option.help)\n"
            }
        }
        return text
    }
}

extension CommandLine {
    /// Every subcommand, in the order `--help` lists them.
    static let commands: [Command] = [
        .upload,
        .restore,
        .export,
        .convert,
        .status,
        .backups,
        .report,
        .policy,
    ]

    static let overview = """
        photoprov \(Release.version): bulk Microsoft 365 / Entra ID profile photos through Microsoft Graph.

        Usage: photoprov <command> [options]

        Commands:
        \(commands.map { "  " + $0.name.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))

        Run 'photoprov <command> --help' for a command's options. Exit codes: 0 success, 1 some items failed,
        2 bad arguments, 3 blocked by policy or permission, 4 sign-in failed, 5 run stopped by an infrastructure
        failure, 6 journal unusable, 7 --remove-missing removed nothing (see --max-removals), 130 interrupted.
        """

    /// Runs the subcommand named by `arguments[0]` and turns every error into an exit code and one message.
    static func run(_ arguments: [String]) async -> ExitCode {
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            if arguments.count >= 2, let command = commands.first(where: { $0.name == arguments[1] }) {
                print(command.help)
            } else {
                print(overview)
            }
            return .success
        }
        if first == "--version" || first == "version" {
            print("photoprov \(Release.version)")
            return .success
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            Terminal.error("unknown command '\(first)'; run 'photoprov --help' for the list")
            return .usage
        }
        let rest = Array(arguments.dropFirst())
        if command.options.contains(where: { $0.name == "log-format" }) {
            Terminal.jsonLines.store(Terminal.asksForJSON(rest), ordering: .relaxed)
        }
        if rest.contains("--help") || rest.contains("-h") {
            print(command.help)
            return .success
        }
        do {
            let parsed = try command.parse(rest)
            return try await command.run(parsed)
        } catch {
            return exitCode(for: error)
        }
    }

    /// The one place where errors become exit codes and messages.
    static func exitCode(for error: any Error) -> ExitCode {
        let code = exitCode(classifying: error)
        Terminal.error(String(describing: error), exitCode: code)
        return code
    }

    /// The exit code for `error`, by what it is (a `RunFailure` by its cause); prints nothing.
    static func exitCode(classifying error: any Error) -> ExitCode {
        switch error {
        case let failure as RunFailure: return exitCode(classifying: failure.cause)
        case is UsageError, is SourceError: return .usage
        case let error as GraphError:
            switch error.kind {
            case .signIn: return .signInFailed
            case .blocked: return .blocked
            case .configuration: return .usage
            case .request, .network: return .infrastructure
            }
        case let error as JournalError:
            return error.reason == .notFound ? .usage : .journal
        case is ReportError, is CodecError, is PipelineError: return .infrastructure
        default: return .infrastructure
        }
    }
}
