import CPhotoCodec

extension CodecError.Reason {
    /// The reason for a C codec status code (`PC_*`); nil for `PC_OK`.
    init?(status: Int32) {
        switch status {
        case Int32(PC_OK): return nil
        case Int32(PC_EMPTY): self = .empty
        case Int32(PC_UNSUPPORTED_FORMAT): self = .unsupportedFormat
        case Int32(PC_UNSUPPORTED_FEATURE): self = .unsupportedFeature
        case Int32(PC_TRUNCATED): self = .truncated
        case Int32(PC_CORRUPT): self = .corrupt
        case Int32(PC_TOO_MANY_PIXELS): self = .tooManyPixels
        case Int32(PC_BUDGET_UNREACHABLE): self = .budgetUnreachable
        case Int32(PC_UNREADABLE): self = .unreadable
        case Int32(PC_OVER_BUDGET): self = .overMemoryBudget
        default: self = .failed
        }
    }
}

extension CodecError {
    /// The one place C status codes become errors: throws unless `status` is `PC_OK`.
    package static func check<Message>(_ status: Int32, _ message: Message) throws(CodecError) {
        guard let reason = Reason(status: status) else { return }
        throw CodecError(reason, text(message) ?? "image could not be converted")
    }
}
