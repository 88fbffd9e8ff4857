import CSQLite
import Foundation

/// One open SQLite database: owns the `sqlite3*` and a cache of prepared statements.
///
/// Not thread-safe on its own; `Journal` confines it to its serial executor.
final class SQLiteConnection {
    private let handle: OpaquePointer
    /// The database file, named in every error.
    let path: String
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (and with `create`, creates) the database at `path`.
    ///
    /// - Parameter resolved: the same file with every symlink of its folder resolved, opened instead of `path` and
    ///   with no symlink allowed anywhere in it (`SQLITE_OPEN_NOFOLLOW`); errors still name `path`.
    init(path: String, create: Bool, resolved: String? = nil) throws(JournalError) {
        self.path = path
        var db: OpaquePointer?
        let flags =
            SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
            | (resolved == nil ? 0 : SQLITE_OPEN_NOFOLLOW)
        let rc = sqlite3_open_v2(resolved ?? path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw JournalError(.sqlite(rc), path: path, detail: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statements.removeAll()  // finalize every statement before closing
        sqlite3_close_v2(handle)
    }

    /// The one place SQLite result codes become errors.
    func check(_ rc: Int32) throws(JournalError) {
        switch rc & 0xFF {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return
        default:
            let system = sqlite3_system_errno(handle)
            throw JournalError(
                .sqlite(rc), path: path, detail: String(cString: sqlite3_errmsg(handle)),
                systemErrno: system == 0 ? nil : system)
        }
    }

    /// Runs one or more statements without results (schema, pragmas, transactions).
    func execute(_ sql: String) throws(JournalError) {
        try check(sqlite3_exec(handle, sql, nil, nil, nil))
    }

    /// The cached prepared statement for `sql`, prepared on first use.
    func statement(_ sql: String) throws(JournalError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        var raw: OpaquePointer?
        try check(sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil))
        guard let raw else { throw JournalError(.sqlite(SQLITE_MISUSE), path: path, detail: "empty statement") }
        let statement = SQLiteStatement(raw, connection: self)
        statements[sql] = statement
        return statement
    }

    /// The id of the row the last INSERT created.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How many rows the last statement changed.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in one IMMEDIATE transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws(JournalError) -> T) throws(JournalError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
