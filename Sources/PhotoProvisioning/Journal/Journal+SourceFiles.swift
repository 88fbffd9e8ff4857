import Foundation
import PhotoModel

extension Journal {
    /// A source file as it was when photoprov last read and hashed it: the stat cache's record.
    public struct SourceFile: Sendable, Equatable {
        /// The photo path as planned (absolute, as `SourceItem.photoPath` gives it).
        public var path: String
        public var stat: SourceStat
        /// The SHA-256 of the bytes read, lower-case hex.
        public var sha256: String

        /// Creates a record.
        public init(path: String, stat: SourceStat, sha256: String) {
            self.path = path
            self.stat = stat
            self.sha256 = sha256
        }
    }

    /// The stat cache's record of the file at `path`, or `nil` when it was never recorded.
    public func sourceFile(at path: String) throws(JournalError) -> SourceFile? {
        try db.statement(
            "SELECT size, mtime_ns, ctime_ns, inode, device, sha256 FROM source_files WHERE path = ?"
        ).rows([.text(path)]) { row in
            SourceFile(
                path: path,
                stat: SourceStat(
                    size: row.int(0), modifiedNanoseconds: row.int(1), changedNanoseconds: row.int(2),
                    inode: UInt64(bitPattern: row.int(3)), device: UInt64(bitPattern: row.int(4))),
                sha256: row.text(5))
        }.first
    }

    /// Records (or replaces) the stat cache's record of `file.path`, read and hashed by run `run`.
    public func remember(_ file: SourceFile, run: Int64) throws(JournalError) {
        let stat = file.stat
        try db.statement(
            """
            INSERT INTO source_files (path, size, mtime_ns, ctime_ns, inode, device, sha256, run_id, hashed_at) \
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, \(JournalSchema.now)) ON CONFLICT (path) DO UPDATE SET \
            size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, \
            inode = excluded.inode, device = excluded.device, sha256 = excluded.sha256, run_id = excluded.run_id, \
            hashed_at = excluded.hashed_at
            """
        ).run([
            .text(file.path), .integer(stat.size), .integer(stat.modifiedNanoseconds),
            .integer(stat.changedNanoseconds), .integer(Int64(bitPattern: stat.inode)),
            .integer(Int64(bitPattern: stat.device)), .text(file.sha256), .integer(run),
        ])
    }
}
