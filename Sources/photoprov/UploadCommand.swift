import Foundation
import PhotoCodec
import PhotoProvisioning

extension Command {
    static let upload = Command(
        name: "upload",
        summary: "Convert and upload everyone's photo from a CSV or a folder; resumable, sync-aware, polite.",
        usage: "upload (--csv FILE | --dir DIR) [options] [sign-in options]",
        options: [
            .value("csv", "FILE", "CSV with a header row: UPN and photo columns (paths relative to the CSV)"),
            .value(
                "dir", "DIR",
                "folder of images named <upn>.<ext> (jpg, png, heic, avif, webp; <alias>.<ext> with --domain)"),
            .value("upn-column", "NAME", "the CSV's key column (default: upn, userPrincipalName, mail or email)"),
            .value("photo-column", "NAME", "the CSV's photo column (default: photo, image, file or path)"),
            .value(
                "name-column", "NAME",
                "the CSV's display-name column, for reports (default: displayName, name or fullName)"),
            .value("domain", "DOMAIN", "folder sources: files named <alias>.<ext> mean alias@DOMAIN"),
            .value("match", "KEY", "what the keys are: upn (default), mail, employeeId or id; contacts: email or id"),
            .value("target", "KIND", "users (default), groups or teams (keyed by id), or contacts (with --mailbox)"),
        ] + contactsOptions + [
            .flag("allow-outside", "accept photo paths that leave the source folder (.., symlinks, absolute)")
        ] + codecOptions + [
            .value("jobs", "N", "images converted at once (default: number of cores)"),
            .value("journal", "PATH", "the journal file (default ./photoprov.journal; created mode 0600)"),
            .value("report", "DIR", "write report.html, report.csv and report.json there"),
            .flag("dry-run", "do everything except write to the tenant (checks it read-only when signed in)"),
            .flag("offline", "with --dry-run: no tenant, no credentials"),
            .flag("force", "upload even photos the journal says are unchanged"),
            .flag("verify-sources", "read and hash every photo, even those whose file metadata are unchanged"),
            .flag("remove-missing", "delete photos this tool uploaded for users no longer in this source"),
            .value(
                "max-removals", "N|P%",
                "with --remove-missing: above N removals (or P% of the photos this source "
                    + "set) remove none and exit 7 (default 10%)"),
            .flag("only-missing", "set photos only for those who have none; the rest are kept"),
            .flag(
                "overwrite-others",
                "replace (or delete) photos someone changed since this tool set them "
                    + "(backed up)"),
            .value("max-items", "N", "work on at most N items now; the rest wait for the next run"),
            .value("max-duration", "TIME", "stop taking new items after TIME (e.g. 30m, 1h30m); the rest wait"),
            .flag("skip-policy-check", "upload even when the policy preflight says blocked"),
            .value("log-format", "text|json", "plain lines (default) or JSON lines for log collectors"),
            .flag("quiet", "print only failures and the summary"),
        ] + graphOptions
    ) { arguments in
        guard arguments.positionals.isEmpty else {
            throw UsageError("upload takes no positional arguments, got '\(arguments.positionals[0])'")
        }
        let settings = try uploadSettings(from: arguments)
        return try await runJob(settings, graph: try uploadGraph(arguments, settings: settings), arguments: arguments)
    }

    /// Runs an upload (or restore) job to its end with the output `--log-format` and `--quiet` ask for, stopping on
    /// SIGINT/SIGTERM, and returns its exit code.
    static func runJob(_ settings: UploadJob.Settings, graph: any GraphService, arguments: Arguments) async throws
        -> ExitCode
    {
        let output = UploadOutput(
            format: try arguments.choice("log-format", ["text", "json"], default: "text") == "json" ? .json : .text,
            quiet: arguments.has("quiet"), interactive: Terminal.isInteractive)
        let stop = StopFlag()
        let signals = Signals(stop: stop)
        defer { withExtendedLifetime(signals) {} }
        let job = UploadJob(settings: settings, graph: graph, stop: stop, events: output.handle)
        let summary = try await job.run()
        output.finish(summary)
        return exitCode(of: summary)
    }

    /// `--max-items N` and `--max-duration TIME`: how much of the work this invocation may do.
    static func limits(from arguments: Arguments) throws -> (items: Int?, seconds: Double?) {
        var maxDuration: Double?
        if let text = arguments.value("max-duration") {
            guard let seconds = TimeSpan.parse(text) else {
                throw UsageError("--max-duration must be a duration such as 90s, 30m or 1h30m, not '\(text)'")
            }
            maxDuration = seconds
        }
        let maxItems =
            arguments.value("max-items") == nil
            ? nil : try arguments.integer("max-items", default: 0, in: 1...Int(Int32.max))
        return (maxItems, maxDuration)
    }

    /// The exit code of a finished upload or restore run.
    static func exitCode(of summary: UploadSummary) -> ExitCode {
        if summary.blocked { return .blocked }
        if summary.stoppedBy == .interrupted { return .interrupted }
        if summary.removalsRefused != nil { return .removalsRefused }
        if summary.hasFailures { return .someFailed }
        if summary.kind == .dryRun, summary.policy?.verdict == .unknown { return .someFailed }
        return .success
    }

