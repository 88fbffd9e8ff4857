import Foundation
import PhotoProvisioning

extension Command {
    static let restore = Command(
        name: "restore",
        summary: "Put back what a run changed, from the backups it took; itself a resumable run that can be restored.",
        usage: "restore --run N [--journal PATH] [--only KEY ...] [--dry-run] [--report DIR] [--force] [sign-in options]",
        options: [
            .value("run", "N", "the run whose changes to undo ('photoprov status' shows the latest run's id)"),
            .value("journal", "PATH", "the journal holding the run and its backups (default ./photoprov.journal)"),
            .value("only", "KEY", "restore only this user, group or team (repeatable; compared ignoring case)"),
            .flag("dry-run", "say what would be put back, change nothing"),
            .value("report", "DIR", "write report.html, report.csv and report.json there"),
            .flag("force", "put back even photos that changed after run N (that later change is lost)"),
            .value("jobs", "N", "threads for blocking work (default: number of cores)"),
            .value("max-items", "N", "work on at most N items now; the rest wait for the next run"),
            .value("max-duration", "TIME", "stop taking new items after TIME (e.g. 30m); the rest wait"),
            .flag("skip-policy-check", "restore even when the policy preflight says blocked"),
            .value("log-format", "text|json", "plain lines (default) or JSON lines for log collectors"),
            .flag("quiet", "print only failures and the summary"),
        ] + graphOptions
    ) { arguments in
        guard arguments.positionals.isEmpty else {
            throw UsageError("restore takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        guard arguments.value("run") != nil else { throw UsageError("restore needs --run N") }
        let run = Int64(try arguments.integer("run", default: 0, in: 1...Int.max))
        var maxDuration: Double?
        if let text = arguments.value("max-duration") {
            guard let seconds = TimeSpan.parse(text) else {
                throw UsageError("--max-duration must be a duration such as 90s, 30m or 1h30m, not '\(text)'")
            }
            maxDuration = seconds
        }
        let dryRun = arguments.has("dry-run")
        let settings = UploadJob.Settings(
            source: .backups(run: run, only: arguments.all("only")),
            jobs: try arguments.integer("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...256),
            concurrency: try arguments.integer("concurrency", default: 8, in: 1...256),
            journalPath: arguments.value("journal") ?? Journal.defaultPath, dryRun: dryRun, force: arguments.has("force"),
            maxItems: arguments.value("max-items") == nil
                ? nil : try arguments.integer("max-items", default: 0, in: 1...Int(Int32.max)),
            maxDuration: maxDuration, skipPolicyCheck: arguments.has("skip-policy-check"), keepPreviews: dryRun,
            reportDirectory: arguments.value("report"), arguments: CommandLine.arguments.dropFirst().map { $0 })
        let graph: any GraphService = try GraphClient(settings: try graphSettings(from: arguments))
        let output = UploadOutput(
            format: try arguments.choice("log-format", ["text", "json"], default: "text") == "json" ? .json : .text,
            quiet: arguments.has("quiet"), interactive: Terminal.isInteractive)
        let stop = StopFlag()
        let signals = Signals(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let summary = try await UploadJob(settings: settings, graph: graph, stop: stop, events: output.handle).run()
        output.finish(summary)
        return exitCode(of: summary)
    }
}
