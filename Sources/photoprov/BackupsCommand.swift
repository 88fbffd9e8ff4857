import Foundation
import PhotoProvisioning

extension Command {
    static let backups = Command(
        name: "backups",
        summary: "Show the photo backups the journal holds; 'backups prune --older-than 90d' drops old ones.",
        usage: """
            backups [--journal PATH]
                   photoprov backups prune --older-than AGE [--dry-run] [--journal PATH]
            """,
        options: [
            .value("journal", "PATH", "journal file (default ./photoprov.journal)"),
            .value("older-than", "AGE", "prune: drop backups taken longer ago than AGE (e.g. 90d, 12h)"),
            .flag("dry-run", "prune: say what would be dropped, drop nothing"),
        ]
    ) { arguments in
        let path = arguments.value("journal") ?? Journal.defaultPath
        switch arguments.positionals.first {
        case nil: return try await showBackups(arguments, path: path)
        case "prune": return try await pruneBackups(arguments, path: path)
        case let other?:
            throw UsageError("unknown backups action '\(other)'; use 'photoprov backups' or 'photoprov backups prune'")
        }
    }

    private static func showBackups(_ arguments: Arguments, path: String) async throws -> ExitCode {
        guard arguments.value("older-than") == nil, !arguments.has("dry-run") else {
            throw UsageError("--older-than and --dry-run belong to 'photoprov backups prune'")
        }
        let totals = try await openExisting(path).totals().backups
        print("journal \(path)")
        print(StatusFormat.backupsLine(totals))
        return .success
    }

    private static func pruneBackups(_ arguments: Arguments, path: String) async throws -> ExitCode {
        guard arguments.positionals.count == 1 else {
            throw UsageError("backups prune takes no other arguments, not '\(arguments.positionals[1])'")
        }
        guard let text = arguments.value("older-than") else {
            throw UsageError("backups prune needs --older-than AGE, e.g. 90d")
        }
        guard let age = TimeSpan.parse(text) else {
            throw UsageError("--older-than must be an age such as 90d, 36h or 30m, not '\(text)'")
        }
        let dryRun = arguments.has("dry-run")
        let journal = try await openExisting(path)
        let result = try await journal.pruneBackups(olderThan: Date(timeIntervalSinceNow: -age), dryRun: dryRun)
        let verb = dryRun ? "would drop" : "dropped"
        var line =
            "backups older than \(text): \(verb) \(result.backups) backup(s) and \(result.photos) photo(s) "
            + "(\(ByteCount.format(result.bytes)))"
        if !dryRun, result.backups + result.photos > 0 {
            line +=
                "; journal \(ByteCount.format(result.fileBytesBefore)) -> \(ByteCount.format(result.fileBytesAfter))"
        }
        print(line)
        return .success
    }

    /// The journal at `path`, never created: a missing one is a usage error.
    static func openExisting(_ path: String) async throws -> Journal {
        guard FileManager.default.fileExists(atPath: path) else {
            throw UsageError("no journal at \(path); run 'photoprov upload' first or pass --journal PATH")
        }
        return try await Journal.open(at: path, create: false)
    }
}
