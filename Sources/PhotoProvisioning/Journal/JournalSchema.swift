/// The journal's tables, versioned with `PRAGMA user_version`; README's "Journal" section documents them.
enum JournalSchema {
    /// Steps that bring a journal of version `index` to `index + 1`; the current version is their count.
    static let migrations: [String] = [
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('upload', 'dry-run')),
            command_key TEXT NOT NULL,
            arguments TEXT NOT NULL,
            verdict TEXT,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed'))
        );
        CREATE INDEX runs_by_command ON runs (command_key, kind, status);
        CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            action TEXT NOT NULL CHECK (action IN ('upload', 'remove')),
            target TEXT NOT NULL,
            match TEXT NOT NULL,
            key TEXT NOT NULL,
            resolved_id TEXT,
            line INTEGER,
            source_path TEXT,
            source_sha256 TEXT,
            source_bytes INTEGER,
            source_width INTEGER,
            source_height INTEGER,
            source_format TEXT,
            fingerprint TEXT,
            output_bytes INTEGER,
            output_width INTEGER,
            output_height INTEGER,
            output_quality INTEGER,
            orientation INTEGER,
            crop_fraction REAL,
            quality_lowered INTEGER NOT NULL DEFAULT 0,
            dimensions_lowered INTEGER NOT NULL DEFAULT 0,
            upscale_avoided INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            http_status INTEGER,
            graph_code TEXT,
            request_id TEXT,
            reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX items_by_key ON items (run_id, action, target, match, key) WHERE state <> 'invalid';
        CREATE INDEX items_by_state ON items (run_id, state);
        CREATE TABLE last_upload (
            target TEXT NOT NULL,
            match TEXT NOT NULL,
            key TEXT NOT NULL,
            resolved_id TEXT,
            source_sha256 TEXT,
            fingerprint TEXT,
            uploaded_at TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            item_id INTEGER NOT NULL,
            PRIMARY KEY (target, match, key)
        ) WITHOUT ROWID;
        CREATE TABLE preview_original (
            source_sha256 TEXT PRIMARY KEY,
            jpeg BLOB NOT NULL,
            created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE preview_output (
            source_sha256 TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            jpeg BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (source_sha256, fingerprint)
        ) WITHOUT ROWID;
        """,
        // 2: verdicts and failure reasons as enums. The verdict was text ("blocked: reason", "not checked
        // (offline)"); it becomes its value with the reason beside it, so nothing reads it by prefix any more.
        """
        ALTER TABLE items ADD COLUMN failure TEXT;
        ALTER TABLE runs ADD COLUMN verdict_detail TEXT;
        UPDATE runs SET
            verdict_detail = CASE
                WHEN verdict LIKE 'not checked (%)' THEN substr(verdict, 14, length(verdict) - 14)
                WHEN instr(verdict, ': ') > 0 THEN substr(verdict, instr(verdict, ': ') + 2)
                END,
            verdict = CASE
                WHEN verdict LIKE 'allowed%' THEN 'allowed'
                WHEN verdict LIKE 'blocked%' THEN 'blocked'
                WHEN verdict LIKE 'unknown%' THEN 'unknown'
                ELSE 'not-checked'
                END
            WHERE verdict IS NOT NULL;
        """,
        // 3: contacts. A contact lives in a mailbox (and a folder of it), which joins (target, match, key) in the
        // identity of items and of the last upload; '' for users, groups and teams. last_upload's key changes, so
        // the table is rebuilt.
        """
        ALTER TABLE items ADD COLUMN mailbox TEXT NOT NULL DEFAULT '';
        ALTER TABLE items ADD COLUMN contact_folder TEXT NOT NULL DEFAULT '';
        DROP INDEX items_by_key;
        CREATE UNIQUE INDEX items_by_key ON items (run_id, action, target, match, mailbox, contact_folder, key)
            WHERE state <> 'invalid';
        CREATE TABLE last_upload_v3 (
            target TEXT NOT NULL,
            match TEXT NOT NULL,
            mailbox TEXT NOT NULL DEFAULT '',
            contact_folder TEXT NOT NULL DEFAULT '',
            key TEXT NOT NULL,
            resolved_id TEXT,
            source_sha256 TEXT,
            fingerprint TEXT,
            uploaded_at TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            item_id INTEGER NOT NULL,
            PRIMARY KEY (target, match, mailbox, contact_folder, key)
        ) WITHOUT ROWID;
        INSERT INTO last_upload_v3 (target, match, key, resolved_id, source_sha256, fingerprint, uploaded_at, run_id,
            item_id)
            SELECT target, match, key, resolved_id, source_sha256, fingerprint, uploaded_at, run_id, item_id
            FROM last_upload;
        DROP TABLE last_upload;
        ALTER TABLE last_upload_v3 RENAME TO last_upload;
        """,
        // 4: the stat cache (issue 16). Each source file as it was when last read and hashed: its size, modification
        // and change times (nanoseconds), inode and device, with its SHA-256; a file whose metadata still match is
        // not read again. Keyed by the path as planned; inode and device are stored as their 64-bit patterns.
        """
        CREATE TABLE source_files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            ctime_ns INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            device INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            hashed_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
        // 5: backups before every change (issue 11). Each photo a write would replace or delete is read first and
        // kept here, its bytes once per SHA-256; a backup with no photo means the target had none. Items record
        // the ETag after their write, and a restore's items name the backup they put back. A backup carries its
        // item's identity, the mailbox and folder of step 3 included, so a restore finds the same contact.
        """
        CREATE TABLE backup_photos (
            sha256 TEXT PRIMARY KEY,
            bytes BLOB NOT NULL,
            size INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE backups (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            item_id INTEGER NOT NULL UNIQUE REFERENCES items (id),
            target TEXT NOT NULL,
            match TEXT NOT NULL,
            mailbox TEXT NOT NULL DEFAULT '',
            contact_folder TEXT NOT NULL DEFAULT '',
            key TEXT NOT NULL,
            resolved_id TEXT,
            sha256 TEXT REFERENCES backup_photos (sha256),
            content_type TEXT,
            etag TEXT,
            taken_at TEXT NOT NULL
        );
        CREATE INDEX backups_by_run ON backups (run_id);
        CREATE INDEX backups_by_time ON backups (taken_at);
        CREATE INDEX backups_by_photo ON backups (sha256);
        CREATE INDEX items_by_target ON items (target, match, mailbox, contact_folder, key, run_id);
        ALTER TABLE items ADD COLUMN etag TEXT;
        ALTER TABLE items ADD COLUMN backup_id INTEGER;
        ALTER TABLE last_upload ADD COLUMN etag TEXT;
        ALTER TABLE runs ADD COLUMN restores_run INTEGER;
        """,
        // 6: the person's name from the source, and what face framing (--crop auto) found: the count, the box of
        // the face framed on (upright full-resolution pixels) and the flags (';'-separated; NULL: not framed by faces).
        """
        ALTER TABLE items ADD COLUMN display_name TEXT;
        ALTER TABLE items ADD COLUMN face_count INTEGER;
        ALTER TABLE items ADD COLUMN face_x REAL;
        ALTER TABLE items ADD COLUMN face_y REAL;
        ALTER TABLE items ADD COLUMN face_width REAL;
        ALTER TABLE items ADD COLUMN face_height REAL;
        ALTER TABLE items ADD COLUMN framing_flags TEXT;
        """,
    ]

    /// The schema version this build writes.
    static var version: Int { migrations.count }

    /// `PRAGMA application_id` of every photoprov journal ("pprv"), set with the schema: how a journal is told apart
    /// from another application's SQLite file, which photoprov refuses to touch.
    static let applicationID: Int32 = 0x7070_7276

    /// The tables every photoprov journal has had since version 1: how one made before `applicationID` is recognised.
    static let tables: Set<String> = ["runs", "items", "last_upload", "preview_original", "preview_output"]

    /// SQL for the current UTC time as ISO 8601 with milliseconds, e.g. `2026-11-22T06:30:00.123Z`.
    static let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

    /// SQL turning a stored timestamp column into Unix seconds.
    static func unixSeconds(_ column: String) -> String { "((julianday(\(column)) - 2440587.5) * 86400.0)" }
}
