/// A failure that stops a Graph operation as a whole: sign-in, configuration, policy, or an infrastructure error.
///
/// Per-item failures (one user's photo) are ``GraphOutcome`` values instead. Messages never contain a secret,
/// token, assertion or key.
public struct GraphError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is; the executable maps it to an exit code.
    public enum Kind: String, Sendable, Equatable {
        /// No token could be obtained (exit 4).
        case signIn
        /// The tenant's photo policy or a missing permission forbids the operation (exit 3).
        case blocked
        /// Settings are inconsistent or incomplete, e.g. an http URL to a non-loopback host (exit 2).
        case configuration
        /// Graph answered with an error for an operation that has no per-item outcome.
        case request
        /// The service could not be reached after every retry.
        case network
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// One lower-case sentence naming the thing and, where known, what to fix.
    public var message: String
    /// The HTTP status, when the failure came from a response.
    public var httpStatus: Int?
    /// The Graph error code or AADSTS code, e.g. `Authorization_RequestDenied` or `AADSTS7000215`.
    public var code: String?
    /// The response's `request-id`, for Microsoft support.
    public var requestID: String?

    /// Creates an error; `message` must already be free of secrets.
    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil, code: String? = nil, requestID: String? = nil)
    {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.code = code
        self.requestID = requestID
    }

    public var description: String {
        var text = message
        var facts: [String] = []
        if let httpStatus { facts.append("HTTP \(httpStatus)") }
        if let code, !message.contains(code) { facts.append(code) }
        if let requestID { facts.append("request-id \(requestID)") }
        if !facts.isEmpty { text += " (\(facts.joined(separator: ", ")))" }
        return text
    }
}
