import Foundation
import PhotoModel

extension Journal {
    private static let itemColumns = """
        id, run_id, action, target, match, key, resolved_id, line, source_path, source_sha256, source_bytes, \
        source_width, source_height, source_format, fingerprint, output_bytes, output_width, output_height, \
        output_quality, orientation, crop_fraction, quality_lowered, dimensions_lowered, upscale_avoided, state, \
        attempts, http_status, graph_code, request_id, reason, \(JournalSchema.unixSeconds("created_at")), \
        \(JournalSchema.unixSeconds("updated_at")), failure, mailbox, contact_folder, etag, backup_id, display_name, \
        face_count, face_x, face_y, face_width, face_height, framing_flags
        """

    private static func item(_ row: SQLiteStatement) -> Item {
        func int(_ column: Int32) -> Int? { row.optionalInt(column).map { Int($0) } }
        let photo = PhotoFacts(
            sourceSHA256: row.optionalText(9), sourceBytes: int(10), sourceWidth: int(11), sourceHeight: int(12),
            sourceFormat: row.optionalText(13), outputBytes: int(15), outputWidth: int(16), outputHeight: int(17),
            outputQuality: int(18), orientation: int(19), cropFraction: row.optionalDouble(20),
            qualityLowered: row.int(21) != 0, dimensionsLowered: row.int(22) != 0, upscaleAvoided: row.int(23) != 0,
            framing: framing(row, from: 38))
        return Item(
            id: row.int(0), runID: row.int(1), action: Action(rawValue: row.text(2)) ?? .upload,
            target: TargetKind(rawValue: row.text(3)) ?? .users, match: MatchKey(rawValue: row.text(4)) ?? .upn,
            key: row.text(5), mailbox: mailbox(user: row.text(33), folder: row.text(34)),
            displayName: row.optionalText(37), resolvedID: row.optionalText(6), line: int(7),
            sourcePath: row.optionalText(8),
            fingerprint: row.optionalText(14), photo: photo, state: ItemState(rawValue: row.text(24)) ?? .failed,
            attempts: Int(row.int(25)),
            reply: GraphReply(httpStatus: int(26), graphCode: row.optionalText(27), requestID: row.optionalText(28)),
            failure: row.optionalText(32).flatMap(FailureReason.init(rawValue:)), reason: row.optionalText(29),
            etag: row.optionalText(35), restoresBackup: row.optionalInt(36),
            createdAt: Date(timeIntervalSince1970: row.double(30)),
            updatedAt: Date(timeIntervalSince1970: row.double(31)))
    }

    /// The face framing stored in the seven columns from `first` (count, box, flags); nil when none was recorded.
    private static func framing(_ row: SQLiteStatement, from first: Int32) -> FaceFraming? {
        guard let flags = row.optionalText(first + 5) else { return nil }
        var face: FaceBox?
        if let x = row.optionalDouble(first + 1), let y = row.optionalDouble(first + 2),
            let width = row.optionalDouble(first + 3), let height = row.optionalDouble(first + 4)
        {
            face = FaceBox(x: x, y: y, width: width, height: height)
        }
        return FaceFraming(
            faceCount: Int(row.optionalInt(first) ?? 0), face: face,
            flags: flags.split(separator: ";").compactMap { FaceFraming.Flag(rawValue: String($0)) })
    }

