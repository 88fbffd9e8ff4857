import Foundation
import PhotoModel
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An access token and when to renew it.
package struct AccessToken: Sendable {
    /// The bearer token.
    package var value: Secret
    /// When it stops being valid.
    package var expiresAt: Date
    /// When to renew it: shortly before expiry.
    package var refreshAt: Date
    /// A delegated refresh token (device-code sign-in with offline_access).
    package var refreshToken: Secret?

    /// A token valid for `lifetime` seconds from `now`, renewed min(5 min, a quarter of its lifetime) early.
    package init(value: String, lifetime: Double, now: Date, refreshToken: String? = nil) {
        self.value = Secret(value)
        expiresAt = now.addingTimeInterval(lifetime)
        refreshAt = now.addingTimeInterval(lifetime - min(300, lifetime / 4))
        self.refreshToken = refreshToken.map(Secret.init)
    }
}

/// Obtains access tokens for the configured credential, caches one in memory, renews it shortly before expiry or
/// once after a 401, and lets concurrent callers share a single renewal.
package actor TokenProvider {
    private let settings: GraphSettings
    private let transport: HTTPTransport
    private let certificate: ClientCertificate?
    private var current: AccessToken?
    private var pending: Task<AccessToken, any Error>?
    private var rejected: Set<String> = []
    /// How many tokens were obtained (sign-in plus renewals).
    package private(set) var acquisitions = 0

    package init(settings: GraphSettings, transport: HTTPTransport, certificate: ClientCertificate?) {
        self.settings = settings
        self.transport = transport
        self.certificate = certificate
    }

    /// Whether a rejected token can be replaced by a new one (not for a fixed `PHOTOPROV_ACCESS_TOKEN`).
    package nonisolated var canRenew: Bool {
        if case .accessToken = settings.credential { return false }
        return true
    }

    /// A valid token: the cached one, or a fresh one when it is due for renewal or was rejected.
    package func token() async throws(GraphError) -> AccessToken {
        let now = settings.clock.now()
        if let current, !rejected.contains(current.value.value) {
            // A fixed token cannot be renewed early: use it until it expires.
            if (canRenew ? current.refreshAt : current.expiresAt) > now { return current }
        }
        if let pending {
            return try await Self.wait(pending)
        }
        let previous = current
        let task = Task { [settings, transport, certificate] in
            try await Self.acquire(
                settings: settings, transport: transport, certificate: certificate, previous: previous)
        }
        pending = task
        defer { pending = nil }
        let token = try await Self.wait(task)
        current = token
        acquisitions += 1
        return token
    }

    /// Marks `token` as rejected (a 401) so the next ``token()`` fetches a new one; a no-op once already renewed.
    package func invalidate(_ token: AccessToken) {
        rejected.insert(token.value.value)
    }

    /// Waits for the shared acquisition `task`; a cancelled caller stops waiting at once (a stop during a
    /// device-code sign-in must not wait for the code to expire) and leaves the acquisition to any other waiter.
    ///
    /// - Throws: the acquisition's `GraphError`; for a cancelled caller, a `.signIn` error (the caller sees
    ///   `Task.isCancelled`).
    private static func wait(_ task: Task<AccessToken, any Error>) async throws(GraphError) -> AccessToken {
        let answer = AnswerOnce()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<AccessToken, any Error>, Never>) in
                answer.install(continuation)
                Task { answer.give(await task.result) }
            }
        } onCancel: {
            answer.give(.failure(CancellationError()))
        }
        switch result {
        case .success(let token): return token
        case .failure(let error as GraphError): throw error
        case .failure(is CancellationError): throw GraphError(.signIn, "sign-in cancelled")
        case .failure(let error): throw GraphError(.signIn, "sign-in failed: \(error)")
        }
    }

    // MARK: - One acquisition per credential

    private static func acquire(
        settings: GraphSettings, transport: HTTPTransport, certificate: ClientCertificate?, previous: AccessToken?
    ) async throws -> AccessToken {
        let tenant = settings.tenantID ?? "organizations"
        let tokenURL = settings.authorityURL.appendingPathComponent(tenant).appendingPathComponent("oauth2/v2.0/token")
        let scope = settings.resource + "/.default"
        let now = settings.clock.now()
        switch settings.credential {
        case .clientSecret(let secret):
            let clientID = try requireApp(settings)
            return try await postToken(
                tokenURL,
                [
                    "grant_type": "client_credentials", "client_id": clientID, "client_secret": secret.value,
                    "scope": scope,
                ], settings: settings, transport: transport)
        case .certificate:
            let clientID = try requireApp(settings)
            guard let certificate else { throw GraphError(.signIn, "sign-in failed: the certificate was not loaded") }
            let assertion = try certificate.assertion(
                clientID: clientID, audience: tokenURL.absoluteString, now: now)
            return try await postToken(
                tokenURL,
                [
                    "grant_type": "client_credentials", "client_id": clientID, "scope": scope,
                    "client_assertion_type": jwtBearer, "client_assertion": assertion,
                ],
                settings: settings, transport: transport)
        case .federatedTokenFile(let path):
            let clientID = try requireApp(settings)
            // Re-read on every sign-in: the platform rotates the file.
            let assertion = try SecretFile.text(path, what: "federated token file", warn: { _ in })
            guard !assertion.isEmpty else {
                throw GraphError(.signIn, "sign-in failed: the federated token file \(path) is empty")
            }
            return try await postToken(
                tokenURL,
                [
                    "grant_type": "client_credentials", "client_id": clientID, "scope": scope,
                    "client_assertion_type": jwtBearer, "client_assertion": assertion,
                ],
                settings: settings, transport: transport)
        case .managedIdentity:
            return try await managedIdentity(settings: settings, transport: transport)
        case .accessToken(let secret):
            if previous != nil {
                throw GraphError(
                    .signIn,
                    "sign-in failed: Graph rejected the token in PHOTOPROV_ACCESS_TOKEN (expired or not for "
                        + "Microsoft Graph) — fix: obtain a fresh token for \(settings.resource)")
            }
            return fixedToken(secret.value, now: now)
        case .tokenCommand(let command):
            return fixedToken(try await run(command), now: now)
        case .deviceCode:
            let clientID = settings.clientID ?? GraphSettings.graphCommandLineToolsClientID
            if let refresh = previous?.refreshToken {
                if let renewed = try? await postToken(
                    tokenURL,
                    [
                        "grant_type": "refresh_token", "client_id": clientID, "refresh_token": refresh.value,
                        "scope": delegatedScope(settings),
                    ], settings: settings, transport: transport)
                {
                    return renewed
                }
            }
            return try await deviceCode(
                tokenURL: tokenURL, clientID: clientID, settings: settings, transport: transport)
        }
    }

    private static let jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    private static func requireApp(_ settings: GraphSettings) throws(GraphError) -> String {
        guard settings.tenantID != nil else {
            throw GraphError(
                .signIn, "sign-in failed: no tenant — fix: set AZURE_TENANT_ID or --tenant to the directory (tenant) id"
            )
        }
        guard let clientID = settings.clientID else {
            throw GraphError(
                .signIn,
                "sign-in failed: no application — fix: set AZURE_CLIENT_ID or --client-id to the app registration's client id"
            )
        }
        return clientID
    }

    private static func delegatedScope(_ settings: GraphSettings) -> String {
        (settings.delegatedScopes.map { settings.resource + "/" + $0 } + ["offline_access"]).joined(separator: " ")
    }

    /// A token whose lifetime comes from its own `exp` claim (one hour when it has none).
    private static func fixedToken(_ value: String, now: Date) -> AccessToken {
        let lifetime = AccessTokenClaims(token: value)?.expiresAt.map { $0.timeIntervalSince(now) } ?? 3600
        return AccessToken(value: value, lifetime: max(lifetime, 1), now: now)
    }

    private static func form(_ fields: [String: String]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return Data(body.utf8)
    }

    /// POSTs a token request, retried like every Graph request: 429 and 5xx answers after their `Retry-After`
    /// (else full-jitter backoff), dropped connections and timeouts after backoff, up to `--max-attempts` and
    /// never past `--item-deadline` from the first try. Entra's brief `temporarily_unavailable` (503, AADSTS90033)
    /// spells are waited out instead of ending the sign-in after a few seconds.
    private static func postForm(
        _ url: URL, _ fields: [String: String], settings: GraphSettings, transport: HTTPTransport
    ) async throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.httpBody = form(fields)
        // Sign-in is rare and worth waiting for: never cut it shorter than 30 s, whatever --request-timeout says.
        request.timeoutInterval = max(settings.requestTimeout, 30)
        var retry = RetryPolicy(
            maxAttempts: max(settings.maxAttempts, 1), base: settings.backoffBase, cap: settings.backoffCap)
        if let jitter = settings.jitter { retry.jitter = jitter }
        let clock = settings.clock
        let deadline = clock.now().addingTimeInterval(settings.itemDeadline)
        var attempt = 0
        while true {
            attempt += 1
            request.setValue(UUID().uuidString.lowercased(), forHTTPHeaderField: "client-request-id")
            let wait: Double
            do {
                let response = try await transport.send(request, sensitive: true)
                guard response.status == 429 || response.status >= 500 else { return response }
                wait = retry.delay(
                    afterAttempt: attempt,
                    retryAfter: RetryPolicy.parseRetryAfter(response.header("retry-after"), now: clock.now()))
                guard attempt < retry.maxAttempts, clock.now().addingTimeInterval(wait) < deadline else {
                    return response  // the caller explains the last answer (its AADSTS code)
                }
            } catch let error as URLError where error.code != .cancelled && !HTTPTransport.isTLSFailure(error) {
                wait = retry.delay(afterAttempt: attempt, retryAfter: nil)
                guard attempt < retry.maxAttempts, clock.now().addingTimeInterval(wait) < deadline else {
                    throw GraphError(
                        .signIn,
                        "sign-in failed: cannot reach \(url.host ?? "the sign-in endpoint"): "
                            + "\(HTTPTransport.describe(error)) after \(attempt) attempt\(attempt == 1 ? "" : "s")")
                }
            } catch let error as URLError where error.code != .cancelled {
                // A certificate the sign-in endpoint's chain does not meet is not retried: it will not change.
                throw GraphError(
                    .signIn,
                    "sign-in failed: cannot reach \(url.host ?? "the sign-in endpoint"): "
                        + HTTPTransport.describe(error))
            }
            try await clock.sleep(seconds: wait)
        }
    }

    private static func postToken(
        _ url: URL, _ fields: [String: String], settings: GraphSettings, transport: HTTPTransport
    ) async throws -> AccessToken {
        let response = try await postForm(url, fields, settings: settings, transport: transport)
        return try parseToken(response, settings: settings, endpoint: "the token endpoint")
    }

    private static func parseToken(
        _ response: HTTPResponse, settings: GraphSettings, endpoint: String
    ) throws(GraphError) -> AccessToken {
        guard response.status == 200 else {
            throw SignInFailure.error(from: response, credential: settings.credential, endpoint: endpoint)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
            let value = object["access_token"] as? String, !value.isEmpty
        else {
            throw GraphError(.signIn, "sign-in failed: \(endpoint) answered without an access_token")
        }
        let now = settings.clock.now()
        var lifetime: Double?
        if let seconds = number(object["expires_in"]) {
            lifetime = seconds
        } else if let epoch = number(object["expires_on"]) {
            lifetime = epoch - now.timeIntervalSince1970
        }
        // A JWT's own exp is authoritative when it is earlier (issuers round iat down to whole seconds).
        let claimed = AccessTokenClaims(token: value)?.expiresAt.map { $0.timeIntervalSince(now) }
        let best = [lifetime, claimed].compactMap { $0 }.min() ?? 3600
        return AccessToken(
            value: value, lifetime: max(best, 1), now: now,
            refreshToken: object["refresh_token"] as? String)
    }

    private static func number(_ value: Any?) -> Double? {
        if let value = value as? Double { return value }
        if let value = value as? Int { return Double(value) }
        if let value = value as? String { return Double(value) }
        return nil
    }

    // MARK: Managed identity

    private static func managedIdentity(settings: GraphSettings, transport: HTTPTransport) async throws -> AccessToken {
        let url: URL
        var components: URLComponents
        var request: URLRequest
        if let endpoint = settings.identityEndpoint {
            components = URLComponents(url: endpoint.url, resolvingAgainstBaseURL: false)!
            components.queryItems =
                (components.queryItems ?? []) + [
                    URLQueryItem(name: "api-version", value: "2019-08-01"),
                    URLQueryItem(name: "resource", value: settings.resource),
                ] + (settings.clientID.map { [URLQueryItem(name: "client_id", value: $0)] } ?? [])
            url = components.url!
            request = URLRequest(url: url)
            request.setValue(endpoint.header.value, forHTTPHeaderField: "X-IDENTITY-HEADER")
        } else {
            components = URLComponents(url: settings.imdsURL, resolvingAgainstBaseURL: false)!
            components.queryItems =
                (components.queryItems ?? []) + [
                    URLQueryItem(name: "api-version", value: "2018-02-01"),
                    URLQueryItem(name: "resource", value: settings.resource),
                ] + (settings.clientID.map { [URLQueryItem(name: "client_id", value: $0)] } ?? [])
            url = components.url!
            request = URLRequest(url: url)
            request.setValue("true", forHTTPHeaderField: "Metadata")
        }
        request.timeoutInterval = min(settings.requestTimeout, 30)
        let response: HTTPResponse
        do {
            response = try await transport.send(request, sensitive: true)
        } catch {
            throw GraphError(
                .signIn,
                "sign-in failed: no managed identity endpoint answered at \(url.host ?? "?") "
                    + "(\(HTTPTransport.describe(error))) — fix: run on an Azure resource with a managed identity, or "
                    + "choose another sign-in mode")
        }
        return try parseToken(response, settings: settings, endpoint: "the managed identity endpoint")
    }

    // MARK: Token command

    private static func run(_ command: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(
                        throwing: GraphError(
                            .signIn, "sign-in failed: cannot run --token-command: \(error.localizedDescription)"))
                    return
                }
                let errorQueue = DispatchQueue(label: "token-command-stderr")
                nonisolated(unsafe) var errorData = Data()
                let group = DispatchGroup()
                errorQueue.async(group: group) { errorData = err.fileHandleForReading.readDataToEndOfFile() }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                let token = String(decoding: outData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if process.terminationStatus != 0 {
                    continuation.resume(
                        throwing: GraphError(
                            .signIn,
                            "sign-in failed: --token-command exited with status \(process.terminationStatus)"
                                + commandErrorSummary(errorData)))
                } else if token.isEmpty || token.contains(where: \.isWhitespace) {
                    continuation.resume(
                        throwing: GraphError(
                            .signIn,
                            "sign-in failed: --token-command must print only the access token on standard output"))
                } else {
                    continuation.resume(returning: token)
                }
            }
        }
    }

    /// What the token command said on standard error, safe to print: how many lines, and the first one scrubbed
    /// like every message (JWTs, `Bearer …`, `client_secret=…`) and of any long opaque word, since a failing
    /// script may echo the very token or secret it handles.
    private static func commandErrorSummary(_ data: Data) -> String {
        let lines = String(decoding: data.prefix(64 * 1024), as: UTF8.self).components(separatedBy: .newlines)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = lines.first else { return "" }
        let shown = Redaction.text(String(first.prefix(200)), maskingOpaqueWords: true)
        return "; its standard error (\(lines.count) line\(lines.count == 1 ? "" : "s")) begins: \(shown)"
    }

    // MARK: Device code

    private static func deviceCode(
        tokenURL: URL, clientID: String, settings: GraphSettings, transport: HTTPTransport
    ) async throws -> AccessToken {
        let codeURL = tokenURL.deletingLastPathComponent().appendingPathComponent("devicecode")
        let response = try await postForm(
            codeURL, ["client_id": clientID, "scope": delegatedScope(settings)], settings: settings,
            transport: transport)
        guard response.status == 200,
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
            let deviceCode = object["device_code"] as? String, let userCode = object["user_code"] as? String
        else {
            throw SignInFailure.error(
                from: response, credential: settings.credential, endpoint: "the device code endpoint")
        }
        let verification =
            object["verification_uri"] as? String ?? object["verification_url"] as? String
            ?? "https://microsoft.com/devicelogin"
        var interval = number(object["interval"]) ?? 5
        let expiresIn = number(object["expires_in"]) ?? 900
        settings.notice(
            "To sign in, open \(verification) in a browser and enter the code \(userCode) "
                + "(valid for \(Int(expiresIn / 60)) minutes). Waiting…")
        let deadline = settings.clock.now().addingTimeInterval(expiresIn)
        while settings.clock.now() < deadline {
            try await settings.clock.sleep(seconds: interval)
            let poll = try await postForm(
                tokenURL,
                [
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": clientID,
                    "device_code": deviceCode,
                ], settings: settings, transport: transport)
            if poll.status == 200 { return try parseToken(poll, settings: settings, endpoint: "the token endpoint") }
            let error = ((try? JSONSerialization.jsonObject(with: poll.body)) as? [String: Any])?["error"] as? String
            switch error {
            case "authorization_pending": continue
            case "slow_down": interval += 5
            default:
                throw SignInFailure.error(from: poll, credential: settings.credential, endpoint: "the token endpoint")
            }
        }
        throw GraphError(
            .signIn,
            "sign-in failed: the device code expired before sign-in finished — fix: run again and enter the "
                + "code within \(Int(expiresIn / 60)) minutes", code: "expired_token")
    }
}

/// Resumes one continuation with the first result given: the acquisition's, or the cancellation's.
private final class AnswerOnce: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<AccessToken, any Error>, Never>?
        var early: Result<AccessToken, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<Result<AccessToken, any Error>, Never>) {
        let early = state.withLock { state -> Result<AccessToken, any Error>? in
            guard let early = state.early else {
                state.continuation = continuation
                return nil
            }
            state.done = true
            return early
        }
        if let early { continuation.resume(returning: early) }
    }

    func give(_ result: Result<AccessToken, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<AccessToken, any Error>, Never>? in
            guard !state.done else { return nil }
            guard let continuation = state.continuation else {
                if state.early == nil { state.early = result }
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: result)
    }
}
