/// Why an image could not be converted; the message names the file when one is known.
public struct CodecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, for reports and tests.
    public enum Reason: String, Sendable, Equatable {
        /// Empty input (zero bytes).
        case empty
        /// Not a JPEG, PNG, HEIF, AVIF or WebP (sniffed by content).
        case unsupportedFormat
        /// A feature of the format the codec does not handle (e.g. 12-bit JPEG).
        case unsupportedFeature
        /// The data ends before the image does.
        case truncated
        /// The data is damaged.
        case corrupt
        /// More pixels than the configured limit (a decompression bomb or a huge scan).
        case tooManyPixels
        /// The file could not be read.
        case unreadable
        /// The budget cannot be met even at the smallest size and quality.
        case budgetUnreachable
        /// Decoding would need more memory than `ConvertOptions.maxMemory` allows (judged from the header).
        case overMemoryBudget
        /// Anything else the C codec reported (out of memory, internal limits).
        case failed
    }

    /// The kind of failure.
    public let reason: Reason
    /// The codec's explanation, lower-case, without the file name.
    public let message: String
    /// The file, when the input came from one.
    public var file: String?

    /// Creates an error.
    public init(_ reason: Reason, _ message: String, file: String? = nil) {
        self.reason = reason
        self.message = message
        self.file = file
    }

    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}