    /// Adds `newItems` to run `run` in one transaction and returns them as stored, in the same order.
    ///
    /// An item the run already holds is left as it is and returned with its recorded state, so a resumed run
    /// planned again simply skips what is done: for work items the identity is (action, target, match, mailbox and
    /// folder, key); `invalid` rows are told apart by line, source path and key, so two refused rows naming the same
    /// user
    /// (or none) are both kept. Work on the returned items whose `state.needsWork`.
    public func addItems(_ newItems: [NewItem], run: Int64) throws(JournalError) -> [Item] {
        try db.transaction { () throws(JournalError) -> [Item] in
            let insert = try db.statement(
                """
                INSERT INTO items (run_id, action, target, match, mailbox, contact_folder, key, resolved_id, line, \
                source_path, fingerprint, state, reason, backup_id, source_sha256, source_bytes, display_name, \
                created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
                \(JournalSchema.now), \(JournalSchema.now)) ON CONFLICT (run_id, action, target, match, mailbox, \
                contact_folder, key) WHERE state <> 'invalid' DO NOTHING
                """)
            let selectWork = try db.statement(
                """
                SELECT \(Journal.itemColumns) FROM items WHERE run_id = ? AND action = ? AND target = ? AND match = ? \
                AND mailbox = ? AND contact_folder = ? AND key = ? AND state <> 'invalid'
                """)
            let selectInvalid = try db.statement(
                """
                SELECT \(Journal.itemColumns) FROM items WHERE run_id = ? AND action = ? AND target = ? AND match = ? \
                AND mailbox = ? AND contact_folder = ? AND key = ? AND state = 'invalid' AND line IS ? \
                AND source_path IS ?
                """)
            var stored: [Item] = []
            stored.reserveCapacity(newItems.count)
            for new in newItems {
                let identity: [SQLiteStatement.Value] =
                    [
                        .integer(run), .text(new.action.rawValue), .text(new.target.rawValue),
                        .text(new.match.rawValue),
                    ] + Journal.columns(new.mailbox) + [.text(new.key)]
                let values: [SQLiteStatement.Value] =
                    identity + [
                        .optional(new.resolvedID), .optional(new.line), .optional(new.sourcePath),
                        .optional(new.fingerprint), .text(new.state.rawValue), .optional(new.reason),
                        new.restoresBackup.map { .integer($0) } ?? .null, .optional(new.photo.sourceSHA256),
                        .optional(new.photo.sourceBytes), .optional(new.displayName),
                    ]
                if new.state == .invalid {
                    let place = identity + [.optional(new.line), .optional(new.sourcePath)]
                    if let existing = try selectInvalid.rows(place, Journal.item).first {
                        stored.append(existing)
                        continue
                    }
                    try insert.run(values)
                    if let item = try selectInvalid.rows(place, Journal.item).first { stored.append(item) }
                } else {
                    try insert.run(values)
                    if let item = try selectWork.rows(identity, Journal.item).first { stored.append(item) }
                }
            }
            return stored
        }
    }