    /// Reads every upload flag into the library's settings; malformed values are usage errors (exit 2).
    static func uploadSettings(from arguments: Arguments) throws -> UploadJob.Settings {
        let source: UploadJob.Settings.Source
        switch (arguments.value("csv"), arguments.value("dir")) {
        case (let csv?, nil): source = .csv(csv)
        case (nil, let dir?): source = .folder(dir)
        case (.some, .some): throw UsageError("give either --csv FILE or --dir DIR, not both")
        case (nil, nil): throw UsageError("upload needs --csv FILE or --dir DIR")
        }
        if arguments.has("offline"), !arguments.has("dry-run") {
            throw UsageError("--offline needs --dry-run: a real upload needs the tenant")
        }
        let sourceOptions = try sourceOptions(from: arguments)
        let target = sourceOptions.target
        // Refused before anything is read or signed in, dry runs too: every removal would be a request Graph refuses.
        if arguments.has("remove-missing"), !target.canDeletePhoto {
            throw UsageError(
                "--remove-missing cannot be used with --target \(target.rawValue): \(UploadJob.undeletable(target)); "
                    + "run without --remove-missing (the photos of \(target.noun)s no longer in the source are kept)")
        }
        var maxRemovals = RemovalLimit.standard
        if let text = arguments.value("max-removals") {
            guard let limit = RemovalLimit(text) else {
                throw UsageError("--max-removals must be a count such as 25 or a share such as 10%, not '\(text)'")
            }
            maxRemovals = limit
        }
        let limits = try limits(from: arguments)
        // Group and team photos are logos and pictures more than faces: framed by the fixed rule unless asked.
        let defaultCrop = [.groups, .teams].contains(sourceOptions.target) ? "square" : "auto"
        let codec = try codecOptions(from: arguments, defaultCrop: defaultCrop)
        var settings = UploadJob.Settings(
            source: source, sourceOptions: sourceOptions,
            mailbox: try contactsMailbox(from: arguments, target: sourceOptions.target), codec: codec,
            jobs: try arguments.integer("jobs", default: ProcessInfo.processInfo.activeProcessorCount, in: 1...256),
            concurrency: try arguments.integer("concurrency", default: 8, in: 1...256),
            journalPath: arguments.value("journal") ?? Journal.defaultPath, dryRun: arguments.has("dry-run"),
            force: arguments.has("force"), removeMissing: arguments.has("remove-missing"), maxRemovals: maxRemovals,
            maxItems: limits.items,
            maxDuration: limits.seconds, skipPolicyCheck: arguments.has("skip-policy-check"),
            keepPreviews: arguments.has("dry-run"), reportDirectory: arguments.value("report"),
            arguments: CommandLine.arguments.dropFirst().map { $0 }, overwriteOthers: arguments.has("overwrite-others"),
            onlyMissing: arguments.has("only-missing"),
            faces: try faceFraming(from: arguments, codec: codec, defaultCrop: defaultCrop))
        settings.verifySources = arguments.has("verify-sources")
        return settings
    }

    /// How to read the source: `--match`, `--target`, the columns, `--domain`, `--allow-outside`.
    static func sourceOptions(from arguments: Arguments) throws -> SourceOptions {
        let target = TargetKind(
            rawValue: try arguments.choice("target", TargetKind.allCases.map(\.rawValue), default: "users"))!
        let match: MatchKey
        if target == .contacts {
            match = try arguments.choice("match", ["email", "id"], default: "email") == "id" ? .contactId : .email
        } else {
            match = MatchKey(
                rawValue: try arguments.choice("match", ["upn", "mail", "employeeId", "id", "email"], default: "upn"))!
            if match == .email {
                throw UsageError("--match email is for --target contacts; users are matched by mail or upn")
            }
            if target != .users, arguments.value("match") != nil, match != .id {
                throw UsageError(
                    "--target \(target.rawValue) is keyed by object id; --match \(match.rawValue) is for users")
            }
        }
        return SourceOptions(
            match: match, target: target, keyColumn: arguments.value("upn-column"),
            photoColumn: arguments.value("photo-column"), nameColumn: arguments.value("name-column"),
            domain: arguments.value("domain"),
            allowOutside: arguments.has("allow-outside"))
    }

    /// The tenant for an upload; offline for `--offline`, or a dry run with no credentials at all.
    static func uploadGraph(_ arguments: Arguments, settings: UploadJob.Settings) throws -> any GraphService {
        if arguments.has("offline") { return OfflineGraph() }
        do {
            var graphSettings = try graphSettings(from: arguments)
            // Device-code sign-in asks consent for what the run needs; contacts need only Contacts.ReadWrite.
            if settings.mailbox != nil { graphSettings.delegatedScopes = [PolicyReport.contactsWritePermission] }
            return try GraphClient(settings: graphSettings)
        } catch let error as GraphError where error.kind == .signIn && settings.dryRun {
            Terminal.note("photoprov: no credentials given: dry run without the tenant (as --offline)")
            return OfflineGraph()
        }
    }

    /// Writes the three report files for run `run` of the journal at `journalPath`.
    static func writeReport(journalPath: String, run: Int64?, to directory: String) async throws -> ReportWriter.Files {
        let journal = try await Journal.open(at: journalPath, create: false)
        // A run that is not there is a wrong argument (exit 2), not an unusable journal.
        if let run, try await journal.run(id: run) == nil {
            throw UsageError("journal \(journalPath) has no run \(run); 'photoprov status' shows the latest run's id")
        }
        if run == nil, try await journal.latestRun() == nil {
            throw UsageError("journal \(journalPath) holds no run yet; run 'photoprov upload' first")
        }
        return try await journal.writeReport(run: run, to: directory)
    }
}
