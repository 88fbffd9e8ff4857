import Foundation
import PhotoProvisioning
import TestSupport

/// Records every sleep the Graph client asks for and sleeps only `scale` of it, so retry tests are fast but can
/// assert the exact delays requested. `frozenAt` pins `now()` (to make a cached token look valid after it expired).
final class RecordingClock: GraphClock, @unchecked Sendable {
    // @unchecked Sendable: `recorded` is only touched under `lock`.
    private let lock = NSLock()
    private var recorded: [Double] = []
    let scale: Double
    let frozenAt: Date?

    init(scale: Double = 0, frozenAt: Date? = nil) {
        self.scale = scale
        self.frozenAt = frozenAt
    }

    func now() -> Date { frozenAt ?? Date() }

    func sleep(seconds: Double) async throws {
        lock.withLock { recorded.append(seconds) }
        let real = seconds * scale
        if real > 0 { try await Task.sleep(nanoseconds: UInt64(real * 1_000_000_000)) }
        try Task.checkCancellation()
    }

    /// Every delay requested so far, in order.
    var sleeps: [Double] { lock.withLock { recorded } }
}

/// A clock that moves only when told; sleeps return at once (and are recorded).
final class ManualClock: GraphClock, @unchecked Sendable {
    // @unchecked Sendable: `current` and `recorded` are only touched under `lock`.
    private let lock = NSLock()
    private var current = Date()
    private var recorded: [Double] = []

    func now() -> Date { lock.withLock { current } }
    func sleep(seconds: Double) async throws { lock.withLock { recorded.append(seconds) } }
    func advance(_ seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    func set(_ date: Date) { lock.withLock { current = date } }
    var sleeps: [Double] { lock.withLock { recorded } }
}

/// Collects `--debug` trace lines and notices, and lets a test wait for a line as an event.
final class LineSink: @unchecked Sendable {
    // @unchecked Sendable: `collected` and `waiters` are only touched under `lock`.
    private let lock = NSLock()
    private var collected: [String] = []
    private var waiters: [(pattern: String, continuation: CheckedContinuation<String, Never>)] = []

    var handler: @Sendable (String) -> Void { { line in self.append(line) } }
    var lines: [String] { lock.withLock { collected } }
    var text: String { lines.joined(separator: "\n") }

    private func append(_ line: String) {
        let ready: [(String, CheckedContinuation<String, Never>)] = lock.withLock {
            collected.append(line)
            var ready: [(String, CheckedContinuation<String, Never>)] = []
            waiters.removeAll { waiter in
                guard let match = Self.match(waiter.pattern, in: line) else { return false }
                ready.append((match, waiter.continuation))
                return true
            }
            return ready
        }
        for (match, continuation) in ready { continuation.resume(returning: match) }
    }