    /// Records a state change of item `item`, committed when this returns.
    ///
    /// Entering `uploaded` also records the item as the last successful upload of its key (source SHA-256,
    /// fingerprint, resolved id, run) in the same transaction; entering `removed` forgets that record.
    public func record(_ update: ItemUpdate, item: Int64) throws(JournalError) {
        var assignments = ["state = ?", "updated_at = \(JournalSchema.now)"]
        var values: [SQLiteStatement.Value] = [.text(update.state.rawValue)]
        func set(_ column: String, _ value: SQLiteStatement.Value?) {
            guard let value else { return }
            assignments.append("\(column) = ?")
            values.append(value)
        }
        set("resolved_id", update.resolvedID.map { .text($0) })
        set("fingerprint", update.fingerprint.map { .text($0) })
        func number(_ value: Int?) -> SQLiteStatement.Value { .optional(value) }
        func flag(_ value: Bool) -> SQLiteStatement.Value { .integer(value ? 1 : 0) }
        if let photo = update.photo {
            set("source_sha256", .optional(photo.sourceSHA256))
            set("source_bytes", number(photo.sourceBytes))
            set("source_width", number(photo.sourceWidth))
            set("source_height", number(photo.sourceHeight))
            set("source_format", .optional(photo.sourceFormat))
            set("output_bytes", number(photo.outputBytes))
            set("output_width", number(photo.outputWidth))
            set("output_height", number(photo.outputHeight))
            set("output_quality", number(photo.outputQuality))
            set("orientation", number(photo.orientation))
            set("crop_fraction", photo.cropFraction.map { .real($0) } ?? .null)
            set("quality_lowered", flag(photo.qualityLowered))
            set("dimensions_lowered", flag(photo.dimensionsLowered))
            set("upscale_avoided", flag(photo.upscaleAvoided))
            let framing = photo.framing, face = framing?.face
            set("face_count", number(framing?.faceCount))
            set("face_x", face.map { .real($0.x) } ?? .null)
            set("face_y", face.map { .real($0.y) } ?? .null)
            set("face_width", face.map { .real($0.width) } ?? .null)
            set("face_height", face.map { .real($0.height) } ?? .null)
            set("framing_flags", .optional(framing?.flags.map(\.rawValue).joined(separator: ";")))
        }
        if let reply = update.reply {
            set("http_status", number(reply.httpStatus))
            set("graph_code", .optional(reply.graphCode))
            set("request_id", .optional(reply.requestID))
        }
        set("failure", update.failure.map { .text($0.rawValue) })
        set("reason", update.reason.map { .text($0) })
        set("etag", update.etag.map { .text($0) })
        if update.state.countsAttempt { assignments.append("attempts = attempts + 1") }
        if update.state.isSuccess {
            assignments.append("failure = NULL")
            if update.reason == nil { assignments.append("reason = NULL") }
            if update.reply?.graphCode == nil { assignments.append("graph_code = NULL") }
        }
        values.append(.integer(item))
        // The SQL text depends only on which fields are set, so the statement cache stays small.
        let sql = "UPDATE items SET \(assignments.joined(separator: ", ")) WHERE id = ?"
        let remember = """
            INSERT INTO last_upload (target, match, mailbox, contact_folder, key, resolved_id, source_sha256, \
            fingerprint, uploaded_at, run_id, item_id, etag) SELECT target, match, mailbox, contact_folder, key, \
            resolved_id, source_sha256, fingerprint, updated_at, run_id, id, etag FROM items WHERE id = ? \
            ON CONFLICT (target, match, mailbox, contact_folder, key) DO UPDATE SET \
            resolved_id = excluded.resolved_id, \
            source_sha256 = excluded.source_sha256, fingerprint = excluded.fingerprint, \
            uploaded_at = excluded.uploaded_at, run_id = excluded.run_id, item_id = excluded.item_id, \
            etag = excluded.etag
            """
        let forget = """
            DELETE FROM last_upload WHERE (target, match, mailbox, contact_folder, key) = \
            (SELECT target, match, mailbox, contact_folder, key FROM items WHERE id = ?)
            """
        // A restore keeps the record of what we uploaded (so a sync of the same source leaves the rollback in
        // place) but takes the ETag the photo has now: the restored photo is one photoprov put there.
        let reETag = """
            UPDATE last_upload SET etag = (SELECT etag FROM items WHERE id = ?1) \
            WHERE (target, match, mailbox, contact_folder, key) = \
            (SELECT target, match, mailbox, contact_folder, key FROM items WHERE id = ?1)
            """
        func apply() throws(JournalError) {
            try db.statement(sql).run(values)
            guard db.changes == 1 else { throw JournalError(.unknownRecord, path: path, detail: "no item \(item)") }
        }
        switch update.state {
        case .uploaded:
            try db.transaction { () throws(JournalError) in
                try apply()
                try db.statement(remember).run([.integer(item)])
            }
        case .removed:
            try db.transaction { () throws(JournalError) in
                try apply()
                try db.statement(forget).run([.integer(item)])
            }
        case .restored:
            try db.transaction { () throws(JournalError) in
                try apply()
                try db.statement(reETag).run([.integer(item)])
            }
        default:
            try apply()  // one statement in autocommit mode is its own transaction
        }
    }

    /// The item with id `id`, if any.
    public func item(id: Int64) throws(JournalError) -> Item? {
        try db.statement("SELECT \(Journal.itemColumns) FROM items WHERE id = ?").rows([.integer(id)], Journal.item)
            .first
    }

    /// Every item of run `run`, in the order they were added.
    public func items(run: Int64) throws(JournalError) -> [Item] {
        try db.statement("SELECT \(Journal.itemColumns) FROM items WHERE run_id = ? ORDER BY id").rows(
            [.integer(run)], Journal.item)
    }

    /// The id of run `run`'s last item; `nil` when it has none.
    public func lastItemID(run: Int64) throws(JournalError) -> Int64? {
        try db.statement("SELECT max(id) FROM items WHERE run_id = ?").rows([.integer(run)]) { $0.optionalInt(0) }
            .first ?? nil
    }

