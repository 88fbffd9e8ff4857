import Foundation
import PhotoModel

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Talks to Microsoft Graph for photoprov: signs in, checks the photo policy, uploads and deletes photos, and
/// looks users up — politely (retries, `Retry-After`, adaptive concurrency) and without ever revealing a secret.
///
/// One client per run; safe to call from many tasks at once.
public final class GraphClient: GraphService {
    /// The settings this client was made with.
    public let settings: GraphSettings
    /// The adaptive in-flight limit shared by every request of this client (for progress displays and tests).
    public let limiter: AdaptiveLimiter
    let transport: HTTPTransport
    let tokens: TokenProvider
    let retry: RetryPolicy

    /// Creates a client; loads the certificate (if any) so a bad key fails before the first request.
    ///
    /// - Throws: `GraphError.signIn` when the certificate or key cannot be used, `.configuration` when a file is
    ///   unreadable.
    public init(settings: GraphSettings) throws(GraphError) {
        self.settings = settings
        self.limiter = AdaptiveLimiter(maximum: settings.concurrency, clock: settings.clock)
        self.transport = HTTPTransport(
            timeout: settings.requestTimeout, maxConnections: settings.concurrency, trace: settings.trace,
            caFile: settings.caFile)
        var certificate: ClientCertificate?
        if case .certificate(let path, let keyPath, let password) = settings.credential {
            // The certificate file holds the private key too unless a separate key file is given.
            let pem = try SecretFile.read(
                path, what: "certificate file", warn: keyPath == nil ? settings.notice : { _ in })
            let keyPEM = try keyPath.map { (keyPath) throws(GraphError) in
                try SecretFile.read(keyPath, what: "private key file", warn: settings.notice)
            }
            certificate = try ClientCertificate(
                certificatePEM: pem, keyPEM: keyPEM, password: password?.value, path: keyPath ?? path)
        }
        self.tokens = TokenProvider(settings: settings, transport: transport, certificate: certificate)
        var retry = RetryPolicy(
            maxAttempts: max(settings.maxAttempts, 1), base: settings.backoffBase, cap: settings.backoffCap)
        if let jitter = settings.jitter { retry.jitter = jitter }
        self.retry = retry
    }

    /// Obtains the first token, so a sign-in problem stops the run before any work.
    ///
    /// - Returns: what the token says about who signed in and what it may do.
    /// - Throws: `GraphError` of kind `.signIn` with the AADSTS code and what to fix.
    @discardableResult
    public func signIn() async throws(GraphError) -> SignedInIdentity {
        let token = try await tokens.token()
        return SignedInIdentity(claims: AccessTokenClaims(token: token.value.value), credential: settings.credential)
    }

    /// How many tokens were obtained so far (first sign-in plus renewals).
    public var tokenAcquisitions: Int {
        get async { await tokens.acquisitions }
    }

    // MARK: - Photos

    /// Uploads `jpeg` as `target`'s photo (PUT …/photo/$value); never throws for a per-item failure.
    public func putPhoto(_ target: PhotoTarget, jpeg: Data) async -> GraphOutcome {
        await putPhoto(target, bytes: jpeg, contentType: "image/jpeg")
    }

    /// Uploads `bytes` of `contentType` as `target`'s photo: a restore sends back exactly what a backup read.
    public func putPhoto(_ target: PhotoTarget, bytes: Data, contentType: String) async -> GraphOutcome {
        let request = GraphRequest(method: "PUT", path: .photoValue(target), body: bytes, contentType: contentType)
        let result = await perform(request)
        var done = outcome(of: result, target: target, action: "photo uploaded")
        // Graph answers a body it cannot decode with a bare 500 ErrorInternalServerError, not a 400.
        if result.response?.status == 500, done.graphCode == "ErrorInternalServerError" {
            done.failure = .notAnImage
            done.message = "\(target): graph could not read the photo as an image"
        }
        return done
    }

    /// Removes `target`'s photo (DELETE …/photo/$value); a target without a photo counts as success.
    public func deletePhoto(_ target: PhotoTarget) async -> GraphOutcome {
        let request = GraphRequest(method: "DELETE", path: .photoValue(target))
        let result = await perform(request)
        if Self.isImageNotFound(result) { return absent(result, target, tense: "had") }
        return outcome(of: result, target: target, action: "photo removed")
    }

