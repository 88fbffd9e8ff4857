import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `scripts/graph-emulator` child process on 127.0.0.1 with a free port, stopped when released.
///
/// Start one per test (`let emulator = try Emulator.start(["--fault-rate", "1"])`): each gets its own port, state
/// and counters, so tests stay independent when Swift Testing runs them in parallel. A missing emulator or Python
/// fails the test with the reason; nothing is skipped.
package final class Emulator: @unchecked Sendable {
    // @unchecked Sendable: every stored property is immutable after start; Process is only terminated once, in stop().

    /// The base URL serving both Entra ID and Graph, e.g. `http://127.0.0.1:41234`.
    package let baseURL: URL
    /// The demo app's tenant, client id and secret, from the emulator's stdout.
    package let tenantID: String
    package let clientID: String
    package let clientSecret: String
    /// A temporary folder for the seed, logs and anything a test wants to write; removed on stop.
    package let directory: URL
    private let process: Process

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

    /// Starts the emulator with `arguments` (plus `--port 0 --quiet`) and, if given, `seed` written as its JSON seed.
    package static func start(_ arguments: [String] = [], seed: Any? = nil) throws -> Emulator {
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
        let outURL = directory.appendingPathComponent("stdout.txt")
        let errURL = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = script
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The header ends with a blank line: base URL, three AZURE_* lines, "".
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            if text.contains("\n\n") {
                let lines = text.components(separatedBy: "\n")
                var values: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let equals = line.firstIndex(of: "=") else { continue }
                    values[String(line[..<equals])] = String(line[line.index(after: equals)...])
                }
                guard let base = URL(string: lines[0]), let tenant = values["AZURE_TENANT_ID"],
                    let client = values["AZURE_CLIENT_ID"], let secret = values["AZURE_CLIENT_SECRET"]
                else { break }
                return Emulator(
                    baseURL: base, tenantID: tenant, clientID: client, clientSecret: secret, directory: directory,
                    process: process)
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        throw Failure(description: "graph emulator did not start (\(arguments.joined(separator: " "))): \(stderr)")
    }

    private init(baseURL: URL, tenantID: String, clientID: String, clientSecret: String, directory: URL, process: Process) {
        self.baseURL = baseURL
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.directory = directory
        self.process = process
    }

    deinit { stop() }

    /// Stops the emulator (SIGTERM, then SIGKILL after 3 s) and removes its folder; safe to call twice.
    package func stop() {
        Self.stop(process)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGTERM, and SIGKILL if the child is still running 3 s later (a server waiting on idle keep-alive
    /// connections may not finish its shutdown while this test process holds them open).
    package static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
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
package final class IdentityStub: @unchecked Sendable {
    // @unchecked Sendable: immutable after start; the process is terminated once.
    package let baseURL: URL
    package let header: String
    private let process: Process

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

    /// Starts the stub serving `token`, expecting `header` as the identity header.
    package init(token: String, header: String = "identity-header-\(UUID().uuidString)") throws {
        self.header = header
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, token, header]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw Emulator.Failure(description: "managed identity stub did not start")
        }
        self.process = process
        self.baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    deinit { Emulator.stop(process) }
}
