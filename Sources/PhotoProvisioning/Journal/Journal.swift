import CSQLite
import Foundation
import PhotoModel

/// The resumable record of every run and item: one SQLite file in WAL mode, created mode 0600.
///
/// An actor on its own serial executor (a Dispatch queue), so SQLite's blocking calls never park Swift's
/// cooperative pool. Every state change is one committed transaction when the call returns; statements are
/// prepared once and reused.
public actor Journal {
    /// The default journal file, relative to the current folder.
    public static let defaultPath = "./photoprov.journal"

    /// The journal file.
    public nonisolated let path: String
    private let executor: JournalExecutor
    let db: SQLiteConnection
    /// Held while this journal has a run started and not finished.
    var runLock: RunLock?

    /// Runs every method of the journal on its own queue.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens the journal at `path`, creating it (mode 0600) or migrating it to the current schema.
    ///
    /// - Parameters:
    ///   - path: the journal file; its `-wal` and `-shm` companions live beside it.
    ///   - create: when `false`, a missing file is `JournalError.Reason.notFound` (for `status`).
    ///   - durability: how hard commits are pushed to disk (see `Durability`).
    /// - Throws: `JournalError` when the file cannot be created, opened or migrated; `notAJournal` for another
    ///   application's SQLite file (or any other file), `unsafeFile` for a symbolic link or a hard-linked file at
    ///   the journal or beside it, all left untouched.
    public static func open(
        at path: String = defaultPath, create: Bool = true, durability: Durability = .normal
    ) async throws(JournalError) -> Journal {
        let executor = JournalExecutor()
        let result: Result<Journal, JournalError> = await withCheckedContinuation { continuation in
            executor.queue.async {
                continuation.resume(
                    returning: Result { () throws(JournalError) -> Journal in
                        try Journal(path: path, create: create, durability: durability, executor: executor)
                    })
            }
        }
        return try result.get()
    }

    private init(path: String, create: Bool, durability: Durability, executor: JournalExecutor) throws(JournalError) {
        self.path = path
        self.executor = executor
        try JournalFile.prepare(path, create: create)
        db = try SQLiteConnection(path: path, create: false, resolved: JournalFile.resolved(path))
        try db.execute("PRAGMA busy_timeout = 10000")
        // Nothing is written before the file is known to be a journal: another application's database is refused
        // as it was found. The schema (and photoprov's mark) comes before WAL mode, so a new file is a marked
        // journal or still empty, whatever stops photoprov in between.
        try JournalFile.identify(db, path: path)
        try Journal.migrate(db, path: path)
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        try db.execute("PRAGMA foreign_keys = ON")
        try JournalFile.restrictPermissions(path)
    }

    /// Brings the schema to the current version and marks the file with photoprov's `application_id`, in one
    /// transaction.
    private static func migrate(_ db: SQLiteConnection, path: String) throws(JournalError) {
        let current = Int(try JournalFile.pragma(db, "user_version"))
        guard current <= JournalSchema.version else {
            throw JournalError(.newerSchema(current), path: path, detail: "")
        }
        let applicationID = Int32(truncatingIfNeeded: try JournalFile.pragma(db, "application_id"))
        let marked = applicationID == JournalSchema.applicationID
        guard current < JournalSchema.version || !marked else { return }
        try db.transaction { () throws(JournalError) in
            for step in JournalSchema.migrations[current...] { try db.execute(step) }
            try db.execute("PRAGMA user_version = \(JournalSchema.version)")
            try db.execute("PRAGMA application_id = \(JournalSchema.applicationID)")
        }
    }

    /// Whether the caller runs on the journal's own queue (always, for an isolated method): for tests.
    func isOnJournalQueue() -> Bool { DispatchQueue.getSpecific(key: JournalExecutor.marker) == true }

    /// The schema version of the open file (`PRAGMA user_version`).
    public func schemaVersion() throws(JournalError) -> Int {
        try db.statement("PRAGMA user_version").rows { Int($0.int(0)) }.first ?? 0
    }

    /// SQLite's `PRAGMA journal_mode` for the open file (`wal`).
    public func journalMode() throws(JournalError) -> String {
        try db.statement("PRAGMA journal_mode").rows { $0.text(0) }.first ?? ""
    }

    /// `PRAGMA integrity_check`: `"ok"` for a sound file, otherwise SQLite's findings joined by newlines.
    public func integrityCheck() throws(JournalError) -> String {
        try db.statement("PRAGMA integrity_check").rows { $0.text(0) }.joined(separator: "\n")
    }

    /// Runs and keys with photos, for `status`.
    public func totals() throws(JournalError) -> Totals {
        let runs = try db.statement("SELECT count(*) FROM runs").rows { Int($0.int(0)) }.first ?? 0
        let pairs = try db.statement("SELECT target, count(*) FROM last_upload GROUP BY target").rows {
            (TargetKind(rawValue: $0.text(0)), Int($0.int(1)))
        }
        var withPhotos: [TargetKind: Int] = [:]
        for case (let target?, let count) in pairs { withPhotos[target] = count }
        return Totals(runs: runs, withPhotos: withPhotos, backups: try backupTotals())
    }
}