    /// Reads `target`'s photo (GET …/photo/$value); 404 `ImageNotFound` is success without a photo ("If no photo
    /// exists, the operation returns 404 Not Found": https://learn.microsoft.com/graph/api/profilephoto-get). The
    /// bytes are kept exactly as they came, with the `Content-Type` and `ETag` headers (the backup before a write).
    public func readPhoto(_ target: PhotoTarget) async -> PhotoRead {
        let result = await perform(GraphRequest(method: "GET", path: .photoValue(target)))
        if Self.isImageNotFound(result) { return PhotoRead(outcome: absent(result, target), photo: nil) }
        let done = outcome(of: result, target: target, action: "photo read")
        guard done.succeeded, let response = result.response else { return PhotoRead(outcome: done, photo: nil) }
        let photo = StoredPhoto(
            bytes: response.body, contentType: response.header("content-type"), etag: response.header("etag"))
        return PhotoRead(outcome: done, photo: photo)
    }

    /// Reads `target`'s photo metadata (GET …/photo): `profilePhoto` has `height` and `width`
    /// (../shared/graph/v1.0-metadata.xml); the ETag and type come as `@odata.mediaEtag` and
    /// `@odata.mediaContentType`. 404 `ImageNotFound` is success without metadata.
    public func photoMetadata(_ target: PhotoTarget) async -> PhotoMetadataRead {
        var request = GraphRequest(method: "GET", path: .photo(target))
        request.headers["Accept"] = "application/json"
        let result = await perform(request)
        if Self.isImageNotFound(result) { return PhotoMetadataRead(outcome: absent(result, target), metadata: nil) }
        var done = outcome(of: result, target: target, action: "photo metadata read")
        guard done.succeeded, let response = result.response else {
            return PhotoMetadataRead(outcome: done, metadata: nil)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: any Sendable] else {
            done.failure = .unexpected
            done.message = "\(target): photo metadata is not JSON"
            return PhotoMetadataRead(outcome: done, metadata: nil)
        }
        return PhotoMetadataRead(outcome: done, metadata: PhotoMetadata(json: object))
    }

    /// Whether Graph answered 404 `ImageNotFound`: the target exists but has no photo.
    private static func isImageNotFound(_ result: Attempted) -> Bool {
        guard let response = result.response, response.status == 404 else { return false }
        return GraphErrorBody(response.body)?.code == "ImageNotFound"
    }

    /// The successful outcome of a request that found no photo (`has no photo`, or `had` for a delete).
    private func absent(_ result: Attempted, _ target: PhotoTarget, tense: String = "has") -> GraphOutcome {
        var done = outcome(of: result, target: target, action: "")
        done.failure = nil
        done.message = "\(target) \(tense) no photo"
        return done
    }

    // MARK: - Requests with retries

    /// A Graph request relative to the base URL, e.g. `PUT /v1.0/users/x/photo/$value`.
    struct GraphRequest: Sendable {
        var method: String
        var path: GraphPath
        var body: Data?
        var contentType: String?
        var headers: [String: String] = [:]
    }

    /// What happened after the retries: the last response or the last network error.
    struct Attempted: Sendable {
        var response: HTTPResponse?
        var networkError: String?
        var signInError: GraphError?
        var stop: FailureReason?
        var attempts: Int
        var clientRequestID: String?
        var seconds: Double
    }