    /// Waits for the first line (already collected or still to come) with a match for the regular expression
    /// `pattern`, and returns the matched text.
    func firstMatch(_ pattern: String) async -> String {
        await withCheckedContinuation { continuation in
            let found: String? = lock.withLock {
                if let match = collected.lazy.compactMap({ Self.match(pattern, in: $0) }).first { return match }
                waiters.append((pattern, continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }

    private static func match(_ pattern: String, in line: String) -> String? {
        line.range(of: pattern, options: .regularExpression).map { String(line[$0]) }
    }
}

/// A tenant for the emulator's `--seed` with every case the Graph tests need.
enum TestTenant {
    static let tenantID = "11111111-2222-4333-8444-555555555555"
    static let domain = "fabrikam.example"
    /// Full permissions, secret, certificate and federated credential.
    static let fullApp = "aaaaaaaa-0000-4000-8000-000000000001"
    static let fullSecret = "full-app-secret~value-0123456789"
    /// Only User.Read.All: cannot write photos or read the policy.
    static let readerApp = "aaaaaaaa-0000-4000-8000-000000000002"
    static let readerSecret = "reader-app-secret~value-9876543210"
    /// Only ProfilePhoto.ReadWrite.All: can write photos but neither read the policy nor look users up.
    static let writerApp = "aaaaaaaa-0000-4000-8000-000000000003"
    static let writerSecret = "writer-app-secret~value-5555555555"
    static let federationIssuer = "https://issuer.example"
    static let federationSubject = "system:serviceaccount:photos:photoprov"
    static let federationAudience = "api://AzureADTokenExchange"
    static let federationKey = "federation-test-key-not-secret-in-prod"
    static let groupID = "99999999-0000-4000-8000-000000000001"
    static let teamID = "99999999-0000-4000-8000-000000000002"

    static func upn(_ name: String) -> String { "\(name)@\(domain)" }

    /// The seed JSON; `certificatePEM` registers a certificate on the full app.
    static func seed(certificatePEM: String? = nil, policy: [String: Any]? = nil) -> [String: Any] {
        var full: [String: Any] = [
            "clientId": fullApp, "displayName": "photoprov full", "secrets": [fullSecret],
            "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"],
            "delegatedPermissions": [
                "User.Read", "ProfilePhoto.ReadWrite.All", "User.Read.All",
                "PeopleSettings.ReadWrite.All",
            ],
            "publicClient": true,
            "federatedCredentials": [
                [
                    "issuer": federationIssuer, "subject": federationSubject, "audiences": [federationAudience],
                    "key": federationKey,
                ]
            ],
        ]
        if let certificatePEM { full["certificates"] = [certificatePEM] }
        let reader: [String: Any] = [
            "clientId": readerApp, "displayName": "photoprov reader", "secrets": [readerSecret],
            "roles": ["User.Read.All"], "delegatedPermissions": ["User.Read"],
        ]
        let writer: [String: Any] = [
            "clientId": writerApp, "displayName": "photoprov writer", "secrets": [writerSecret],
            "roles": ["ProfilePhoto.ReadWrite.All"],
        ]
        func user(_ name: String, _ extra: [String: Any] = [:]) -> [String: Any] {
            ["userPrincipalName": upn(name), "mail": upn(name), "displayName": name].merging(extra) { _, new in new }
        }
        var tenant: [String: Any] = [
            "id": tenantID, "domain": domain, "apps": [full, reader, writer],
            "users": [
                user("ada", ["employeeId": "E1"]), user("bob", ["employeeId": "E2"]),
                user("carol", ["employeeId": "E9"]), user("dave", ["employeeId": "E9"]),
                user("nomail", ["hasMailbox": false]), user("disabled", ["accountEnabled": false]),
                user("o'brien"), user("people.admin", ["directoryRoles": ["PeopleAdministrator"]]),
                user("global.admin", ["directoryRoles": ["GlobalAdministrator"]]),
                user("user.admin", ["directoryRoles": ["UserAdministrator"]]), user("plain"),
            ],
            "groups": [["id": groupID, "displayName": "All Staff"]],
            "teams": [["id": teamID, "displayName": "Photo Team"]],
        ]
        if let policy { tenant["policy"] = policy }
        return ["tenants": [tenant]]
    }
}

extension Emulator {
    /// Settings for this emulator: `credential` (default the demo app's secret), fast retries, a recording clock.
    /// Settings signing in as `app` with `secret` (an app of ``TestTenant``).
    func settings(app: String, secret: String, clock: any GraphClock = RecordingClock()) throws -> GraphSettings {
        try settings(.clientSecret(Secret(secret)), clientID: app, clock: clock)
    }

    func settings(
        _ credential: GraphSettings.Credential? = nil, clientID: String? = nil,
        clock: any GraphClock = RecordingClock(),
        configure: (inout GraphSettings) -> Void = { _ in }
    ) throws -> GraphSettings {
        var settings = try GraphSettings(
            credential: credential ?? .clientSecret(Secret(clientSecret)), tenantID: tenantID,
            clientID: clientID ?? self.clientID, graphURL: baseURL, authorityURL: baseURL)
        settings.clock = clock
        settings.requestTimeout = 10
        configure(&settings)
        return settings
    }
}

/// Byte strings the emulator reads as images: it inspects only the JPEG frame header (SOF0) for the size.
enum TestImage {
    /// A JPEG start, a SOF0 frame header of `width`×`height`, filler, and an end marker.
    static func jpeg(width: Int, height: Int, bytes: Int = 2_000) -> Data {
        var data: [UInt8] = [0xFF, 0xD8]
        data += [
            0xFF, 0xC0, 0x00, 0x11, 0x08, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8),
            UInt8(width & 0xFF), 0x03,
        ]
        data += [0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]
        let filler = max(0, bytes - data.count - 2)
        data += [UInt8](repeating: 0x00, count: filler)
        data += [0xFF, 0xD9]
        return Data(data)
    }
}

/// Runs a command line tool and returns its standard output (for `openssl` in tests).
enum Shell {
    struct Failure: Error, CustomStringConvertible { let description: String }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) async throws -> Data {
        try await ChildProcess.tool(executable, arguments, input: input)
    }

    /// A throwaway self-signed RSA certificate and key in `directory`: (combined PEM path, certificate PEM, key path).
    static func makeCertificate(in directory: URL, name: String = "app") async throws -> (
        combined: String, certificate: String, key: String
    ) {
        let made = try await TestCertificate.make(in: directory, name: name)
        return (made.combined, made.certificate, made.keyPath)
    }

    /// An HS256 JWT (the emulator's federated credential format) signed with `key` through `openssl dgst -hmac`.
    static func hs256JWT(claims: [String: Any], key: String) async throws -> String {
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = b64(try JSONSerialization.data(withJSONObject: ["alg": "HS256", "typ": "JWT"]))
        let payload = b64(try JSONSerialization.data(withJSONObject: claims))
        let input = header + "." + payload
        let signature = try await run("openssl", ["dgst", "-sha256", "-hmac", key, "-binary"], input: Data(input.utf8))
        return input + "." + b64(signature)
    }
}

extension GraphClient {
    /// Uploads `count` small photos at once to the emulator's demo users, taken in turn, and returns every outcome.
    func putPhotosAtOnce(_ count: Int, users: [String]) async -> [GraphOutcome] {
        await withTaskGroup(of: GraphOutcome.self) { group in
            for index in 0..<count {
                group.addTask {
                    await self.putPhoto(
                        .user("\(users[index % users.count])@contoso.example"),
                        jpeg: TestImage.jpeg(width: 64, height: 64))
                }
            }
            var all: [GraphOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
    }
}
