import Foundation
import PhotoModel

extension Journal {
    /// The photo one item found before its write: taken once, committed before the write is sent.
    public struct Backup: Sendable, Equatable {
        public var id: Int64
        /// The run and item whose write it precedes.
        public var runID: Int64
        public var itemID: Int64
        public var target: TargetKind
        public var match: MatchKey
        public var key: String
        /// Contacts: the mailbox (and folder) the contact lives in; `nil` for other targets.
        public var mailbox: Mailbox?
        public var resolvedID: String?
        /// The photo's SHA-256; `nil` when the target had no photo (404 ImageNotFound).
        public var sha256: String?
        /// The `Content-Type` Graph gave the photo.
        public var contentType: String?
        /// The photo's ETag when it was read.
        public var etag: String?
        /// The photo's size in bytes.
        public var bytes: Int?
        public var takenAt: Date

        /// Whether the target had a photo.
        public var hadPhoto: Bool { sha256 != nil }
    }

    /// A photo as read before a write: its exact bytes, content type and ETag.
    public struct BackupPhoto: Sendable, Equatable {
        public var bytes: Data
        public var contentType: String?
        public var etag: String?
        /// The bytes' SHA-256, lower-case hex: backups of the same bytes share one stored copy.
        public let sha256: String

        /// Creates a record of `bytes` as Graph gave them.
        public init(bytes: Data, contentType: String?, etag: String?) {
            self.bytes = bytes
            self.contentType = contentType
            self.etag = etag
            self.sha256 = Digest.sha256Hex(bytes)
        }
    }

    /// What `pruneBackups` dropped (or, for a dry run, would drop).
    public struct PruneResult: Sendable, Equatable {
        /// Backups dropped.
        public var backups: Int
        /// Distinct photos no backup needs any more, dropped with them.
        public var photos: Int
        /// Their bytes.
        public var bytes: Int
        /// The journal file's size before and after (equal for a dry run).
        public var fileBytesBefore: Int
        public var fileBytesAfter: Int
    }

    private static let backupColumns = """
        b.id, b.run_id, b.item_id, b.target, b.match, b.key, b.resolved_id, b.sha256, b.content_type, b.etag, p.size, \
        \(JournalSchema.unixSeconds("b.taken_at")), b.mailbox, b.contact_folder
        """

    private static let backupFrom = "FROM backups AS b LEFT JOIN backup_photos AS p ON p.sha256 = b.sha256"

    private static func backup(_ row: SQLiteStatement) -> Backup {
        Backup(
            id: row.int(0), runID: row.int(1), itemID: row.int(2), target: TargetKind(rawValue: row.text(3)) ?? .users,
            match: MatchKey(rawValue: row.text(4)) ?? .upn, key: row.text(5),
            mailbox: mailbox(user: row.text(12), folder: row.text(13)), resolvedID: row.optionalText(6),
            sha256: row.optionalText(7), contentType: row.optionalText(8), etag: row.optionalText(9),
            bytes: row.optionalInt(10).map { Int($0) }, takenAt: Date(timeIntervalSince1970: row.double(11)))
    }

    /// Records what item `item` found before its write (`photo` nil: the target had none), committed when this
    /// returns, so the write may follow. An item is backed up once: a second call returns the first backup, so a
    /// write retried after a kill never replaces the backup with the photo its own first attempt left.
    ///
    /// - Throws: `JournalError` when the item does not exist or the write fails; then nothing may be written.
    @discardableResult
    public func recordBackup(item: Int64, photo: BackupPhoto?) throws(JournalError) -> Backup {
        try db.transaction { () throws(JournalError) -> Backup in
            if let existing = try backup(item: item) { return existing }
            if let photo {
                try db.statement(
                    """
                    INSERT INTO backup_photos (sha256, bytes, size, created_at) VALUES (?, ?, ?, \(JournalSchema.now)) \
                    ON CONFLICT DO NOTHING
                    """
                ).run([.text(photo.sha256), .blob(photo.bytes), .integer(Int64(photo.bytes.count))])
            }
            try db.statement(
                """
                INSERT INTO backups (run_id, item_id, target, match, mailbox, contact_folder, key, resolved_id, \
                sha256, content_type, etag, taken_at) SELECT run_id, id, target, match, mailbox, contact_folder, key, \
                resolved_id, ?, ?, ?, \(JournalSchema.now) FROM items WHERE id = ?
                """
            ).run([
                .optional(photo?.sha256), .optional(photo?.contentType), .optional(photo?.etag), .integer(item),
            ])
            guard db.changes == 1, let stored = try backup(id: db.lastInsertRowID) else {
                throw JournalError(.unknownRecord, path: path, detail: "no item \(item)")
            }
            return stored
        }
    }

    /// The backup taken before item `item`'s write, if it got that far.
    public func backup(item: Int64) throws(JournalError) -> Backup? {
        try db.statement("SELECT \(Journal.backupColumns) \(Journal.backupFrom) WHERE b.item_id = ?")
            .rows([.integer(item)], Journal.backup).first
    }

    /// The backup taken before item `item`'s write and the small preview of its photo kept for reports, if any.
    public func backupWithPreview(item: Int64) throws(JournalError) -> (backup: Backup, preview: Data?)? {
        guard let backup = try backup(item: item) else { return nil }
        guard let sha = backup.sha256 else { return (backup, nil) }
        let preview =
            try db.statement("SELECT jpeg FROM preview_original WHERE source_sha256 = ?").rows(
                [.text(sha)]) { $0.blob(0) }.first ?? nil
        return (backup, preview)
    }