    /// Sends `request` with retries: 429/503/504 after `Retry-After` (or full-jitter backoff), network failures
    /// after backoff, one token renewal on 401; never past the item deadline.
    ///
    /// A 429 is Graph saying "wait", not a failed attempt: it does not use up `maxAttempts`, so an item that Graph
    /// keeps throttling waits its turn until the item deadline instead of failing after a few answers while the
    /// limiter finds the allowed pace. Faults (503, 504) and network failures count.
    func perform(_ request: GraphRequest) async -> Attempted {
        let clock = settings.clock
        let started = clock.now()
        let deadline = started.addingTimeInterval(settings.itemDeadline)
        var result = Attempted(attempts: 0, seconds: 0)
        var renewed = false
        /// Attempts that count against `maxAttempts`: all but those answered 429.
        var counted = 0
        func finish(_ stop: FailureReason? = nil) -> Attempted {
            result.stop = stop
            result.seconds = clock.now().timeIntervalSince(started)
            return result
        }
        /// How one attempt ended while it held a slot of the limiter.
        enum Exchange {
            case answered(HTTPResponse, AccessToken)
            case failed(any Error)
            case noToken(GraphError)
        }
        while true {
            let exchange: Exchange
            do {
                exchange = try await limiter.withSlot { () async -> (value: Exchange, signal: AdaptiveLimiter.Signal) in
                    let token: AccessToken
                    do throws(GraphError) {
                        token = try await tokens.token()
                    } catch {
                        return (.noToken(error), .neutral)
                    }
                    result.attempts += 1
                    let clientRequestID = UUID().uuidString.lowercased()
                    result.clientRequestID = clientRequestID
                    do {
                        let response = try await transport.send(urlRequest(request, token: token, id: clientRequestID))
                        let signal: AdaptiveLimiter.Signal =
                            response.status == 429 ? .throttled : (response.status < 400 ? .success : .neutral)
                        return (.answered(response, token), signal)
                    } catch {
                        return (.failed(error), .neutral)
                    }
                }
            } catch {
                return finish(.cancelled)  // cancelled while waiting for a slot
            }

            var wait: Double
            switch exchange {
            case .noToken(let error):
                if Task.isCancelled { return finish(.cancelled) }
                result.signInError = error
                return finish(.signInFailed)
            case .answered(let response, let token):
                result.response = response
                result.networkError = nil
                if response.status == 401, !renewed, tokens.canRenew {
                    renewed = true
                    await tokens.invalidate(token)
                    continue
                }
                guard RetryPolicy.isRetryable(status: response.status) else { return finish() }
                let retryAfter = RetryPolicy.parseRetryAfter(response.header("retry-after"), now: clock.now())
                wait = retry.delay(afterAttempt: result.attempts, retryAfter: retryAfter)
                if response.status == 429 {
                    await limiter.pause(seconds: wait)
                } else {
                    counted += 1
                }
            case .failed(let error):
                if Task.isCancelled || (error as? URLError)?.code == .cancelled { return finish(.cancelled) }
                result.response = nil
                result.networkError = HTTPTransport.describe(error)
                wait = retry.delay(afterAttempt: result.attempts, retryAfter: nil)
                counted += 1
            }
            guard counted < retry.maxAttempts else { return finish() }
            guard clock.now().addingTimeInterval(wait) < deadline else { return finish(.deadlineExceeded) }
            do {
                try await clock.sleep(seconds: wait)
            } catch {
                return finish(.cancelled)
            }
        }
    }

