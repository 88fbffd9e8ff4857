import Foundation
import PhotoGraph

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A `scripts/graph-emulator` child process on 127.0.0.1 with a free port, killed when released.
///
/// Start one per test (`let emulator = try await Emulator.start(["--fault-rate", "1"])`): each gets its own port,
/// state and counters, so tests stay independent when Swift Testing runs them in parallel. A missing emulator or
/// Python fails the test with the reason; nothing is skipped. With `tls: true` it serves https with a throwaway CA
/// (``caFile``), and this harness talks to it through photoprov's own transport, trusting that CA.
package final class Emulator: Sendable {
    /// The base URL serving both Entra ID and Graph, e.g. `http://127.0.0.1:41234` (`https://` with TLS).
    package let baseURL: URL
    /// With TLS, the CA certificate (PEM) that signed the emulator's server certificate: the banner's SSL_CERT_FILE.
    package let caFile: String?
    /// The `X-IDENTITY-HEADER` value its App Service managed-identity endpoint expects (`--identity-header`).
    package let identityHeader: String
    /// The seed's managed identities (scripts/emulator/seed.py, the demo tenant): system- and user-assigned.
    package static let systemAssignedIdentity = "5a0c3e1f-7b2d-4c9a-8e6f-1d2c3b4a5f60"
    package static let userAssignedIdentity = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
    /// The demo app's tenant, client id and secret, from the emulator's stdout.
    package let tenantID: String
    package let clientID: String
    package let clientSecret: String
    /// A temporary folder for the seed and anything a test wants to write; removed on stop.
    package let directory: URL
    private let process: RunningProcess
    /// With TLS, the harness's own requests go through photoprov's transport (URLSession on Linux cannot be told
    /// to trust the CA).
    private let tlsTransport: HTTPTransport?

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

    /// Starts the emulator with `arguments` (plus `--port 0 --quiet`, a fresh identity header, and `--tls` when
    /// `tls`) and, if given, `seed` written as its JSON seed; returns once it has printed its header (base URL,
    /// the AZURE_* lines, with TLS the SSL_CERT_FILE line, a blank line).
    package static func start(_ arguments: [String] = [], seed: Any? = nil, tls: Bool = false) async throws
        -> Emulator
    {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("photoprov-emulator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let identityHeader = "identity-header-\(UUID().uuidString)"
        // The CA and server keys go in the test's folder, which stop() removes (SIGKILL leaves the emulator no
        // chance to remove its own).
        let tlsArguments = tls ? ["--tls", "--tls-dir", directory.appendingPathComponent("tls").path] : []
        var arguments = ["--port", "0", "--quiet", "--identity-header", identityHeader] + tlsArguments + arguments
        if let seed {
            let seedURL = directory.appendingPathComponent("seed.json")
            try JSONSerialization.data(withJSONObject: seed, options: [.prettyPrinted]).write(to: seedURL)
            arguments += ["--seed", seedURL.path]
        }
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            throw Failure(description: "graph emulator not found at \(script.path) (set PHOTOPROV_EMULATOR)")
        }
        // The emulator's own temporary folder (its store, its CA without --tls-dir) goes in the test's folder too.
        let process = try RunningProcess(script, arguments, environment: ["TMPDIR": directory.path])
        if await process.output(where: { stdout, _ in stdout.contains("\n\n") }) {
            let lines = process.outputSoFar.stdout.components(separatedBy: "\n")
            var values: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            if let base = URL(string: lines[0]), let tenant = values["AZURE_TENANT_ID"],
                let client = values["AZURE_CLIENT_ID"], let secret = values["AZURE_CLIENT_SECRET"],
                !tls || values["SSL_CERT_FILE"] != nil
            {
                return Emulator(
                    baseURL: base, tenantID: tenant, clientID: client, clientSecret: secret, directory: directory,
                    caFile: values["SSL_CERT_FILE"], identityHeader: identityHeader, process: process)
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
        baseURL: URL, tenantID: String, clientID: String, clientSecret: String, directory: URL, caFile: String?,
        identityHeader: String, process: RunningProcess
    ) {
        self.baseURL = baseURL
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.directory = directory
        self.caFile = caFile
        self.identityHeader = identityHeader
        self.process = process
        tlsTransport = caFile.map { HTTPTransport(timeout: 60, maxConnections: 4, trace: nil, caFile: $0) }
    }

    deinit { stop() }

    /// Kills the emulator and removes its folder; safe to call twice. No test needs a clean shutdown, and SIGKILL
    /// cannot be held up by keep-alive connections this test process still has open.
    package func stop() {
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    /// The environment a child photoprov needs to use this emulator with the demo app's secret (and, with TLS,
    /// SSL_CERT_FILE naming its CA).
    package var environment: [String: String] {
        var environment = [
            "PHOTOPROV_GRAPH_URL": baseURL.absoluteString, "PHOTOPROV_AUTHORITY_URL": baseURL.absoluteString,
            "AZURE_TENANT_ID": tenantID, "AZURE_CLIENT_ID": clientID, "AZURE_CLIENT_SECRET": clientSecret,
        ]
        if let caFile { environment["SSL_CERT_FILE"] = caFile }
        return environment
    }

    /// The variables App Service sets for a managed identity, naming this emulator's endpoint.
    package var appServiceIdentityEnvironment: [String: String] {
        [
            "IDENTITY_ENDPOINT": baseURL.appendingPathComponent("msi/token").absoluteString,
            "IDENTITY_HEADER": identityHeader,
        ]
    }

    /// One request of the harness's own: through photoprov's transport with TLS, else URLSession.
    private func fetch(_ request: URLRequest) async throws -> (data: Data, status: Int) {
        if let tlsTransport {
            let response = try await tlsTransport.send(request)
            return (response.body, response.status)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    /// `GET /_emulator/state` as JSON.
    package func state() async throws -> [String: Any] {
        let (data, _) = try await fetch(URLRequest(url: baseURL.appendingPathComponent("_emulator/state")))
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
        try requirePlainHTTP()
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
        try requirePlainHTTP()
        return try await onWorkerThread { try Self.blockingWait(url, timeout: timeout, counter: "answered") }
    }

    /// The blocking waits use URLSession, which cannot trust the TLS emulator's CA on Linux.
    private func requirePlainHTTP() throws {
        guard caFile == nil else { throw Failure(description: "the emulator's wait helpers need plain http") }
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
        let (data, status) = try await fetch(request)
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
        request.httpBody = Data(
            fields.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                .joined(separator: "&").utf8)
        let (data, _) = try await fetch(request)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let token = object["access_token"] as? String
        else { throw Failure(description: "no token: \(String(decoding: data, as: UTF8.self))") }
        return token
    }
}
