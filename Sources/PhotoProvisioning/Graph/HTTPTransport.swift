import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP response with lower-cased header names.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: Data

    package func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// One HTTP exchange with connections reused, traced with secrets redacted: over libcurl on Linux (CurlEngine says
/// why), over a shared URLSession on macOS.
package final class HTTPTransport: Sendable {
    #if os(Linux)
        private let engine: CurlEngine
    #else
        /// URLSession is thread-safe; this class only holds it, its delegate and immutable settings.
        private let session: URLSession
        private let delegate = SessionDelegate()
    #endif
    private let trace: (@Sendable (String) -> Void)?

    /// Request headers shown verbatim in the trace; every other header's value is redacted.
    private static let visibleHeaders: Set<String> = [
        "content-type", "accept", "client-request-id", "consistencylevel", "user-agent", "content-length",
    ]

    /// A transport whose requests time out after `timeout` seconds without progress, with up to `maxConnections`
    /// connections per host; `caFile` (a PEM bundle, Linux only) is trusted instead of the system's CAs.
    package init(timeout: Double, maxConnections: Int, trace: (@Sendable (String) -> Void)?, caFile: String? = nil) {
        self.trace = trace
        #if os(Linux)
            engine = CurlEngine(timeout: timeout, maxConnections: maxConnections, caFile: caFile)
        #else
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = max(timeout * 4, timeout)
            configuration.httpMaximumConnectionsPerHost = max(maxConnections, 1)
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.urlCache = nil
            configuration.httpCookieStorage = nil
            configuration.httpShouldSetCookies = false
            self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        #endif
    }

    #if os(Linux)
        deinit { engine.stop() }
    #else
        deinit { session.finishTasksAndInvalidate() }
    #endif

    /// Sends `request`; `sensitive` requests (token endpoints) never have their bodies traced.
    ///
    /// - Throws: the URLSession error for connection failures and timeouts.
    package func send(_ request: URLRequest, sensitive: Bool = false) async throws -> HTTPResponse {
        let started = Date()
        if let trace {
            trace(Self.describe(request, sensitive: sensitive))
        }
        let result: HTTPResponse
        do {
            result = try await response(to: request)
        } catch {
            trace?(
                "<- \(request.httpMethod ?? "GET") \(Self.safeURL(request.url)) failed after \(Self.ms(since: started)): \(Self.describe(error))"
            )
            throw error
        }
        if let trace {
            var line =
                "<- \(result.status) \(request.httpMethod ?? "GET") \(Self.safeURL(request.url)) in \(Self.ms(since: started))"
            for name in ["request-id", "retry-after", "x-ms-throttle-scope", "content-type"] {
                if let value = result.headers[name] { line += " \(name)=\(value)" }
            }
            line += " (\(result.body.count) bytes)"
            if !sensitive, result.status >= 400, result.headers["content-type"]?.contains("json") == true {
                line +=
                    " "
                    + String(decoding: result.body.prefix(600), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            }
            trace(line)
        }
        return result
    }

    #if os(Linux)
        private func response(to request: URLRequest) async throws -> HTTPResponse {
            try await engine.send(request)
        }
    #else
        private func response(to request: URLRequest) async throws -> HTTPResponse {
            let (data, response) = try await exchange(request)
            guard let http = response as? HTTPURLResponse else {
                throw URLError(.badServerResponse)
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                headers[String(describing: key).lowercased()] = String(describing: value)
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        }

        /// One data task through the session delegate, cancelled with the calling task.
        ///
        /// A task cancelled before `resume()` must never be resumed nor cancelled: swift-corelibs-foundation then
        /// marks it cancelling, ignores the later `resume()` and never completes it, so its caller would wait forever
        /// (seen when a run stopping cancelled uploads just as they started). `TaskStart` settles who goes first.
        private func exchange(_ request: URLRequest) async throws -> (Data, URLResponse) {
            let task = session.dataTask(with: request)
            let start = TaskStart()
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    guard start.begin() else {
                        continuation.resume(throwing: URLError(.cancelled))
                        return
                    }
                    delegate.register(task, continuation)
                    task.resume()
                    if start.resumed() { task.cancel() }
                }
            } onCancel: {
                if start.cancel() { task.cancel() }
            }
        }

    #endif

    static func describe(_ request: URLRequest, sensitive: Bool) -> String {
        var line = "-> \(request.httpMethod ?? "GET") \(safeURL(request.url))"
        for (name, value) in (request.allHTTPHeaderFields ?? [:]).sorted(by: { $0.key < $1.key }) {
            let shown = visibleHeaders.contains(name.lowercased()) ? value : "[redacted]"
            line += " \(name): \(shown);"
        }
        if let body = request.httpBody {
            if sensitive {
                // Token requests carry secrets and assertions: only say which grant it is.
                let form = String(decoding: body, as: UTF8.self)
                let grant = form.split(separator: "&").first { $0.hasPrefix("grant_type=") }.map(String.init) ?? "form"
                line += " body: \(grant.removingPercentEncoding ?? grant) [other fields redacted]"
            } else {
                line += " body: \(body.count) bytes"
            }
        }
        return line
    }

    /// The URL without any user-info part (queries here carry `$select`, filters and api-versions, never secrets).
    static func safeURL(_ url: URL?) -> String {
        guard let url else { return "?" }
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "?" }
        components.user = nil
        components.password = nil
        return components.string ?? "?"
    }

    static func ms(since start: Date) -> String { "\(Int(Date().timeIntervalSince(start) * 1000)) ms" }

    /// A short description of a URLSession failure, e.g. "timed out" or "connection lost".
    static func describe(_ error: any Error) -> String {
        if let error = error as? URLError {
            switch error.code {
            case .timedOut: return "timed out"
            case .networkConnectionLost: return "connection lost"
            case .cannotConnectToHost: return "cannot connect to host"
            case .cannotFindHost: return "cannot find host"
            case .notConnectedToInternet: return "not connected to the internet"
            case _ where isTLSFailure(error): return describeTLSFailure(error)
            case .badServerResponse: return "bad server response"
            case .cancelled: return "cancelled"
            default:
                let detail = (error.userInfo[NSLocalizedDescriptionKey] as? String).map { ": \($0)" } ?? ""
                return "network error \(error.code.rawValue)\(detail)"
            }
        }
        return "network error: \(error.localizedDescription)"
    }

    /// Whether `error` is a failed TLS handshake or an untrusted certificate: retrying cannot help.
    static func isTLSFailure(_ error: URLError) -> Bool {
        [
            .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasUnknownRoot,
            .serverCertificateHasBadDate, .serverCertificateNotYetValid,
        ].contains(error.code)
    }

    /// The host, the TLS library's reason, and how to trust a private CA.
    private static func describeTLSFailure(_ error: URLError) -> String {
        let host = error.failingURL?.host ?? "the server"
        let reason = (error.userInfo[NSLocalizedDescriptionKey] as? String).map { " (\($0))" } ?? ""
        #if os(Linux)
            let fix = "set SSL_CERT_FILE to its CA certificate file (PEM)"
        #else
            let fix = "trust its CA certificate in the system keychain"
        #endif
        return "TLS with \(host) failed\(reason) — if \(host) uses a private CA, \(fix)"
    }
}

