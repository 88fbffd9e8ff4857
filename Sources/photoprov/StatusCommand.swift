import Foundation
import PhotoProvisioning

extension Command {
    static let status = Command(
        name: "status",
        summary: "Show the latest run and the journal's totals.",
        usage: "status [--journal PATH] [--json]",
        options: [
            .value("journal", "PATH", "journal file (default ./photoprov.journal)"),
            .flag(
                "json",
                "print JSON: latest_run, counts (uploaded, unchanged, failed, pending, skipped_invalid…), totals"),
        ]
    ) { arguments in
        guard arguments.positionals.isEmpty else {
            throw UsageError("status takes no arguments, got '\(arguments.positionals[0])'")
        }
        let path = arguments.value("journal") ?? Journal.defaultPath
        let status = try await openExisting(path).status()
        print(arguments.has("json") ? StatusFormat.json(status, path: path) : StatusFormat.text(status, path: path))
        return .success
    }
}

/// How `status` prints: plain text for people, JSON for scripts.
enum StatusFormat {
    static func text(_ status: Journal.Status, path: String) -> String {
        var lines = ["journal \(path)"]
        if let run = status.latestRun {
            let restore = run.restoresRun.map { ", restore of run \($0)" } ?? ""
            lines.append("latest run \(run.id): \(run.kind.rawValue)\(restore), \(run.status.rawValue)")
            lines.append("  started   \(timestamp(run.startedAt))")
            if let ended = run.endedAt {
                lines.append("  ended     \(timestamp(ended)) (took \(TimeSpan.format(run.duration)))")
            } else {
                lines.append(
                    "  running   for \(TimeSpan.format(run.duration)) (not finished: the same command resumes it)")
            }
            lines.append("  policy    \(run.verdictText)")
            if !run.arguments.isEmpty { lines.append("  command   photoprov \(run.arguments.joined(separator: " "))") }
            let counts = status.counts.summary.filter {
                $0.name != "total" && ($0.count > 0 || coreNames.contains($0.name))
            }
            lines.append(
                "  items     \(status.counts.total): "
                    + counts.map { "\($0.count) \(displayName($0.name))" }.joined(separator: ", "))
        } else {
            lines.append("no runs yet")
        }
        let withPhotos = TargetKind.allCases.compactMap { target -> String? in
            let count = status.totals.withPhotos[target] ?? 0
            return count > 0 || target == .users ? "\(count) \(target.rawValue) with photos" : nil
        }
        let runs = status.totals.runs == 1 ? "1 run" : "\(status.totals.runs) runs"
        lines.append("totals: \(runs); " + withPhotos.joined(separator: "; "))
        lines.append(backupsLine(status.totals.backups))
        return lines.map(Terminal.printable).joined(separator: "\n")
    }

    /// `backups: 60 held (50 photos, 48 distinct, 2.1 MB), oldest 2026-11-02T06:30:00Z`.
    static func backupsLine(_ backups: Journal.BackupTotals) -> String {
        guard backups.count > 0 else { return "backups: none held" }
        var line =
            "backups: \(backups.count) held (\(backups.photos) photo(s), \(backups.distinctPhotos) distinct, "
            + "\(ByteCount.format(backups.bytes)))"
        if let oldest = backups.oldest { line += ", oldest \(timestamp(oldest))" }
        return line
    }

    private static func displayName(_ name: String) -> String {
        name == "skipped_invalid" ? "skipped or invalid" : name.replacingOccurrences(of: "_", with: " ")
    }

    private static let coreNames: Set<String> = ["uploaded", "unchanged", "failed", "pending", "skipped_invalid"]

    static func json(_ status: Journal.Status, path: String) -> String {
        var object: [String: Any] = ["journal": path]
        if let run = status.latestRun {
            var latest: [String: Any] = [
                "id": run.id, "kind": run.kind.rawValue, "status": run.status.rawValue,
                "started_at": timestamp(run.startedAt), "duration_seconds": (run.duration * 1000).rounded() / 1000,
                "arguments": run.arguments, "command_key": run.commandKey,
            ]
            latest["ended_at"] = run.endedAt.map(timestamp) ?? NSNull()
            latest["verdict"] = run.verdict == nil ? NSNull() : run.verdictText
            latest["restores_run"] = run.restoresRun.map { $0 as Any } ?? NSNull()
            object["latest_run"] = latest
        } else {
            object["latest_run"] = NSNull()
        }
        object["counts"] = Dictionary(uniqueKeysWithValues: status.counts.summary.map { ($0.name, $0.count) })
        object["totals"] = [
            "runs": status.totals.runs,
            "users_with_photos": status.totals.withPhotos[.users] ?? 0,
            "groups_with_photos": status.totals.withPhotos[.groups] ?? 0,
            "teams_with_photos": status.totals.withPhotos[.teams] ?? 0,
            "contacts_with_photos": status.totals.withPhotos[.contacts] ?? 0,
            "backups": status.totals.backups.count,
            "backup_photos": status.totals.backups.photos,
            "backup_distinct_photos": status.totals.backups.distinctPhotos,
            "backup_bytes": status.totals.backups.bytes,
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
