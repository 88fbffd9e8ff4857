import Foundation

extension Journal {
    /// Stores the preview of a source image once per source SHA-256 (later calls for the same one are ignored).
    public func storeOriginalPreview(_ jpeg: Data, sourceSHA256: String) throws(JournalError) {
        try db.statement(
            "INSERT INTO preview_original (source_sha256, jpeg, created_at) VALUES (?, ?, \(JournalSchema.now)) ON CONFLICT DO NOTHING"
        ).run([.text(sourceSHA256), .blob(jpeg)])
    }

    /// Stores the preview of a converted photo once per source SHA-256 and settings fingerprint.
    public func storeOutputPreview(_ jpeg: Data, sourceSHA256: String, fingerprint: String) throws(JournalError) {
        try db.statement(
            """
            INSERT INTO preview_output (source_sha256, fingerprint, jpeg, created_at) \
            VALUES (?, ?, ?, \(JournalSchema.now)) ON CONFLICT DO NOTHING
            """
        ).run([.text(sourceSHA256), .text(fingerprint), .blob(jpeg)])
    }

    /// Whether previews exist already, so the caller can skip making them:
    /// `original` for the source SHA-256, `output` for the SHA-256 and fingerprint.
    public func hasPreviews(sourceSHA256: String, fingerprint: String) throws(JournalError) -> (
        original: Bool, output: Bool
    ) {
        let original =
            try db.statement("SELECT 1 FROM preview_original WHERE source_sha256 = ?").rows(
                [.text(sourceSHA256)]) { _ in true }.first ?? false
        let output =
            try db.statement("SELECT 1 FROM preview_output WHERE source_sha256 = ? AND fingerprint = ?").rows(
                [.text(sourceSHA256), .text(fingerprint)]) { _ in true }.first ?? false
        return (original, output)
    }

    /// The previews of item `item` (by its source SHA-256 and fingerprint); either may be absent.
    public func previews(item: Int64) throws(JournalError) -> Previews {
        let rows = try db.statement(
            """
            SELECT o.jpeg, p.jpeg FROM items i \
            LEFT JOIN preview_original o ON o.source_sha256 = i.source_sha256 \
            LEFT JOIN preview_output p ON p.source_sha256 = i.source_sha256 AND p.fingerprint = i.fingerprint \
            WHERE i.id = ?
            """
        ).rows([.integer(item)]) { Previews(original: $0.blob(0), output: $0.blob(1)) }
        guard let previews = rows.first else {
            throw JournalError(.unknownRecord, path: path, detail: "no item \(item)")
        }
        return previews
    }
}
