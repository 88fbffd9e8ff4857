import CSQLite
import Foundation
import PhotoModel

/// The journal as a file: what must hold before SQLite opens it, how it is created, how it is told apart from other
/// SQLite files, and its permissions. Everything here refuses rather than follows: a symbolic link, a second hard
/// link, a folder or a FIFO at the journal's name (or at its `-wal`, `-shm`, `-journal` and `-lock` companions) is
/// an error that leaves every file as it was.
enum JournalFile {
    /// The files SQLite and the run lock keep beside the journal.
    static let companions = ["-wal", "-shm", "-journal", "-lock"]

    /// `path` with its folder's symlinks and `..` resolved (its own name kept): one spelling for every path that
    /// names the same journal, since the name itself is never a link and has one hard link. `path` itself when the
    /// folder cannot be resolved.
    static func resolved(_ path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let real = realpath(folder, nil) else { return path }
        defer { free(real) }
        let base = String(cString: real)
        return (base == "/" ? "" : base) + "/" + name
    }

    /// Checks the journal at `path` (and its companions) before SQLite opens it, creating it mode 0600 when missing
    /// and `create` is set.
    ///
    /// - Throws: `JournalError` with `notFound` (missing, not `create`), `unsafeFile` (a symbolic link, several hard
    ///   links), `fileSystem` (a folder, a FIFO, not writable, not creatable).
    static func prepare(_ path: String, create: Bool) throws(JournalError) {
        try checkCompanions(path)
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else {
                throw JournalError(.fileSystem, path: path, detail: "cannot inspect it: \(SystemError.last)")
            }
            guard create else { throw JournalError(.notFound, path: path, detail: "no such file") }
            // Created here so it is 0600 from its first byte (SQLite gives -wal and -shm the main file's mode);
            // O_EXCL and O_NOFOLLOW: a link planted at the name is never followed to create or open its target.
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd < 0 && errno != EEXIST {
                throw JournalError(.fileSystem, path: path, detail: "cannot create it: \(SystemError.last)")
            }
            if fd >= 0 { close(fd) }
            guard lstat(path, &info) == 0 else {
                throw JournalError(.fileSystem, path: path, detail: "cannot inspect it: \(SystemError.last)")
            }
        }
        try checkKind(path, info, file: path)
        // Effective ids, as the writes will use: a read-only file or file system is named here, not as SQLite's
        // "attempt to write a readonly database" after it silently opened the file read-only.
        if faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 {
            throw JournalError(.fileSystem, path: path, detail: "cannot be opened for writing: \(SystemError.last)")
        }
    }

    /// Refuses a companion that is a symbolic link, not a regular file, or hard-linked elsewhere.
    private static func checkCompanions(_ path: String) throws(JournalError) {
        for suffix in companions {
            var info = stat()
            guard lstat(path + suffix, &info) == 0 else { continue }
            try checkKind(path, info, file: path + suffix)
        }
    }

    /// Refuses anything but a regular file with one name; `file` is `path` itself or one of its companions.
    private static func checkKind(_ path: String, _ info: stat, file: String) throws(JournalError) {
        let name = file == path ? "it" : file
        if info.st_mode & S_IFMT == S_IFLNK {
            throw JournalError(
                .unsafeFile, path: path,
                detail: "\(name) is a symbolic link; photoprov does not follow links at the journal or beside it, so "
                    + "no one can point it at another file: "
                    + (file == path ? "give the journal's real path" : "remove the link"))
        }
        if let kind = FileProblem.kind(of: info.st_mode) {
            throw JournalError(
                .fileSystem, path: path,
                detail: "\(name) is \(kind.rawValue), not \(file == path ? "a journal file" : "a file")")
        }
        if info.st_nlink > 1 {
            throw JournalError(
                .unsafeFile, path: path,
                detail: "\(name) has \(info.st_nlink) hard links; a journal must have exactly one name, or two runs "
                    + "could use it at once under different names: remove the other links (find / -samefile \(file))")
        }
    }

    /// Makes sure the open database is a photoprov journal before anything is written to it: marked with photoprov's
    /// `application_id`, or empty (new), or an older photoprov journal recognised by its tables (which `migrate`
    /// then marks). Only reads.
    ///
    /// - Throws: `JournalError.notAJournal` for anything else (another application's database, not SQLite at all),
    ///   `newerSchema` for an unmarked database claiming a schema newer than this build's.
    static func identify(_ db: SQLiteConnection, path: String) throws(JournalError) {
        do throws(JournalError) {
            let applicationID = Int32(truncatingIfNeeded: try pragma(db, "application_id"))
            if applicationID == JournalSchema.applicationID { return }
            guard applicationID == 0 else {
                let hex = String(UInt32(bitPattern: applicationID), radix: 16)
                throw JournalError(
                    .notAJournal, path: path, detail: "it is another application's database (application_id 0x\(hex))")
            }
            if try pragma(db, "page_count") == 0 { return }
            let version = Int(try pragma(db, "user_version"))
            if version > JournalSchema.version { throw JournalError(.newerSchema(version), path: path, detail: "") }
            let tables = Set(
                try db.statement("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").rows {
                    $0.text(0)
                })
            if version >= 1 && JournalSchema.tables.isSubset(of: tables) { return }
            let shown = tables.sorted().prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", …" : "")
            throw JournalError(
                .notAJournal, path: path,
                detail: tables.isEmpty
                    ? "it is an SQLite database without photoprov's mark or tables"
                    : "it is another SQLite database (tables \(shown))")
        } catch  where error.reason == .sqlite(SQLITE_NOTADB) {
            throw JournalError(.notAJournal, path: path, detail: "it is not an SQLite database")
        }
    }

    /// The integer value of `PRAGMA name`.
    static func pragma(_ db: SQLiteConnection, _ name: String) throws(JournalError) -> Int64 {
        try db.statement("PRAGMA \(name)").rows { $0.int(0) }.first ?? 0
    }

    /// Tightens the journal and its `-wal` and `-shm` to 0600 (an older file may have been created looser), by name
    /// and without following links: a descriptor of the database opened and closed here would drop SQLite's own
    /// POSIX locks in this process.
    static func restrictPermissions(_ path: String) throws(JournalError) {
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            try checkKind(path, info, file: file)
            guard info.st_mode & 0o777 != 0o600 else { continue }
            var changed = fchmodat(AT_FDCWD, file, 0o600, AT_SYMLINK_NOFOLLOW) == 0
            // Without /proc, glibc cannot chmod without following; the file was a regular file a moment ago.
            if !changed && (errno == ENOTSUP || errno == EOPNOTSUPP) { changed = chmod(file, 0o600) == 0 }
            if !changed {
                throw JournalError(
                    .fileSystem, path: path, detail: "cannot make \(file) private: \(SystemError.last)")
            }
        }
    }
}