/// Orders one data task's start against its caller's cancellation: a task is cancelled only once resumed, and
/// not started at all when the cancellation came first.
private final class TaskStart: Sendable {
    private enum Phase { case new, starting, started, cancelledEarly, cancelPending }
    private let phase = Mutex(Phase.new)

    /// Whether the task may start (`false`: its caller was cancelled already).
    func begin() -> Bool {
        phase.withLock { phase in
            guard phase == .new else { return false }
            phase = .starting
            return true
        }
    }

    /// The task was resumed; returns whether a cancellation came while it was starting (cancel it now).
    func resumed() -> Bool {
        phase.withLock { phase in
            defer { phase = .started }
            return phase == .cancelPending
        }
    }

    /// Whether the task should be cancelled now (it runs); otherwise the cancellation is remembered.
    func cancel() -> Bool {
        phase.withLock { phase in
            switch phase {
            case .new:
                phase = .cancelledEarly
                return false
            case .starting:
                phase = .cancelPending
                return false
            case .started:
                return true
            case .cancelledEarly, .cancelPending:
                return false
            }
        }
    }
}

/// Collects each task's body and completes it, answering HTTP authentication challenges by declining them, and
/// ends a request whose kept-alive connection was closed under it at once instead of after the request timeout.
///
/// swift-corelibs-foundation turns a 401 carrying `WWW-Authenticate: Basic` (Entra's answer to a wrong client
/// secret) into a challenge, and without a credential on offer its default handling never completes the task
/// (swift-corelibs-foundation#5456). Declining the challenge ends the task; the 401 and its body, already received,
/// are then handed on like any other answer.
///
/// `@unchecked Sendable`: `states` is only touched under `lock`; URLSession calls the delegate on its own queue.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct TaskState {
        var data = Data()
        var sawChallenge = false
        /// The connection closed without an answer and libcurl asked to send the body again (see below).
        var connectionLost = false
        let continuation: CheckedContinuation<(Data, URLResponse), any Error>
    }

    private let lock = NSLock()
    private var states: [Int: TaskState] = [:]

    func register(_ task: URLSessionTask, _ continuation: CheckedContinuation<(Data, URLResponse), any Error>) {
        lock.withLock { states[task.taskIdentifier] = TaskState(continuation: continuation) }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock { states[dataTask.taskIdentifier]?.data.append(data) }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        #if !canImport(FoundationNetworking)
            // Darwin also asks about TLS server trust here: leave that to the system.
            guard challenge.protectionSpace.authenticationMethod != NSURLAuthenticationMethodServerTrust else {
                completionHandler(.performDefaultHandling, nil)
                return
            }
        #endif
        lock.withLock { states[task.taskIdentifier]?.sawChallenge = true }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    #if canImport(FoundationNetworking)
        /// Why a dropped connection used to cost the whole request timeout on Linux: when a request sent on a reused
        /// keep-alive connection gets no answer at all (the server closed it), libcurl sends it again on a fresh
        /// connection and first asks to rewind the body. swift-corelibs-foundation can only rewind a body *stream*, and
        /// only with a new one from this delegate; for a `Data` body it answers the rewind with success and supplies
        /// nothing, so libcurl sends the headers again with the old `Content-Length` and no body. The server then
        /// waits for the body and we wait for the answer until `--request-timeout` (60 s) passes. GETs have no body
        /// and are resent fine, which is why only uploads, deletes and `$batch` posts hung.
        ///
        /// Being asked for a new body therefore means exactly "the connection was lost before any answer": give no
        /// stream (a stream for a `Data` body would trap), cancel the task, and report `networkConnectionLost`, so
        /// the client's own retry sends the request again with its body. The cancel goes through another queue:
        /// `cancel()` synchronises with the queue this callback runs on.
        func urlSession(
            _ session: URLSession, task: URLSessionTask,
            needNewBodyStream completionHandler: @escaping @Sendable (InputStream?) -> Void
        ) {
            lock.withLock { states[task.taskIdentifier]?.connectionLost = true }
            completionHandler(nil)
            DispatchQueue.global().async { task.cancel() }
        }
    #endif

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let state = lock.withLock({ states.removeValue(forKey: task.taskIdentifier) }) else { return }
        if state.connectionLost {
            state.continuation.resume(throwing: URLError(.networkConnectionLost))
        } else if let response = task.response, error == nil || state.sawChallenge {
            state.continuation.resume(returning: (state.data, response))
        } else {
            state.continuation.resume(throwing: error ?? URLError(.badServerResponse))
        }
    }
}