    /// The URL request for one attempt of `request`, authorised with `token` and tagged with `id`.
    private func urlRequest(_ request: GraphRequest, token: AccessToken, id: String) -> URLRequest {
        var urlRequest = URLRequest(url: URL(string: settings.graphURL.absoluteString + request.path.value)!)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        urlRequest.setValue("Bearer " + token.value.value, forHTTPHeaderField: "Authorization")
        urlRequest.setValue(id, forHTTPHeaderField: "client-request-id")
        urlRequest.setValue("photoprov/\(Release.version)", forHTTPHeaderField: "User-Agent")
        if let contentType = request.contentType {
            urlRequest.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    /// Classifies the end of `perform` for `target`.
    func outcome(of result: Attempted, target: PhotoTarget, action: String) -> GraphOutcome {
        var outcome = GraphOutcome(
            failure: nil, message: "", httpStatus: result.response?.status,
            requestID: result.response?.header("request-id"),
            clientRequestID: result.clientRequestID, attempts: result.attempts, seconds: result.seconds)
        let body = result.response.flatMap { GraphErrorBody($0.body) }
        outcome.graphCode = body?.code
        if let signIn = result.signInError {
            outcome.failure = .signInFailed
            outcome.message = signIn.message
            return outcome
        }
        if result.stop == .cancelled {
            outcome.failure = .cancelled
            outcome.message = "\(target): cancelled"
            return outcome
        }
        guard let response = result.response else {
            outcome.failure = result.stop == .deadlineExceeded ? .deadlineExceeded : .network
            outcome.message =
                "\(target): \(result.networkError ?? "no response")"
                + (result.stop == .deadlineExceeded ? deadlineNote : "")
            return outcome
        }
        if (200..<300).contains(response.status) {
            outcome.message = "\(target): \(action)"
            return outcome
        }
        let reason = Self.classify(status: response.status, code: body?.code, message: body?.message)
        outcome.failure = result.stop == .deadlineExceeded && reason.isTransient ? .deadlineExceeded : reason
        outcome.message =
            Self.explain(reason, target: target, graphMessage: body?.message)
            + (outcome.failure == .deadlineExceeded ? deadlineNote : "")
        return outcome
    }

    /// `; item deadline of 5m 00s reached`, for the message of an item whose retries ran out of time.
    private var deadlineNote: String { "; item deadline of \(TimeSpan.format(settings.itemDeadline)) reached" }

    /// The failure reason for an error answer.
    static func classify(status: Int, code: String?, message: String?) -> FailureReason {
        let code = code ?? ""
        let lowerMessage = (message ?? "").lowercased()
        if code.hasPrefix("Mailbox") || code == "ErrorMailboxNotEnabled" || lowerMessage.contains("mailbox") {
            return .noMailbox
        }
        switch status {
        case 401: return .unauthorized
        case 403:
            if code == "ForbiddenByAdmindEditPolicy" || code.lowercased().contains("policy")
                || lowerMessage.contains("photo update") || lowerMessage.contains("policy")
            {
                return .blockedByPolicy
            }
            return .missingPermission
        case 404: return .notFound
        case 413: return .photoTooLarge
        case 415: return .notAnImage
        case 400:
            let lower = code.lowercased()
            if lower.contains("toosmall") || lowerMessage.contains("too small") { return .photoTooSmall }
            if lower.contains("toolarge") || lower.contains("entitytoolarge") { return .photoTooLarge }
            if lower.contains("image") || lower.contains("corrupt") || lower.contains("contenttype")
                || lowerMessage.contains("image") || lowerMessage.contains("content type")
            {
                return .notAnImage
            }
            return .badRequest
        case 429: return .throttled
        case 500...599: return .serviceUnavailable
        default: return .unexpected
        }
    }

    /// One lower-case sentence for `reason`, naming the target.
    static func explain(_ reason: FailureReason, target: PhotoTarget, graphMessage: String?) -> String {
        switch reason {
        case .notFound: return "\(target) not found"
        case .noMailbox:
            if let mailbox = target.mailbox {
                return "\(target.kind.noun) \(target.key): user \(mailbox) has no Exchange Online mailbox"
            }
            return "\(target) has no Exchange Online mailbox, which Graph needs to store a photo"
        case .blockedByPolicy:
            return "\(target): blocked by the tenant's photo update policy (run 'photoprov policy' for details)"
        case .missingPermission:
            return "\(target): missing permission; grant \(target.kind.writePermission)"
        case .photoTooLarge: return "\(target): photo too large for graph (over 4 MB)"
        case .notAnImage: return "\(target): graph did not accept the body as an image"
        case .photoTooSmall: return "\(target): photo too small for graph (at least 48×48 pixels)"
        case .unauthorized: return "\(target): graph rejected the access token even after renewing it"
        case .throttled: return "\(target): still throttled"
        case .serviceUnavailable: return "\(target): graph unavailable after every attempt"
        default:
            let detail = graphMessage.map { ": \($0)" } ?? ""
            return "\(target): \(reason)\(detail)"
        }
    }
}

/// What the token says about who signed in and what it may do.
public struct SignedInIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The sign-in mode used (`secret`, `certificate`, …).
    public var mode: String
    /// The token's claims; `nil` for an opaque (non-JWT) token.
    public var claims: AccessTokenClaims?

    /// Creates an identity summary.
    public init(claims: AccessTokenClaims?, credential: GraphSettings.Credential) {
        self.mode = credential.mode
        self.claims = claims
    }

    /// Nobody: an offline dry run signs in to nothing.
    public init(offline: Void) {
        self.mode = "offline"
        self.claims = nil
    }

    public var description: String {
        guard let claims else { return "an opaque token (\(mode))" }
        if claims.isDelegated {
            return "user \(claims.userPrincipalName ?? "?") (delegated, \(mode))"
        }
        return "app \(claims.appName.map { "'\($0)' " } ?? "")\(claims.appID ?? "?") (\(mode))"
    }
}

/// Graph's error envelope: `{"error":{"code","message","innerError":{…}}}`.
struct GraphErrorBody: Sendable {
    var code: String?
    var message: String?

    init?(_ data: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        code = error["code"] as? String
        message = error["message"] as? String
    }
}
