import Foundation
import PhotoModel

extension Journal {
    private static let runColumns = """
        id, kind, command_key, arguments, verdict, \(JournalSchema.unixSeconds("started_at")), \
        \(JournalSchema.unixSeconds("ended_at")), status, verdict_detail, restores_run
        """

    private static func run(_ row: SQLiteStatement) -> Run {
        let arguments = (try? JSONDecoder().decode([String].self, from: Data(row.text(3).utf8))) ?? []
        return Run(
            id: row.int(0), kind: RunKind(rawValue: row.text(1)) ?? .upload, commandKey: row.text(2),
            arguments: arguments, verdict: row.optionalText(4).flatMap(Verdict.init(rawValue:)),
            verdictDetail: row.optionalText(8), startedAt: Date(timeIntervalSince1970: row.double(5)),
            endedAt: row.optionalDouble(6).map { Date(timeIntervalSince1970: $0) },
            status: RunStatus(rawValue: row.text(7)) ?? .failed, restoresRun: row.optionalInt(9))
    }

    /// Continues the unfinished run of the same kind and command key, or starts a new one.
    ///
    /// Takes an exclusive lock on `<journal>-lock` until `finishRun` (or the end of the process), so an
    /// overlapping invocation, e.g. a cron job that outlasts its interval, fails with `busy` instead of
    /// working on the same items.
    ///
    /// A run is unfinished unless it ended `completed` (a killed run is still `running`; one stopped by a
    /// signal or an error is `interrupted` or `failed`). A resumed run is set back to `running`.
    /// - Parameters:
    ///   - kind: upload or dry run; a dry run never resumes an upload run and vice versa.
    ///   - commandKey: what makes two invocations "the same command" (the caller builds it).
    ///   - arguments: the command line, already redacted by the caller; values of flags named like
    ///     secret, token, password or assertion are redacted again here (see `redact`).
    ///   - restoresRun: for `photoprov restore`, the run whose changes it puts back (recorded with a new run).
    /// - Returns: the run, whether it was resumed, and its items as they stand.
    /// - Throws: `JournalError` with reason `busy` when another run holds the journal.
    public func startRun(
        kind: RunKind, commandKey: String, arguments: [String], restoresRun: Int64? = nil
    ) throws(JournalError) -> Start {
        if runLock == nil { runLock = try RunLock(journalPath: path) }
        let (id, resumed) = try db.transaction { () throws(JournalError) -> (Int64, Bool) in
            let unfinished = try db.statement(
                "SELECT id FROM runs WHERE command_key = ? AND kind = ? AND status <> 'completed' ORDER BY id DESC LIMIT 1"
            ).rows([.text(commandKey), .text(kind.rawValue)]) { $0.int(0) }.first
            if let unfinished {
                try db.statement("UPDATE runs SET status = 'running', ended_at = NULL WHERE id = ?").run([
                    .integer(unfinished)
                ])
                return (unfinished, true)
            }
            let json = (try? JSONEncoder().encode(Redaction.arguments(arguments))) ?? Data("[]".utf8)
            try db.statement(
                """
                INSERT INTO runs (kind, command_key, arguments, started_at, status, restores_run) \
                VALUES (?, ?, ?, \(JournalSchema.now), 'running', ?)
                """
            ).run([
                .text(kind.rawValue), .text(commandKey), .text(String(decoding: json, as: UTF8.self)),
                restoresRun.map { .integer($0) } ?? .null,
            ])
            return (db.lastInsertRowID, false)
        }
        guard let run = try run(id: id) else {
            throw JournalError(.unknownRecord, path: path, detail: "run \(id) vanished")
        }
        return Start(run: run, resumed: resumed, items: resumed ? try items(run: id) : [])
    }

    /// Records the tenant photo-policy verdict of run `run`, with its first reason (or why it was not checked).
    public func setVerdict(_ verdict: Verdict, detail: String?, run: Int64) throws(JournalError) {
        try db.statement("UPDATE runs SET verdict = ?, verdict_detail = ? WHERE id = ?").run([
            .text(verdict.rawValue), .optional(detail), .integer(run),
        ])
        guard db.changes == 1 else { throw JournalError(.unknownRecord, path: path, detail: "no run \(run)") }
    }

    /// Ends run `run` with `status` and the current time.
    public func finishRun(_ run: Int64, status: RunStatus) throws(JournalError) {
        try db.statement("UPDATE runs SET status = ?, ended_at = \(JournalSchema.now) WHERE id = ?").run([
            .text(status.rawValue), .integer(run),
        ])
        guard db.changes == 1 else { throw JournalError(.unknownRecord, path: path, detail: "no run \(run)") }
        runLock = nil
    }

    /// The run with id `id`, if any.
    public func run(id: Int64) throws(JournalError) -> Run? {
        try db.statement("SELECT \(Journal.runColumns) FROM runs WHERE id = ?").rows([.integer(id)], Journal.run).first
    }

    /// The most recently started run, if any.
    public func latestRun() throws(JournalError) -> Run? {
        try db.statement("SELECT \(Journal.runColumns) FROM runs ORDER BY id DESC LIMIT 1").rows([], Journal.run).first
    }

    /// Runs, newest first, at most `limit`.
    public func runs(limit: Int = 100) throws(JournalError) -> [Run] {
        try db.statement("SELECT \(Journal.runColumns) FROM runs ORDER BY id DESC LIMIT ?").rows(
            [.integer(Int64(limit))], Journal.run)
    }
}
