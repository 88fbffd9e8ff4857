import PhotoModel

/// A row (or file) refused by validation, with where it is and why.
public struct SourceProblem: Sendable, Equatable, CustomStringConvertible {
    /// Why a row was refused.
    public enum Reason: Error, Sendable, Equatable, CustomStringConvertible {
        /// The key cell is empty.
        case missingKey(MatchKey)
        /// The key does not look like the kind `--match` names (name@domain, a GUID).
        case malformedKey(MatchKey, String)
        /// The photo cell is empty.
        case missingPath
        /// No file at the photo path.
        case missingFile
        /// The photo path is a folder or a device, not a file.
        case notAFile
        /// The file exists but cannot be opened for reading.
        case unreadableFile(String)
        /// The file has no bytes.
        case emptyFile
        /// The file is larger than photoprov reads (`PathGuard.maxPhotoBytes`); its size in bytes.
        case tooLarge(Int64)
        /// The path leaves the source folder; refused unless `--allow-outside`.
        case outsideSource(Escape)
        /// Another row names the same user with a different file (or is itself invalid); both are refused.
        case duplicateKey(others: [String])
        /// The same user and file as an earlier row: this row is dropped and the earlier one kept.
        case sameAsEarlier(String)
        /// A quoted CSV field was never closed, so the rest of the file could not be read as rows.
        case unterminatedQuote

        /// How a path leaves the source folder.
        public enum Escape: String, Sendable {
            case dotDot = "through '..'"
            case symlink = "through a symlink"
            case absolutePath = "as an absolute path"
        }

        public var description: String {
            switch self {
            case .missingKey(let match): "no \(match.displayName)"
            case .malformedKey(let match, let key):
                "'\(key)' is not a valid \(match.displayName) (\(match.expectedForm))"
            case .missingPath: "no photo file named"
            case .missingFile: "photo file not found"
            case .notAFile: "photo path is not a regular file"
            case .unreadableFile(let detail): "photo file cannot be read: \(detail)"
            case .emptyFile: "photo file is empty"
            case .tooLarge(let bytes):
                "photo file of \(bytes) bytes is larger than \(PathGuard.maxPhotoBytes >> 30) GB"
            case .outsideSource(let escape):
                "photo path leaves the source folder \(escape.rawValue) (allow with --allow-outside)"
            case .duplicateKey(let others): "duplicate user: also at \(others.joined(separator: ", "))"
            case .sameAsEarlier(let first): "same user and file as \(first); kept once"
            case .unterminatedQuote: "quoted field is never closed; the rest of the file was not read"
            }
        }
    }

    /// The physical line where the CSV row starts; `nil` for folder sources.
    public var line: Int?
    /// The key as written, when there was one.
    public var key: String?
    /// The photo path as written (the file name for folder sources), when there was one.
    public var path: String?
    /// Why the row was refused.
    public var reason: Reason
    /// The person's name from the CSV's display-name column, when the row has one.
    public var displayName: String?

    /// Creates a problem report; a key, path, detail or display name of implausible length is kept as an
    /// `Excerpt`, so the messages, journal rows and reports about the row stay small whatever the source holds.
    public init(line: Int?, key: String?, path: String?, reason: Reason, displayName: String? = nil) {
        self.line = line
        self.key = key.map(Excerpt.of)
        self.path = path.map(Excerpt.of)
        self.reason = reason.excerpted
        self.displayName = displayName.map(Excerpt.of)
    }

    /// `line 4` for CSV rows, the file name for folder sources.
    public var location: String { line.map { "line \($0)" } ?? path ?? "source" }

    /// `line 4 (bob@contoso.com): photo file not found: photos/bob.jpg`.
    public var description: String {
        var text = location
        if let key, !key.isEmpty { text += " (\(key))" }
        return text + ": " + (line == nil ? "\(reason)" : detail)
    }

    /// The reason with the file it concerns: `photo file not found: photos/bob.jpg`.
    public var detail: String {
        guard let path, !path.isEmpty, reason.mentionsPath else { return "\(reason)" }
        return "\(reason): \(path)"
    }
}

extension SourceProblem.Reason {
    /// The reason with the source text it quotes cut to an `Excerpt`.
    fileprivate var excerpted: Self {
        switch self {
        case .malformedKey(let match, let key): .malformedKey(match, Excerpt.of(key))
        case .unreadableFile(let detail): .unreadableFile(Excerpt.of(detail))
        default: self
        }
    }

    fileprivate var mentionsPath: Bool {
        switch self {
        case .missingFile, .notAFile, .unreadableFile, .emptyFile, .tooLarge, .outsideSource: true
        default: false
        }
    }
}

extension SourceProblem.Reason {
    /// The reason for a photo file that could not be opened or read.
    init(_ problem: FileProblem) {
        switch problem {
        case .missing: self = .missingFile
        case .notAFile: self = .notAFile
        case .tooLarge(let bytes, _): self = .tooLarge(bytes)
        case .symbolicLink, .system: self = .unreadableFile(problem.description)
        }
    }
}

extension MatchKey {
    /// What a valid key of this kind looks like, for messages.
    var expectedForm: String {
        switch self {
        case .upn, .mail, .email: "expected name@domain"
        case .employeeId: "expected non-empty text"
        case .id: "expected a GUID such as 4f1c1b5e-8f0b-4c47-9a4e-2f6d3c1a0b9e"
        case .contactId: "expected an Outlook contact id such as AAMkAGI2TG93AAA="
        }
    }
}
