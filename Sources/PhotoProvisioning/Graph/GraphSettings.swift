import Foundation

/// A secret value (client secret, access token) that never prints: `description`, `debugDescription` and the
/// mirror all say `[redacted]`.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The value itself; read it only to put it on the wire.
    public let value: String
    /// Wraps `value`.
    public init(_ value: String) { self.value = value }
    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Everything the Graph client needs: where Graph and Entra ID are, who signs in and how, and how politely to ask.
///
/// Resolved once from flags and environment variables by the executable; a value type safe to share.
public struct GraphSettings: Sendable {
    /// A national cloud: picks the Graph and login hosts.
    public enum Cloud: String, Sendable, CaseIterable {
        case global
        case usgov
        case usgovDoD = "usgov-dod"
        case china

        /// The Microsoft Graph endpoint of this cloud.
        public var graphURL: URL {
            switch self {
            case .global: URL(string: "https://graph.microsoft.com")!
            case .usgov: URL(string: "https://graph.microsoft.us")!
            case .usgovDoD: URL(string: "https://dod-graph.microsoft.us")!
            case .china: URL(string: "https://microsoftgraph.chinacloudapi.cn")!
            }
        }

        /// The Entra ID (login) endpoint of this cloud.
        public var authorityURL: URL {
            switch self {
            case .global: URL(string: "https://login.microsoftonline.com")!
            case .usgov, .usgovDoD: URL(string: "https://login.microsoftonline.us")!
            case .china: URL(string: "https://login.chinacloudapi.cn")!
            }
        }
    }

    /// How photoprov obtains its access token.
    public enum Credential: Sendable, CustomStringConvertible {
        /// App-only with a client secret (`AZURE_CLIENT_SECRET` or `--client-secret-file`).
        case clientSecret(Secret)
        /// App-only with a certificate: a PEM file holding the certificate and (unless `keyPath` is given) the key.
        case certificate(certificatePath: String, keyPath: String?, password: Secret?)
        /// App-only with a federated token read from a file on every sign-in (workload identity).
        case federatedTokenFile(String)
        /// Managed identity through `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` or the instance metadata service.
        case managedIdentity
        /// A token obtained elsewhere (`PHOTOPROV_ACCESS_TOKEN`); cannot be renewed.
        case accessToken(Secret)
        /// A shell command whose standard output is an access token; run again to renew.
        case tokenCommand(String)
        /// Delegated sign-in of an admin with the device-code flow.
        case deviceCode

        /// The sign-in mode's name as the `--auth` flag spells it.
        public var mode: String {
            switch self {
            case .clientSecret: "secret"
            case .certificate: "certificate"
            case .federatedTokenFile: "federated"
            case .managedIdentity: "managed-identity"
            case .accessToken: "token"
            case .tokenCommand: "token-command"
            case .deviceCode: "device-code"
            }
        }

        public var description: String { mode }
    }

    /// The well-known public client id of Microsoft Graph Command Line Tools, used for device-code sign-in when
    /// no `--client-id` is given.
    public static let graphCommandLineToolsClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

    /// Graph's base URL (no version), e.g. `https://graph.microsoft.com` or the emulator's `http://127.0.0.1:PORT`.
    public var graphURL: URL
    /// Entra ID's base URL, e.g. `https://login.microsoftonline.com`.
    public var authorityURL: URL
    /// The resource tokens are requested for (scope `<resource>/.default`); the cloud's Graph host.
    public var resource: String
    /// The directory (tenant) id or domain; `organizations` for device code when absent.
    public var tenantID: String?
    /// The application (client) id; for managed identity, a user-assigned identity's client id.
    public var clientID: String?
    /// How to sign in.
    public var credential: Credential
    /// Delegated permissions requested by device-code sign-in (without the resource prefix).
    public var delegatedScopes: [String] = ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.Read.All"]
    /// `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` (App Service, Functions, Container Apps), when set.
    public var identityEndpoint: (url: URL, header: Secret)?
    /// The instance metadata service's token endpoint (managed identity on VMs).
    public var imdsURL = URL(string: "http://169.254.169.254/metadata/identity/oauth2/token")!
    /// A PEM file of CA certificates trusted instead of the system's for https (`SSL_CERT_FILE`; Linux only).
    public var caFile: String?
    /// Most requests in flight at once; the adaptive limit never climbs above it.
    public var concurrency = 8
    /// Most HTTP attempts per item, first try included.
    public var maxAttempts = 6
    /// Seconds after an item's first attempt beyond which no retry starts.
    public var itemDeadline: Double = 300
    /// Seconds one HTTP exchange may take before it counts as timed out (and is retried).
    public var requestTimeout: Double = 60
    /// First backoff step in seconds (full jitter: a random wait up to base·2^(n−1)).
    public var backoffBase: Double = 1
    /// Longest backoff wait in seconds.
    public var backoffCap: Double = 60
    /// Picks the full-jitter wait in `0...upper`; `nil` means uniformly at random. Tests make it predictable.
    public var jitter: (@Sendable (Double) -> Double)?
    /// Time and sleeping; tests substitute a recording clock.
    public var clock: any GraphClock = SystemClock()
    /// Receives the `--debug` HTTP trace, one line per call; `Authorization` and all secrets are redacted.
    public var trace: (@Sendable (String) -> Void)?
    /// Receives messages for the person at the keyboard: the device code prompt and warnings.
    public var notice: @Sendable (String) -> Void = { _ in }

    /// Creates settings for `credential` against `cloud`'s hosts, or the given URLs.
    ///
    /// - Throws: `GraphError.configuration` when a URL is plain http to a host that is not a loopback address.
    public init(
        credential: Credential, tenantID: String? = nil, clientID: String? = nil, cloud: Cloud = .global,
        graphURL: URL? = nil, authorityURL: URL? = nil
    ) throws(GraphError) {
        self.credential = credential
        self.tenantID = tenantID
        self.clientID = clientID
        self.graphURL = try Self.checked(graphURL ?? cloud.graphURL, name: "graph URL")
        self.authorityURL = try Self.checked(authorityURL ?? cloud.authorityURL, name: "authority URL")
        self.resource = cloud.graphURL.absoluteString
    }

    /// Accepts https anywhere and http only to loopback addresses; strips a trailing slash.
    static func checked(_ url: URL, name: String) throws(GraphError) -> URL {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else {
            throw GraphError(.configuration, "\(name) '\(url.absoluteString)' is not an absolute http(s) URL")
        }
        switch scheme {
        case "https": break
        case "http":
            guard isLoopback(host) else {
                throw GraphError(
                    .configuration,
                    "\(name) '\(url.absoluteString)' uses plain http to a non-loopback host; use https (http is "
                        + "accepted only for 127.0.0.1, ::1 and localhost)")
            }
        default:
            throw GraphError(.configuration, "\(name) '\(url.absoluteString)' must be an http(s) URL")
        }
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text)!
    }

    /// Whether `host` names this machine: 127.0.0.0/8, ::1 or localhost.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