    /// Up to `limit` items of run `run` with ids above `after` and at most `last` (`lastItemID(run:)`), in id
    /// order, each with its previews when `previews` is true (else both `nil`): a report pages through a run this
    /// way instead of holding it whole.
    public func itemsWithPreviews(
        run: Int64, after: Int64, through last: Int64, limit: Int, previews: Bool
    ) throws(JournalError) -> [(item: Item, previews: Previews)] {
        // A range of the primary key (`+run_id` keeps SQLite off items_by_state, which would read and sort the
        // whole run for every page).
        let range = "FROM items WHERE id > ?2 AND id <= ?3 AND +run_id = ?1 ORDER BY id LIMIT ?4"
        let values: [SQLiteStatement.Value] = [.integer(run), .integer(after), .integer(last), .integer(Int64(limit))]
        let items = try db.statement("SELECT \(Journal.itemColumns) \(range)").rows(values, Journal.item)
        guard previews else { return items.map { ($0, Previews(original: nil, output: nil)) } }
        // The same range again for the previews: scalar subqueries on the preview tables' primary keys.
        let found = try db.statement(
            """
            SELECT id, (SELECT jpeg FROM preview_original AS o WHERE o.source_sha256 = items.source_sha256), \
            (SELECT jpeg FROM preview_output AS p WHERE p.source_sha256 = items.source_sha256 \
            AND p.fingerprint = items.fingerprint) \(range)
            """
        ).rows(values) { ($0.int(0), Previews(original: $0.blob(1), output: $0.blob(2))) }
        let byID = Dictionary(found, uniquingKeysWith: { first, _ in first })
        return items.map { ($0, byID[$0.id] ?? Previews(original: nil, output: nil)) }
    }

    /// Up to `limit` items of run `run` that still need work (see `ItemState.needsWork`), with ids above
    /// `after`, in id order: lets a long run page through its work instead of holding every item in memory.
    public func itemsNeedingWork(run: Int64, after: Int64, limit: Int) throws(JournalError) -> [Item] {
        let states = ItemState.allCases.filter(\.needsWork).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try db.statement(
            """
            SELECT \(Journal.itemColumns) FROM items WHERE run_id = ? AND id > ? AND state IN (\(states)) \
            ORDER BY id LIMIT ?
            """
        ).rows([.integer(run), .integer(after), .integer(Int64(limit))], Journal.item)
    }

    /// How many items of run `run` are in each state.
    public func counts(run: Int64) throws(JournalError) -> Counts {
        let pairs = try db.statement("SELECT state, count(*) FROM items WHERE run_id = ? GROUP BY state").rows(
            [.integer(run)]
        ) { (ItemState(rawValue: $0.text(0)), Int($0.int(1))) }
        var counts = Counts()
        for case (let state?, let count) in pairs { counts.byState[state] = count }
        return counts
    }

    /// The last successful upload for `key` (in `mailbox`, for contacts), or `nil` when we never set (or since
    /// removed) its photo.
    public func lastUpload(
        target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil, key: String
    ) throws(JournalError) -> LastUpload? {
        try db.statement(
            """
            SELECT \(Journal.lastUploadColumns) FROM last_upload WHERE target = ? AND match = ? AND mailbox = ? \
            AND contact_folder = ? AND key = ?
            """
        )
        .rows(
            [.text(target.rawValue), .text(match.rawValue)] + Journal.columns(mailbox) + [.text(key)],
            Journal.lastUpload
        ).first
    }

    /// Every key of this target and match kind (and, for contacts, this mailbox and folder) that holds a photo we
    /// uploaded, ordered by key.
    ///
    /// `--remove-missing` deletes the photos of those absent from the current source. Keys of another
    /// match kind are not listed, so switching from `--match upn` to `--match employeeId` never makes
    /// every user look missing; nor are contacts of another mailbox or folder.
    public func keysWithPhotos(
        target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil
    ) throws(JournalError) -> [LastUpload] {
        try db.statement(
            """
            SELECT \(Journal.lastUploadColumns) FROM last_upload WHERE target = ? AND match = ? AND mailbox = ? \
            AND contact_folder = ? ORDER BY key
            """
        )
        .rows([.text(target.rawValue), .text(match.rawValue)] + Journal.columns(mailbox), Journal.lastUpload)
    }

