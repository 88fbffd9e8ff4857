/// What a target had before an item's write, as the backup taken first recorded it.
public struct PreviousPhoto: Sendable, Hashable {
    /// Whether it had a photo at all (a restore deletes the photo again where it had none).
    public var hadPhoto: Bool
    /// The photo's size in bytes, when it had one.
    public var bytes: Int?
    /// Its `Content-Type`, when it had one.
    public var contentType: String?

    /// Creates the record.
    public init(hadPhoto: Bool, bytes: Int? = nil, contentType: String? = nil) {
        self.hadPhoto = hadPhoto
        self.bytes = bytes
        self.contentType = contentType
    }
}
