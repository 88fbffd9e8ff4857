import Foundation
import PhotoProvisioning

extension Command {
    static let restore = Command(
        name: "restore",
        summary: "Put back what a run changed, from the backups it took; itself a resumable run that can be restored.",
        usage:
            "restore --run N [--journal PATH] [--only KEY ...] [--dry-run] [--report DIR] [--force] [sign-in options]",
        options: [
            .value("run", "N", "the run whose changes to undo ('photoprov status' shows the latest run's id)"),
            .value("journal", "PATH", "the journal holding the run and its backups (default ./photoprov.journal)"),
            .value("only", "KEY", "only this user, group, team or contact (repeatable; compared ignoring case)"),
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
        let limits = try limits(from: arguments)
        let dryRun = arguments.has("dry-run")
        let settings = UploadJob.Settings(
            source: .backups(run: run, only: arguments.all("only")),
            jobs: try arguments.integer("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...256),
            concurrency: try arguments.integer("concurrency", default: 8, in: 1...256),
            journalPath: arguments.value("journal") ?? Journal.defaultPath, dryRun: dryRun,
            force: arguments.has("force"),
            maxItems: limits.items, maxDuration: limits.seconds, skipPolicyCheck: arguments.has("skip-policy-check"),
            keepPreviews: dryRun, reportDirectory: arguments.value("report"),
            arguments: CommandLine.arguments.dropFirst().map { $0 })
        return try await runJob(
            settings, graph: try GraphClient(settings: try graphSettings(from: arguments)), arguments: arguments)
    }
}
