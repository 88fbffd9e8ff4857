/// A field from a source file as messages, logs, the journal and reports carry it: whole when it is of a
/// plausible length, else its start and a marker that says how long it was. No valid key or photo path comes
/// near the limit, so only junk is cut; a CSV cell of megabytes is no longer copied into every line about it.
public enum Excerpt {
    /// Fields up to this many UTF-8 bytes are kept whole (longer than any UPN, mail, GUID or file name).
    public static let limit = 512
    /// The characters kept from the start of a longer field.
    public static let kept = 120

    /// `text`, or its first `kept` characters followed by `…[cut: N bytes]`.
    public static func of(_ text: String) -> String {
        let bytes = text.utf8.count
        guard bytes > limit else { return text }
        return String(text.prefix(kept)) + "…[cut: \(bytes) bytes]"
    }
}
