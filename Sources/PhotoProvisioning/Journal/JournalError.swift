import CSQLite

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

    /// Creates an error about the journal at `path`.
    public init(_ reason: Reason, path: String, detail: String) {
        self.reason = reason
        self.path = path
        self.detail = detail
    }

    public var description: String {
        switch reason {
        case .notFound: "no journal at \(path)"
        case .newerSchema(let version):
            "journal \(path) has schema version \(version), newer than this photoprov understands; upgrade photoprov"
        case .sqlite(let code): "journal \(path): \(detail) (sqlite code \(code))\(JournalError.hint(code))"
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

    /// What to do about the SQLite failures a person can fix.
    private static func hint(_ code: Int32) -> String {
        switch code & 0xFF {
        case SQLITE_FULL: "; the disk is full: free space on the journal's file system and run the same command again"
        case SQLITE_READONLY: "; the journal cannot be written: check its permissions and its file system"
        case SQLITE_IOERR: "; the journal's disk failed a read or write: check the disk and the file system"
        default: ""
        }
    }
}
