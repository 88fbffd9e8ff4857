import CSQLite
import Foundation
import PhotoModel

/// What went wrong with the journal file: opening, migrating or writing it.
public struct JournalError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, for callers that react differently (a missing journal is a usage error).
    public enum Reason: Sendable, Equatable {
        /// The journal file does not exist and the caller asked not to create it.
        case notFound
        /// The file was written by a newer photoprov whose schema this one does not know.
        case newerSchema(Int)
        /// SQLite reported an error (result code).
        case sqlite(Int32)
        /// A run or item id that the journal does not hold.
        case unknownRecord
        /// The file could not be created or its permissions set.
        case fileSystem
        /// Another run (in this or another process, whose pid is given when known) holds the journal.
        case busy(pid: Int32?)
        /// The file is not a photoprov journal (another application's database, or not SQLite); left untouched.
        case notAJournal
        /// The journal or a file beside it is a symbolic link or has several hard links; left untouched.
        case unsafeFile
    }

    /// The kind of failure.
    public let reason: Reason
    /// The journal file involved.
    public let path: String
    /// Lower-case detail, such as SQLite's own message.
    public let detail: String
    /// The system's `errno` behind an SQLite failure (`sqlite3_system_errno`), when there was one.
    public let systemErrno: Int32?

    /// Creates an error about the journal at `path`.
    public init(_ reason: Reason, path: String, detail: String, systemErrno: Int32? = nil) {
        self.reason = reason
        self.path = path
        self.detail = detail
        self.systemErrno = systemErrno
    }

    public var description: String {
        switch reason {
        case .notFound: "no journal at \(path)"
        case .newerSchema(let version):
            "journal \(path) has schema version \(version), newer than this photoprov understands; upgrade photoprov"
        case .sqlite(let code):
            "journal \(path): \(detail)\(systemErrno.map { ": " + SystemError.describe($0) } ?? "") "
                + "(sqlite code \(code))\(hint(code))"
        case .unknownRecord: "journal \(path): \(detail)"
        case .fileSystem: "journal \(path): \(detail)"
        case .notAJournal:
            "journal \(path) is not a photoprov journal: \(detail); photoprov left it untouched: give --journal a new "
                + "file or an existing photoprov journal"
        case .unsafeFile: "journal \(path): \(detail)"
        case .busy(let pid):
            "journal \(path) is in use by another photoprov run\(pid.map { " (pid \($0))" } ?? ""); "
                + "wait for it to finish or use another --journal"
        }
    }

    /// What to do about the SQLite failures a person can fix. A full disk often shows as an I/O error (the `-shm`
    /// cannot grow), so the system's errno decides before SQLite's code.
    private func hint(_ code: Int32) -> String {
        if code & 0xFF == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT {
            return "; the disk is full: free space on the journal's file system and run the same command again"
        }
        switch code & 0xFF {
        case SQLITE_READONLY: return "; the journal cannot be written: check its permissions and its file system"
        case SQLITE_IOERR: return "; the journal's disk failed a read or write: check the disk and the file system"
        default: return ""
        }
    }
}
