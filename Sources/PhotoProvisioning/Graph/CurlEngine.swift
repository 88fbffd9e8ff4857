#if os(Linux)
    import CCurl
    import Foundation
    import FoundationNetworking
    import Synchronization

    /// HTTP on Linux: every request of one transport is a transfer on one libcurl multi handle, driven by one thread of
    /// its own.
    ///
    /// Why not URLSession: FoundationNetworking (also over libcurl) trusts only the system CA bundle and honours no
    /// variable, so a private CA (SSL_CERT_FILE) cannot be trusted. Why the multi interface on one thread rather than
    /// easy handles on a pool: a blocking `curl_easy_perform` would hold one thread per request in flight (up to
    /// `--concurrency`), where one thread waiting in `curl_multi_poll` serves them all; the multi handle's connection
    /// cache gives keep-alive reuse across requests; and a cancelled request is removed from it at once, mid-exchange,
    /// which a blocked `curl_easy_perform` cannot be. No Swift task ever blocks: callers wait on a continuation.
    ///
    /// `@unchecked Sendable`: `multi` and `active` are touched only on the engine's thread (libcurl's multi handle is
    /// single-threaded), except `curl_multi_wakeup`, which libcurl allows from any thread; everything handed between
    /// threads goes through `inbox`, a `Mutex`.
    final class CurlEngine: @unchecked Sendable {
        private struct Inbox {
            var added: [CurlTransfer] = []
            var cancelled: [CurlTransfer] = []
            var stopping = false
        }

        private let multi: UnsafeMutableRawPointer
        private let options: CurlTransfer.Options
        private let inbox = Mutex(Inbox())
        private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

        /// libcurl's process-wide setup, once, before the first handle.
        private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

        /// Starts the engine's thread.
        ///
        /// - Parameters:
        ///   - timeout: the idle timeout of a request without its own `timeoutInterval`, in seconds.
        ///   - maxConnections: most connections to one host at once; more requests wait in libcurl's queue.
        ///   - caFile: a PEM file of CA certificates to trust instead of the system's, or nil.
        init(timeout: Double, maxConnections: Int, caFile: String?) {
            _ = Self.initialised
            multi = curl_multi_init()
            _ = CCurl_multi_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(maxConnections, 1))
            _ = CCurl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, max(maxConnections, 1) + 4)
            let environment = ProcessInfo.processInfo.environment
            let noProxy = [environment["no_proxy"] ?? environment["NO_PROXY"], "localhost,127.0.0.1,::1"]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ",")
            options = CurlTransfer.Options(timeout: timeout, caFile: caFile, noProxy: noProxy)
            let thread = Thread { [self] in run() }
            thread.name = "photoprov-http"
            thread.start()
        }

        /// Ends the engine's thread once its transfers are done (they are cancelled); the multi handle closes every
        /// kept-alive connection.
        func stop() {
            inbox.withLock { $0.stopping = true }
            curl_multi_wakeup(multi)
        }

        /// Sends `request` and returns the answer, without blocking the calling task's thread.
        ///
        /// - Throws: `URLError` for connection failures, timeouts, TLS failures (its description is libcurl's message)
        ///   and `.cancelled` when the calling task is cancelled, whenever that happens.
        func send(_ request: URLRequest) async throws -> HTTPResponse {
            let transfer = try CurlTransfer(request, options: options)
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let accepted = inbox.withLock { inbox in
                        guard !transfer.cancelRequested, !inbox.stopping else { return false }
                        transfer.continuation = continuation
                        inbox.added.append(transfer)
                        return true
                    }
                    if accepted {
                        curl_multi_wakeup(multi)
                    } else {
                        continuation.resume(throwing: URLError(.cancelled))
                    }
                }
            } onCancel: {
                // Before the transfer was handed over, remembering is enough (it is then never started); after, the
                // engine's thread removes it from the multi handle, wherever it is in its exchange.
                let handedOver = inbox.withLock { inbox in
                    transfer.cancelRequested = true
                    guard transfer.continuation != nil else { return false }
                    inbox.cancelled.append(transfer)
                    return true
                }
                if handedOver { curl_multi_wakeup(multi) }
            }
        }

        // MARK: The engine's thread

        private func run() {
            while true {
                let (added, cancelled, stopping) = inbox.withLock { inbox in
                    defer { inbox.added = []; inbox.cancelled = [] }
                    return (inbox.added, inbox.cancelled, inbox.stopping)
                }
                for transfer in added {
                    if curl_multi_add_handle(multi, transfer.handle) == CURLM_OK {
                        active[transfer.handle] = transfer
                    } else {
                        finish(transfer, with: .failure(URLError(.unknown)))
                    }
                }
                for transfer in cancelled where active[transfer.handle] != nil {
                    remove(transfer)
                    finish(transfer, with: .failure(URLError(.cancelled)))
                }
                if stopping {
                    for transfer in active.values {
                        remove(transfer)
                        finish(transfer, with: .failure(URLError(.cancelled)))
                    }
                    curl_multi_cleanup(multi)
                    return
                }
                var running: Int32 = 0
                _ = curl_multi_perform(multi, &running)
                var left: Int32 = 0
                while let message = curl_multi_info_read(multi, &left) {
                    guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                        let transfer = active[handle]
                    else { continue }
                    let code = CCurl_message_result(message)
                    remove(transfer)
                    finish(transfer, with: Result { try transfer.result(code) })
                }
                // Sleeps until a socket is ready, libcurl's next timer, or curl_multi_wakeup from send/cancel/stop.
                var timeout = 1000
                _ = curl_multi_timeout(multi, &timeout)
                if timeout != 0 {
                    _ = curl_multi_poll(multi, nil, 0, Int32(timeout < 0 || timeout > 1000 ? 1000 : timeout), nil)
                }
            }
        }

        private func remove(_ transfer: CurlTransfer) {
            curl_multi_remove_handle(multi, transfer.handle)
            active[transfer.handle] = nil
        }

        private func finish(_ transfer: CurlTransfer, with result: Result<HTTPResponse, any Error>) {
            let continuation = inbox.withLock { _ in
                defer { transfer.continuation = nil }
                return transfer.continuation
            }
            continuation?.resume(with: result)
        }
    }
#endif
