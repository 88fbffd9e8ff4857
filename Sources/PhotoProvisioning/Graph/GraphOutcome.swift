import Foundation
import PhotoModel

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
