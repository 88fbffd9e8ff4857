import Foundation

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
        }
    }
}

/// The result of one item's photo request, success or classified failure; never thrown.
public struct GraphOutcome: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Why it failed, or `nil` when it succeeded.
    public var failure: FailureReason?
    /// One lower-case sentence for people, e.g. "user ada@contoso.com not found".
    public var message: String
    /// The final HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// The Graph error code of the final response, e.g. `Request_ResourceNotFound`.
    public var graphCode: String?
    /// The final response's `request-id` header.
    public var requestID: String?
    /// The `client-request-id` sent with the final attempt.
    public var clientRequestID: String?
    /// HTTP attempts made, first try included (a token renewal retry counts).
    public var attempts: Int
    /// Seconds from first attempt to final answer, waits included.
    public var seconds: Double

    /// Whether the request succeeded.
    public var succeeded: Bool { failure == nil }

    /// Creates an outcome.
    public init(
        failure: FailureReason?, message: String, httpStatus: Int? = nil, graphCode: String? = nil,
        requestID: String? = nil, clientRequestID: String? = nil, attempts: Int, seconds: Double = 0
    ) {
        self.failure = failure
        self.message = message
        self.httpStatus = httpStatus
        self.graphCode = graphCode
        self.requestID = requestID
        self.clientRequestID = clientRequestID
        self.attempts = attempts
        self.seconds = seconds
    }

    public var description: String {
        var facts: [String] = []
        if let httpStatus { facts.append("HTTP \(httpStatus)") }
        if let graphCode { facts.append(graphCode) }
        if let requestID { facts.append("request-id \(requestID)") }
        facts.append("\(attempts) attempt\(attempts == 1 ? "" : "s")")
        return "\(message) (\(facts.joined(separator: ", ")))"
    }
}
