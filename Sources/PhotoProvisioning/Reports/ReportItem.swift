import PhotoModel

/// One row of a report: the item's record (who, which file, the photo's facts, Graph's answer, why), what that
/// means for people, and small pictures of the photo before and after.
///
/// Every fact that may be unknown shows as empty in the CSV, `null` in the JSON and is left out of the HTML.
public struct ReportItem: Sendable, Hashable {
    /// The item as the journal holds it.
    public var record: ItemRecord
    /// What happened, as people read it (`Outcome(record.state, run:)` for a journal's item).
    public var outcome: Outcome
    /// The person's display name, when the directory or the source gave one (the record's, unless given).
    public var displayName: String?
    /// A small JPEG (or PNG) of the whole upright source, embedded in the HTML; keep it around 64–96 px.
    public var sourcePreview: [UInt8]?
    /// A small JPEG (or PNG) of the photo as uploaded (or as it would be), embedded in the HTML; same size advice.
    public var outputPreview: [UInt8]?
    /// The photo the target had before this item's write, from the backup taken first; `nil` when none was taken.
    public var previous: PreviousPhoto?
    /// A small JPEG of that photo, embedded in the HTML beside the source and the upload.
    public var previousPreview: [UInt8]?

    /// Creates a row for `record`.
    public init(
        _ record: ItemRecord, outcome: Outcome, displayName: String? = nil, sourcePreview: [UInt8]? = nil,
        outputPreview: [UInt8]? = nil, previous: PreviousPhoto? = nil, previousPreview: [UInt8]? = nil
    ) {
        self.record = record
        self.outcome = outcome
        self.displayName = displayName ?? record.displayName
        self.sourcePreview = sourcePreview
        self.outputPreview = outputPreview
        self.previous = previous
        self.previousPreview = previousPreview
    }

    /// The flags worth a human look, in `ReportFlag.allCases` order.
    public var flags: [ReportFlag] { ReportFlag.flags(of: record.photo) }

    /// The name people know: the display name when there is one, else the key.
    public var title: String {
        if let displayName, !displayName.isEmpty { return displayName }
        return record.key
    }
}