    /// The backup with id `id`, if it was not pruned.
    public func backup(id: Int64) throws(JournalError) -> Backup? {
        try db.statement("SELECT \(Journal.backupColumns) \(Journal.backupFrom) WHERE b.id = ?")
            .rows([.integer(id)], Journal.backup).first
    }

    /// Every backup run `run` took, in the order they were taken: what `restore --run` can put back.
    public func backups(run: Int64) throws(JournalError) -> [Backup] {
        try db.statement("SELECT \(Journal.backupColumns) \(Journal.backupFrom) WHERE b.run_id = ? ORDER BY b.id")
            .rows([.integer(run)], Journal.backup)
    }

    /// The exact bytes of the backed-up photo with SHA-256 `sha256`, if held.
    public func backupPhoto(sha256: String) throws(JournalError) -> Data? {
        try db.statement("SELECT bytes FROM backup_photos WHERE sha256 = ?").rows([.text(sha256)]) { $0.blob(0) }
            .first ?? nil
    }

    /// The first run after `run` (other than `excluding`) that changed the photo of this key (in `mailbox`, for
    /// contacts), if any: a later upload, removal or restore.
    public func laterChange(
        target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil, key: String, after run: Int64, excluding: Int64
    ) throws(JournalError) -> Int64? {
        try db.statement(
            """
            SELECT run_id FROM items WHERE target = ? AND match = ? AND mailbox = ? AND contact_folder = ? AND key = ? \
            AND run_id > ? AND run_id <> ? AND state IN ('uploaded', 'removed', 'restored') ORDER BY run_id LIMIT 1
            """
        ).rows(
            [.text(target.rawValue), .text(match.rawValue)] + Journal.columns(mailbox)
                + [.text(key), .integer(run), .integer(excluding)]
        ) { $0.int(0) }.first
    }

    /// How many backups are held and what their photos take.
    func backupTotals() throws(JournalError) -> BackupTotals {
        var totals = BackupTotals()
        let counts = try db.statement(
            "SELECT count(*), count(sha256), min(\(JournalSchema.unixSeconds("taken_at"))) FROM backups"
        ).rows { ($0.int(0), $0.int(1), $0.optionalDouble(2)) }.first
        if let (count, photos, oldest) = counts {
            totals.count = Int(count)
            totals.photos = Int(photos)
            totals.oldest = oldest.map { Date(timeIntervalSince1970: $0) }
        }
        let stored = try db.statement("SELECT count(*), coalesce(sum(size), 0) FROM backup_photos").rows {
            (Int($0.int(0)), Int($0.int(1)))
        }
        if let (distinct, bytes) = stored.first {
            totals.distinctPhotos = distinct
            totals.bytes = bytes
        }
        return totals
    }

    /// Drops the backups taken before `cutoff`, and the photos no remaining backup needs, then compacts the file.
    ///
    /// Backups of items whose write is still to come (an unfinished run) are kept whatever their age. Holds the
    /// run lock while it works, so no run takes backups meanwhile.
    /// - Parameter dryRun: count what would go, change nothing.
    /// - Throws: `JournalError` (`busy` while a run holds the journal).
    public func pruneBackups(olderThan cutoff: Date, dryRun: Bool = false) throws(JournalError) -> PruneResult {
        let lock = runLock == nil ? try RunLock(journalPath: path) : nil
        defer { withExtendedLifetime(lock) {} }
        let waiting = ItemState.allCases.filter(\.needsWork).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let old = """
            taken_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, 'unixepoch') \
            AND item_id NOT IN (SELECT id FROM items WHERE state IN (\(waiting)))
            """
        let when: [SQLiteStatement.Value] = [.real(cutoff.timeIntervalSince1970)]
        let before = fileBytes()
        let result = try db.transaction { () throws(JournalError) -> PruneResult in
            let backups =
                try db.statement("SELECT count(*) FROM backups WHERE \(old)").rows(when) { Int($0.int(0)) }
                .first ?? 0
            let (photos, bytes) =
                try db.statement(
                    """
                    SELECT count(*), coalesce(sum(size), 0) FROM backup_photos WHERE sha256 NOT IN \
                    (SELECT sha256 FROM backups WHERE sha256 IS NOT NULL AND NOT (\(old)))
                    """
                ).rows(when) { (Int($0.int(0)), Int($0.int(1))) }.first ?? (0, 0)
            if !dryRun {
                try db.statement("DELETE FROM backups WHERE \(old)").run(when)
                try db.statement(
                    """
                    DELETE FROM backup_photos WHERE sha256 NOT IN \
                    (SELECT sha256 FROM backups WHERE sha256 IS NOT NULL)
                    """
                ).run()
            }
            return PruneResult(
                backups: backups, photos: photos, bytes: bytes, fileBytesBefore: before, fileBytesAfter: before)
        }
        guard !dryRun, result.backups + result.photos > 0 else { return result }
        // Freed pages stay in the file until it is rebuilt; a prune is rare enough to pay for that.
        try db.execute("VACUUM")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var pruned = result
        pruned.fileBytesAfter = fileBytes()
        return pruned
    }

    /// The journal's bytes on disk: the database and its write-ahead log.
    private func fileBytes() -> Int {
        [path, path + "-wal"].reduce(0) { total, file in
            var info = stat()
            return total + (stat(file, &info) == 0 ? Int(info.st_size) : 0)
        }
    }
}