    /// Keys with a photo from an earlier upload (`keysWithPhotos`) that run `run` has no item for, valid or not:
    /// the users (groups, teams, contacts of `mailbox`) who have disappeared from the source. Sorted by key.
    ///
    /// - Parameters:
    ///   - commandKeyPrefix: when given, only photos whose last upload was made by a run whose command key starts
    ///     with it: the photos *this source* set (`--remove-missing` never touches another source's users).
    ///   - run: the run whose items are the source as it is now. A refused row still means its key is in the
    ///     source; its key is compared without case (and without `{}`), as it is stored as written.
    public func keysWithPhotos(
        target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil, commandKeyPrefix: String? = nil,
        notIn run: Int64
    ) throws(JournalError) -> [LastUpload] {
        // The first probe uses items_by_key (every state but 'invalid'); the refused rows' keys are read once into
        // a set (an uncorrelated IN), not once per photo.
        try db.statement(
            """
            SELECT \(Journal.lastUploadColumns) FROM last_upload AS l JOIN runs AS r ON r.id = l.run_id \
            WHERE l.target = ?1 AND l.match = ?2 AND l.mailbox = ?3 AND l.contact_folder = ?4 \
            AND (?5 IS NULL OR substr(r.command_key, 1, length(?5)) = ?5) \
            AND NOT EXISTS (SELECT 1 FROM items AS i WHERE i.run_id = ?6 \
            AND i.action = 'upload' AND i.target = l.target AND i.match = l.match AND i.mailbox = l.mailbox \
            AND i.contact_folder = l.contact_folder AND i.key = l.key AND i.state <> 'invalid') \
            AND lower(l.key) NOT IN (SELECT lower(trim(key, '{}')) FROM items WHERE run_id = ?6 AND state = 'invalid') \
            ORDER BY l.key
            """
        )
        .rows(
            [.text(target.rawValue), .text(match.rawValue)] + Journal.columns(mailbox)
                + [.optional(commandKeyPrefix), .integer(run)],
            Journal.lastUpload)
    }

    /// How many keys of this target, match kind and mailbox hold a photo whose last upload was made by a run whose
    /// command key starts with `commandKeyPrefix`: the photos one source set, which `--max-removals P%` is a share
    /// of.
    public func photoCount(
        target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil, commandKeyPrefix: String
    ) throws(JournalError) -> Int {
        try db.statement(
            """
            SELECT count(*) FROM last_upload AS l JOIN runs AS r ON r.id = l.run_id \
            WHERE l.target = ?1 AND l.match = ?2 AND l.mailbox = ?3 AND l.contact_folder = ?4 \
            AND substr(r.command_key, 1, length(?5)) = ?5
            """
        )
        .rows([.text(target.rawValue), .text(match.rawValue)] + Journal.columns(mailbox) + [.text(commandKeyPrefix)]) {
            Int($0.int(0))
        }
        .first ?? 0
    }

    private static let lastUploadColumns = """
        target, match, key, resolved_id, source_sha256, fingerprint, \(JournalSchema.unixSeconds("uploaded_at")), \
        run_id, item_id, mailbox, contact_folder, etag
        """

    /// The `mailbox` and `contact_folder` columns of `mailbox`: '' for targets without one and the default folder.
    static func columns(_ mailbox: Mailbox?) -> [SQLiteStatement.Value] {
        [.text(mailbox?.user ?? ""), .text(mailbox?.folder ?? "")]
    }

    /// The mailbox stored in `user` and `folder` columns, `nil` when there is none.
    static func mailbox(user: String, folder: String) -> Mailbox? {
        user.isEmpty ? nil : Mailbox(user: user, folder: folder)
    }

    private static func lastUpload(_ row: SQLiteStatement) -> LastUpload {
        LastUpload(
            target: TargetKind(rawValue: row.text(0)) ?? .users, match: MatchKey(rawValue: row.text(1)) ?? .upn,
            key: row.text(2), mailbox: mailbox(user: row.text(9), folder: row.text(10)),
            resolvedID: row.optionalText(3), sourceSHA256: row.optionalText(4),
            fingerprint: row.optionalText(5), uploadedAt: Date(timeIntervalSince1970: row.double(6)),
            runID: row.int(7), itemID: row.int(8), etag: row.optionalText(11))
    }
}

extension SQLiteStatement.Value {
    static func optional(_ text: String?) -> Self { text.map { .text($0) } ?? .null }
    static func optional(_ number: Int?) -> Self { number.map { .integer(Int64($0)) } ?? .null }
}
