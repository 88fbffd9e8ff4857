/// Why a report could not be written; the message names the file or folder.
public struct ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure.
    public enum Reason: String, Sendable, Equatable {
        /// The output folder could not be created.
        case cannotCreateDirectory
        /// A report file could not be written or moved into place.
        case cannotWrite
        /// The data could not be encoded (e.g. a non-finite number).
        case cannotEncode
    }

    /// The kind of failure.
    public let reason: Reason
    /// The file or folder concerned.
    public let path: String
    /// What went wrong, lower-case.
    public let message: String

    /// Creates an error.
    public init(_ reason: Reason, path: String, _ message: String) {
        self.reason = reason
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
