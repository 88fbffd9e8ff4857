#if os(Linux)
    import CCurl
    import Foundation
    import FoundationNetworking

    /// One request as a libcurl easy handle: its options, the body it sends, and the answer it collects.
    ///
    /// `@unchecked Sendable`: the handle and the buffers are touched only on ``CurlEngine``'s thread once the transfer
    /// is handed to it (libcurl calls the callbacks below from `curl_multi_perform` on that thread), and before that
    /// only by the task that made it; `continuation` and `cancelRequested` are only touched under the engine's lock.
    final class CurlTransfer: @unchecked Sendable {
        let handle: UnsafeMutableRawPointer
        let url: URL
        private var headerList: UnsafeMutablePointer<curl_slist>?
        private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        private let body: Data
        private var sent = 0
        private var received = Data()
        private var headers: [String: String] = [:]

        /// Set by the engine under its lock: the caller waiting for the answer, and whether it was cancelled.
        var continuation: CheckedContinuation<HTTPResponse, any Error>?
        var cancelRequested = false

        /// What every transfer shares: the idle timeout, the CA file (nil: the system bundle) and the proxy exemptions.
        struct Options {
            var timeout: Double
            var caFile: String?
            var noProxy: String
        }

        /// Makes the easy handle for `request`; nothing is sent until the engine adds it.
        ///
        /// - Throws: `URLError(.badURL)` for a request without a URL, `.unknown` when libcurl cannot make a handle.
        init(_ request: URLRequest, options: Options) throws {
            guard let url = request.url else { throw URLError(.badURL) }
            guard let handle = curl_easy_init() else { throw URLError(.unknown) }
            self.handle = handle
            self.url = url
            self.body = request.httpBody ?? Data()
            errorBuffer.initialize(to: 0)
            let context = Unmanaged.passUnretained(self).toOpaque()
            var ok = true
            func set(_ code: CURLcode) { ok = ok && code == CURLE_OK }

            set(CCurl_easy_set_string(handle, CURLOPT_URL, url.absoluteString))
            set(CCurl_easy_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
            set(CCurl_easy_set_long(handle, CURLOPT_NOSIGNAL, 1))  // many threads: no SIGALRM for DNS timeouts
            // Graph paths go out exactly as GraphPath built them.
            set(CCurl_easy_set_long(handle, CURLOPT_PATH_AS_IS, 1))
            set(CCurl_easy_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
            set(CCurl_easy_set_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
            set(CCurl_easy_set_long(handle, CURLOPT_FOLLOWLOCATION, 1))  // as URLSession does
            set(CCurl_easy_set_long(handle, CURLOPT_MAXREDIRS, 10))
            set(CCurl_easy_set_string(handle, CURLOPT_ACCEPT_ENCODING, ""))  // every decoding libcurl has, decoded
            // URLSession's timeoutIntervalForRequest is an idle timeout: connect within it, and never go that long
            // without a byte either way (libcurl's low-speed check at 1 byte/s). The whole exchange gets four times it.
            let timeout = Self.timeout(of: request, default: options.timeout)
            set(CCurl_easy_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(timeout * 1000)))
            set(CCurl_easy_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
            set(CCurl_easy_set_long(handle, CURLOPT_LOW_SPEED_TIME, max(Int(timeout.rounded(.up)), 1)))
            set(CCurl_easy_set_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 4000)))
            if let caFile = options.caFile {
                // The named CA file replaces the system bundle and directory entirely.
                set(CCurl_easy_set_string(handle, CURLOPT_CAINFO, caFile))
                set(CCurl_easy_set_string(handle, CURLOPT_CAPATH, nil))
            }
            // libcurl reads http_proxy/https_proxy/all_proxy itself, as URLSession on Linux (over libcurl) did; setting
            // CURLOPT_NOPROXY replaces no_proxy, so it carries no_proxy's hosts plus the loopback addresses.
            set(CCurl_easy_set_string(handle, CURLOPT_NOPROXY, options.noProxy))

            set(CCurl_easy_set_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
            set(CCurl_easy_set_pointer(handle, CURLOPT_WRITEDATA, context))
            set(CCurl_easy_set_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
            set(CCurl_easy_set_pointer(handle, CURLOPT_HEADERDATA, context))

            let method = request.httpMethod?.uppercased() ?? "GET"
            if request.httpBody != nil {
                // The body is read through a callback with no way to rewind: when a kept-alive connection turns out
                // to be closed before any answer, libcurl fails the transfer (CURLE_SEND_FAIL_REWIND, reported as a
                // lost connection) at once instead of resending on its own, and the client's retry sends it again.
                set(CCurl_easy_set_long(handle, CURLOPT_POST, 1))
                set(CCurl_easy_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                set(CCurl_easy_set_callback(handle, CURLOPT_READFUNCTION, curlReadBody))
                set(CCurl_easy_set_pointer(handle, CURLOPT_READDATA, context))
            } else if method == "HEAD" {
                set(CCurl_easy_set_long(handle, CURLOPT_NOBODY, 1))
            }
            if method != "GET" && method != "HEAD" && !(method == "POST" && request.httpBody != nil) {
                set(CCurl_easy_set_string(handle, CURLOPT_CUSTOMREQUEST, method))
            }
            // "Expect:" turns off libcurl's Expect: 100-continue round trip before large bodies.
            for line in (request.allHTTPHeaderFields ?? [:]).map({ "\($0): \($1)" }) + ["Expect:"] {
                headerList = curl_slist_append(headerList, line)
            }
            set(CCurl_easy_set_list(handle, CURLOPT_HTTPHEADER, headerList))
            guard ok else { throw URLError(.unknown) }
        }

        deinit {
            curl_easy_cleanup(handle)
            curl_slist_free_all(headerList)
            errorBuffer.deallocate()
        }

        /// The request's own `timeoutInterval` when it set one (sign-in does), else the transport's.
        private static func timeout(of request: URLRequest, default configured: Double) -> Double {
            let unset = URLRequest(url: URL(fileURLWithPath: "/")).timeoutInterval
            let own = request.timeoutInterval
            return own > 0 && own != unset ? own : configured
        }

        /// The answer once libcurl finished the transfer with `code`.
        ///
        /// - Throws: a `URLError` whose code says what failed and whose description carries libcurl's own message.
        func result(_ code: CURLcode) throws -> HTTPResponse {
            guard code == CURLE_OK else {
                let detail =
                    errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
                throw URLError(
                    Self.errorCode(code),
                    userInfo: [NSURLErrorFailingURLErrorKey: url, NSLocalizedDescriptionKey: detail])
            }
            var status = 0
            _ = CCurl_easy_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return HTTPResponse(status: status, headers: headers, body: received)
        }

        /// The URLSession error code that says the same as libcurl's `code` (HTTPTransport describes those).
        private static func errorCode(_ code: CURLcode) -> URLError.Code {
            switch code {
            case CURLE_OPERATION_TIMEDOUT: return .timedOut
            case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .cannotFindHost
            case CURLE_COULDNT_CONNECT: return .cannotConnectToHost
            case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_SEND_FAIL_REWIND,
                CURLE_HTTP2, CURLE_HTTP2_STREAM:
                return .networkConnectionLost
            case CURLE_PEER_FAILED_VERIFICATION: return .serverCertificateUntrusted
            case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CERTPROBLEM,
                CURLE_SSL_CIPHER, CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
                return .secureConnectionFailed
            case CURLE_ABORTED_BY_CALLBACK: return .cancelled
            case CURLE_TOO_MANY_REDIRECTS: return .httpTooManyRedirects
            case CURLE_UNSUPPORTED_PROTOCOL: return .unsupportedURL
            case CURLE_URL_MALFORMAT: return .badURL
            case CURLE_WEIRD_SERVER_REPLY: return .badServerResponse
            default: return .unknown
            }
        }

        // MARK: libcurl's callbacks (on the engine's thread)

        fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) { received.append(contentsOf: bytes) }

        /// One header line; a status line (`HTTP/1.1 200 OK`, also after a `100 Continue` or a redirect) starts over.
        fileprivate func appendHeader(_ bytes: UnsafeRawBufferPointer) {
            let line = String(decoding: bytes, as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                headers = [:]
                return
            }
            guard let colon = line.firstIndex(of: ":") else { return }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }

        fileprivate func readBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            let count = min(buffer.count, body.count - sent)
            guard count > 0 else { return 0 }
            body.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + sent, byteCount: count)
            }
            sent += count
            return count
        }
    }

    private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
        Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    }

    private let curlWriteBody: CCurl_data_callback = { buffer, size, count, context in
        transfer(context).appendBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }

    private let curlWriteHeader: CCurl_data_callback = { buffer, size, count, context in
        transfer(context).appendHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }

    private let curlReadBody: CCurl_data_callback = { buffer, size, count, context in
        transfer(context).readBody(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    }
#endif
