/// Who gets which photo, after validation: the items to process and every row that was refused.
public struct SourcePlan: Sendable, Equatable {
    /// Valid items in source order.
    public var items: [SourceItem]
    /// Refused rows or files, each with its line (or file name) and reason, in source order.
    public var problems: [SourceProblem]
    /// Rows dropped because an earlier row names the same user and the same file (kept once); not errors.
    public var merged: [SourceProblem]
    /// Folder sources: names of files that are not images (`SourceReader.imageExtensions`) and were skipped.
    public var ignored: [String]

    /// Creates a plan.
    public init(
        items: [SourceItem] = [], problems: [SourceProblem] = [], merged: [SourceProblem] = [], ignored: [String] = []
    ) {
        self.items = items
        self.problems = problems
        self.merged = merged
        self.ignored = ignored
    }
}

/// One valid row: a normalised key and the photo file it names.
public struct SourceItem: Sendable, Equatable {
    /// The physical line where the CSV row starts (1 is the header); `nil` for folder sources.
    public var line: Int?
    /// The key, normalised: UPNs, mail addresses and GUIDs lower-cased, employee ids trimmed.
    public var key: String
    /// The photo file as an absolute path (`..` resolved, symlinks kept as written).
    public var photoPath: String
    /// The photo file as the source named it (the CSV cell, or the file name in a folder).
    public var writtenPath: String
    /// The person's name from the CSV's display-name column, trimmed; nil when there is none or it is empty.
    public var displayName: String?

    /// Creates an item.
    public init(line: Int?, key: String, photoPath: String, writtenPath: String, displayName: String? = nil) {
        self.line = line
        self.key = key
        self.photoPath = photoPath
        self.writtenPath = writtenPath
        self.displayName = displayName
    }

    /// `line 4` for CSV rows, the file name for folder sources.
    public var location: String { line.map { "line \($0)" } ?? writtenPath }
}
