/// Why one item's request failed, classified so reports can group and explain failures.
public enum FailureReason: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// 404: the user, group or team does not exist.
    case notFound
    /// The user has no Exchange Online mailbox, which Graph needs to store a photo.
    case noMailbox
    /// 403: the tenant's photo update policy forbids this identity (or all cloud updates).
    case blockedByPolicy
    /// 403: the token lacks the permission for this request.
    case missingPermission
    /// 413: the photo is over Graph's 4 MB limit.
    case photoTooLarge
    /// 400: Graph could not read the body as an image.
    case notAnImage
    /// 400: the image is smaller than Graph accepts.
    case photoTooSmall
    /// Another 400: Graph rejected the request.
    case badRequest
    /// 401 even after one token renewal.
    case unauthorized
    /// No token could be obtained.
    case signInFailed
    /// 429 on every attempt.
    case throttled
    /// 503, 504 (or another server error) on the last attempt.
    case serviceUnavailable
    /// The connection failed, was reset or timed out on the last attempt.
    case network
    /// The per-item deadline passed before a retry could start.
    case deadlineExceeded
    /// The run was cancelled while this item waited or was in flight.
    case cancelled
    /// Any other unexpected status.
    case unexpected
    /// The photo file could not be read when its turn came.
    case unreadableSource
    /// The codec could not turn the photo into a JPEG (damaged, unsupported, too large).
    case conversionFailed
    /// The item names no photo file.
    case noPhotoFile
    /// No user has the key (`--match mail|employeeId`).
    case unknownKey
    /// Several users share the key; none is picked.
    case ambiguousKey
    /// Looking the key up failed for this key alone.
    case lookupFailed
    /// Graph offers no such operation for this target (deleting a contact's or a team's photo).
    case unsupported
    /// The photo could not be read before a change, so it was not changed: nothing is written without a backup.
    case backupFailed
    /// After the upload Graph held no photo, or one of another size than was sent.
    case verificationFailed

    /// Whether trying again later might succeed (throttling, outages, network, deadline).
    public var isTransient: Bool {
        switch self {
        case .throttled, .serviceUnavailable, .network, .deadlineExceeded, .cancelled: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .notFound: "not found"
        case .noMailbox: "user has no mailbox"
        case .blockedByPolicy: "blocked by photo policy"
        case .missingPermission: "missing permission"
        case .photoTooLarge: "photo too large"
        case .notAnImage: "not an image"
        case .photoTooSmall: "photo too small"
        case .badRequest: "rejected by graph"
        case .unauthorized: "token rejected"
        case .signInFailed: "sign-in failed"
        case .throttled: "throttled"
        case .serviceUnavailable: "service unavailable"
        case .network: "network error"
        case .deadlineExceeded: "deadline exceeded"
        case .cancelled: "cancelled"
        case .unexpected: "unexpected response"
        case .unreadableSource: "photo file unreadable"
        case .conversionFailed: "conversion failed"
        case .noPhotoFile: "no photo file"
        case .unknownKey: "unknown key"
        case .ambiguousKey: "ambiguous key"
        case .lookupFailed: "lookup failed"
        case .unsupported: "not supported by graph"
        case .backupFailed: "backup failed"
        case .verificationFailed: "not stored as sent"
        }
    }
}
