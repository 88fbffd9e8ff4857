import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `scripts/graph-emulator` child process on 127.0.0.1 with a free port, killed when released.
///
/// Start one per test (`let emulator = try await Emulator.start(["--fault-rate", "1"])`): each gets its own port,
/// state and counters, so tests stay independent when Swift Testing runs them in parallel. A missing emulator or
/// Python fails the test with the reason; nothing is skipped.
package final class Emulator: Sendable {
    /// The base URL serving both Entra ID and Graph, e.g. `http://127.0.0.1:41234`.
    package let baseURL: URL
    /// The demo app's tenant, client id and secret, from the emulator's stdout.
    package let tenantID: String
    package let clientID: String
    package let clientSecret: String
    /// A temporary folder for the seed and anything a test wants to write; removed on stop.
    package let directory: URL
    private let process: RunningProcess

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
        package init(description: String) { self.description = description }
    }

    /// The emulator script: `$PHOTOPROV_EMULATOR`, else `scripts/graph-emulator` in this checkout.
    package static var script: URL {
        if let path = ProcessInfo.processInfo.environment["PHOTOPROV_EMULATOR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }  // Tests/TestSupport/Emulator.swift
        return root.appendingPathComponent("scripts/graph-emulator")
    }

    /// Starts the emulator with `arguments` (plus `--port 0 --quiet`) and, if given, `seed` written as its JSON seed;
    /// returns once it has printed its header (base URL, three AZURE_* lines, a blank line).
    package static func start(_ arguments: [String] = [], seed: Any? = nil) async throws -> Emulator {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("photoprov-emulator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = ["--port", "0", "--quiet"] + arguments
        if let seed {
            let seedURL = directory.appendingPathComponent("seed.json")
            try JSONSerialization.data(withJSONObject: seed, options: [.prettyPrinted]).write(to: seedURL)
            arguments += ["--seed", seedURL.path]
        }
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            throw Failure(description: "graph emulator not found at \(script.path) (set PHOTOPROV_EMULATOR)")
        }
        let process = try RunningProcess(script, arguments)
        if await process.output(where: { stdout, _ in stdout.contains("\n\n") }) {
            let lines = process.outputSoFar.stdout.components(separatedBy: "\n")
            var values: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            if let base = URL(string: lines[0]), let tenant = values["AZURE_TENANT_ID"],
                let client = values["AZURE_CLIENT_ID"], let secret = values["AZURE_CLIENT_SECRET"]
            {
                return Emulator(
                    baseURL: base, tenantID: tenant, clientID: client, clientSecret: secret, directory: directory,
                    process: process)
            }
        }
        process.signal(SIGKILL)
        let output = await process.finished()
        try? FileManager.default.removeItem(at: directory)
        throw Failure(
            description: "graph emulator did not start (\(arguments.joined(separator: " "))): \(output.stdoutText) "
                + output.stderrText)
    }

    private init(
        baseURL: URL, tenantID: String, clientID: String, clientSecret: String, directory: URL,
        process: RunningProcess
    ) {
        self.baseURL = baseURL
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.directory = directory
        self.process = process
    }

    deinit { stop() }

    /// Kills the emulator and removes its folder; safe to call twice. No test needs a clean shutdown, and SIGKILL
    /// cannot be held up by keep-alive connections this test process still has open.
    package func stop() {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The environment a child photoprov needs to use this emulator with the demo app's secret.
    package var environment: [String: String] {
        [
            "PHOTOPROV_GRAPH_URL": baseURL.absoluteString, "PHOTOPROV_AUTHORITY_URL": baseURL.absoluteString,
            "AZURE_TENANT_ID": tenantID, "AZURE_CLIENT_ID": clientID, "AZURE_CLIENT_SECRET": clientSecret,
        ]
    }

    /// `GET /_emulator/state` as JSON.
    package func state() async throws -> [String: Any] {
        let (data, _) = try await URLSession.shared.data(from: baseURL.appendingPathComponent("_emulator/state"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "emulator state is not a JSON object")
        }
        return object
    }

    /// How many answers of each HTTP status the emulator gave (Graph and token calls).
    package func requestCounts() async throws -> [String: Int] {
        let requests = try await state()["requests"] as? [String: Any] ?? [:]
        return requests.compactMapValues { ($0 as? NSNumber)?.intValue }
    }

    /// Waits until `count` Graph requests (of `method`, or any) have arrived — counted on receipt, before latency
    /// or faults — and returns how many had; throws when that has not happened within `timeout` seconds.
    @discardableResult
    package func waitUntil(arrived count: Int, method: String? = nil, timeout: Double = 120) async throws -> Int {
        try await signal(nil, to: nil, whenArrived: count, method: method, timeout: timeout)
    }

    /// Sends `signal` to `process` the moment `count` Graph requests (of `method`, or any) have arrived, and returns
    /// how many had. The wait and the signal happen on a thread of their own, not on the cooperative pool, which
    /// other tests may hold for seconds while this run goes on.
    @discardableResult
    package func signal(
        _ signal: Int32?, to process: RunningProcess?, whenArrived count: Int, method: String? = nil,
        timeout: Double = 120
    ) async throws -> Int {
        var query = [URLQueryItem(name: "arrived", value: "\(count)")]
        if let method { query.append(URLQueryItem(name: "method", value: method)) }
        let url = waitURL(query, timeout: timeout)
        return try await onWorkerThread {
            let reached = try Self.blockingWait(url, timeout: timeout, counter: "arrived", watching: process)
            if let signal, let process { process.signal(signal) }
            return reached
        }
    }

    /// Waits until the emulator has sent `count` answers with HTTP `status`; returns how many it had.
    @discardableResult
    package func waitUntil(answered count: Int, status: Int, timeout: Double = 120) async throws -> Int {
        let url = waitURL(
            [URLQueryItem(name: "answered", value: "\(count)"), URLQueryItem(name: "status", value: "\(status)")],
            timeout: timeout)
        return try await onWorkerThread { try Self.blockingWait(url, timeout: timeout, counter: "answered") }
    }

    /// How many Graph requests (of `method`, or any) have arrived so far.
    package func arrived(method: String? = nil) async throws -> Int {
        try await waitUntil(arrived: 0, method: method)
    }

    private func waitURL(_ query: [URLQueryItem], timeout: Double) -> URL {
        var components = URLComponents(
            url: baseURL.appendingPathComponent("_emulator/wait"), resolvingAgainstBaseURL: false)!
        components.queryItems = query + [URLQueryItem(name: "timeout", value: "\(timeout)")]
        return components.url!
    }

    /// `GET /_emulator/wait?…` on the calling thread (never the cooperative pool: see
    /// ``signal(_:to:whenArrived:method:timeout:)``); gives up as soon as `process`, if given, exits first.
    private static func blockingWait(
        _ url: URL, timeout: Double, counter: String, watching process: RunningProcess? = nil
    ) throws -> Int {
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout + 30
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?, (any Error)?)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            result = (data, response, error)
            done.signal()
        }
        task.resume()
        process?.whenExited { task.cancel() }
        done.wait()
        if let process, process.hasExited, result.1 == nil {
            let (stdout, stderr) = process.outputSoFar
            throw Failure(description: "the process exited before \(url.query ?? ""): \(stdout) \(stderr)")
        }
        if let error = result.2 { throw error }
        let status = (result.1 as? HTTPURLResponse)?.statusCode ?? 0
        let data = result.0 ?? Data()
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let reached = (object[counter] as? NSNumber)?.intValue
        else {
            throw Failure(
                description: "emulator \(url.query ?? "") answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return reached
    }

    /// The recorded photo state of the user `upn`: uploads, sha256, bytes, width, height.
    package func user(_ upn: String) async throws -> [String: Any] {
        let users = try await state()["users"] as? [String: Any] ?? [:]
        return users[upn] as? [String: Any] ?? [:]
    }

    /// `POST /_emulator/reset`.
    package func reset() async throws {
        try await post("_emulator/reset", [:])
    }

    /// Approves (or declines) the device code `userCode` for `user`.
    package func approveDeviceCode(_ userCode: String, as user: String, deny: Bool = false) async throws {
        var body: [String: Any] = ["user_code": userCode, "user": user]
        if deny { body["deny"] = true }
        try await post("_emulator/devicecode/approve", body)
    }

    private func post(_ path: String, _ body: [String: Any]) async throws {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw Failure(description: "POST \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
    }
}

extension Emulator {
    /// An app-only access token for the demo app (or `clientID`/`secret`), fetched with client credentials.
    package func appToken(clientID: String? = nil, secret: String? = nil) async throws -> String {
        var request = URLRequest(url: baseURL.appendingPathComponent("\(tenantID)/oauth2/v2.0/token"))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let fields = [
            "grant_type": "client_credentials", "client_id": clientID ?? self.clientID,
            "client_secret": secret ?? clientSecret, "scope": "https://graph.microsoft.com/.default",
        ]
        request.httpBody = Data(fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&").utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let token = object["access_token"] as? String
        else { throw Failure(description: "no token: \(String(decoding: data, as: UTF8.self))") }
        return token
    }
}

/// A stand-in managed identity endpoint (App Service's `IDENTITY_ENDPOINT` at `/msi/token` and IMDS at
/// `/metadata/identity/oauth2/token`) serving a fixed token, in a Python standard-library child process.
/// It answers 400 unless the request carries the right `X-IDENTITY-HEADER` or `Metadata: true`, api-version and
/// resource, so a passing test proves photoprov sent them.
package final class IdentityStub: Sendable {
    package let baseURL: URL
    package let header: String
    private let process: RunningProcess

    private static let script = """
        import http.server, json, sys, time, urllib.parse
        token, header = sys.argv[1], sys.argv[2]
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *a): pass
            def do_GET(self):
                u = urllib.parse.urlparse(self.path); q = urllib.parse.parse_qs(u.query)
                ok = q.get("resource") == ["https://graph.microsoft.com"]
                if u.path == "/msi/token":
                    ok = ok and self.headers.get("X-IDENTITY-HEADER") == header and q.get("api-version") == ["2019-08-01"]
                elif u.path == "/metadata/identity/oauth2/token":
                    ok = ok and self.headers.get("Metadata") == "true" and q.get("api-version") == ["2018-02-01"]
                else:
                    ok = False
                if ok:
                    body = {"access_token": token, "expires_on": str(int(time.time()) + 3600),
                            "resource": "https://graph.microsoft.com", "token_type": "Bearer"}
                    self.send_response(200)
                else:
                    body = {"error": "invalid_request", "error_description": "bad managed identity request"}
                    self.send_response(400)
                data = json.dumps(body).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """

    /// Starts the stub serving `token`, expecting `header` as the identity header; returns once it listens.
    package static func start(token: String, header: String = "identity-header-\(UUID().uuidString)") async throws
        -> IdentityStub
    {
        let process = try RunningProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, token, header])
        guard await process.output(where: { stdout, _ in stdout.contains("\n") }),
            let port = Int(process.outputSoFar.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.signal(SIGKILL)
            throw Emulator.Failure(description: "managed identity stub did not start: \(process.outputSoFar.stderr)")
        }
        return IdentityStub(baseURL: URL(string: "http://127.0.0.1:\(port)")!, header: header, process: process)
    }

    private init(baseURL: URL, header: String, process: RunningProcess) {
        self.baseURL = baseURL
        self.header = header
        self.process = process
    }

    deinit { process.signal(SIGKILL) }
}
