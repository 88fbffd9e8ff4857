import CFaceDetect

/// Why faces could not be looked for; the message names the file or the image.
public struct FaceDetectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Reason: Sendable, Equatable {
        /// The pixels do not match the size given.
        case badImage
        /// The landmark model file is not installed.
        case modelMissing
        /// The landmark model cannot be read.
        case modelUnreadable
        /// The detector ran out of memory.
        case outOfMemory
        /// Anything else dlib reported.
        case failed
    }

    /// The kind of failure.
    public var reason: Reason
    /// A short lower-case message.
    public var message: String

    /// Creates an error.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }

    /// Throws the error an fd_ status describes; returns for FD_OK.
    static func check(_ status: fd_status) throws(FaceDetectionError) {
        guard status.code != Int32(FD_OK) else { return }
        let message = withUnsafeBytes(of: status.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let reason: Reason =
            switch status.code {
            case Int32(FD_BAD_IMAGE): .badImage
            case Int32(FD_MODEL_MISSING): .modelMissing
            case Int32(FD_MODEL_UNREADABLE): .modelUnreadable
            case Int32(FD_OUT_OF_MEMORY): .outOfMemory
            default: .failed
            }
        throw FaceDetectionError(reason, message)
    }
}
