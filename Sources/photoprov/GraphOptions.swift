import Foundation
import PhotoProvisioning

extension Command {
    /// The sign-in and request options every command that talks to Graph shares (`policy`, `upload`, dry runs).
    static let graphOptions: [Arguments.Option] = [
        .value(
            "auth", "MODE",
            "sign-in mode: secret, certificate, federated, managed-identity, token, token-command "
                + "or device-code (default: picked from the flags and environment given)"),
        .value("tenant", "ID", "directory (tenant) id or domain (env AZURE_TENANT_ID)"),
        .value("client-id", "ID", "application (client) id (env AZURE_CLIENT_ID)"),
        .value(
            "client-secret-file", "FILE", "file holding the client secret (env AZURE_CLIENT_SECRET holds the value)"),
        .value("certificate", "FILE", "PEM certificate and private key (env AZURE_CLIENT_CERTIFICATE_PATH)"),
        .value("certificate-key", "FILE", "PEM private key, when it is not in the --certificate file"),
        .value("federated-token-file", "FILE", "workload identity token file (env AZURE_FEDERATED_TOKEN_FILE)"),
        .value("token-command", "CMD", "shell command printing an access token, run again to renew"),
        .flag("device-code", "sign in as an admin with a device code (delegated; same as --auth device-code)"),
        .value("cloud", "NAME", "global, usgov, usgov-dod or china (default global)"),
        .value("graph-url", "URL", "Graph endpoint, e.g. an emulator (env PHOTOPROV_GRAPH_URL)"),
        .value("authority-url", "URL", "Entra ID endpoint (env PHOTOPROV_AUTHORITY_URL, AZURE_AUTHORITY_HOST)"),
        .value("concurrency", "N", "requests in flight at most (default 8; halves under throttling, then climbs back)"),
        .value("max-attempts", "N", "HTTP attempts per item, first included (default 6)"),
        .value("item-deadline", "SECONDS", "no retry starts this long after an item's first attempt (default 300)"),
        .value("request-timeout", "SECONDS", "an HTTP exchange taking longer is abandoned and retried (default 60)"),
        .flag("debug", "trace every HTTP call on stderr (Authorization and secrets redacted)"),
    ]

    /// The sign-in modes `--auth` accepts.
    static let authModes = [
        "secret", "certificate", "federated", "managed-identity", "token", "token-command", "device-code",
    ]

    /// Resolves ``graphOptions`` and the Azure SDK environment variables into settings; flags win over variables.
    ///
    /// - Throws: `UsageError` for malformed values, `GraphError` (`.signIn`) when no credential is configured and
    ///   (`.configuration`) for plain http to a non-loopback host or an unreadable secret file.
    static func graphSettings(
        from arguments: Arguments, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> GraphSettings {
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                return nil
            }
            return value
        }
        let notice: @Sendable (String) -> Void = { Terminal.note($0) }
        let cloudName = try arguments.choice("cloud", GraphSettings.Cloud.allCases.map(\.rawValue), default: "global")
        let cloud = GraphSettings.Cloud(rawValue: cloudName)!
        let graphURL = try url(arguments.value("graph-url") ?? env("PHOTOPROV_GRAPH_URL"), flag: "graph-url")
        let authorityURL = try url(
            arguments.value("authority-url") ?? env("PHOTOPROV_AUTHORITY_URL") ?? env("AZURE_AUTHORITY_HOST"),
            flag: "authority-url")
        let tenant = arguments.value("tenant") ?? env("AZURE_TENANT_ID")
        let clientID = arguments.value("client-id") ?? env("AZURE_CLIENT_ID")

        let mode: String
        if arguments.value("auth") != nil {
            mode = try arguments.choice("auth", authModes, default: "secret")
        } else if arguments.value("token-command") != nil {
            mode = "token-command"
        } else if arguments.has("device-code") {
            mode = "device-code"
        } else if arguments.value("client-secret-file") != nil {
            mode = "secret"
        } else if arguments.value("certificate") != nil {
            mode = "certificate"
        } else if arguments.value("federated-token-file") != nil {
            mode = "federated"
        } else if env("PHOTOPROV_ACCESS_TOKEN") != nil {
            mode = "token"
        } else if env("AZURE_CLIENT_SECRET") != nil {
            mode = "secret"
        } else if env("AZURE_CLIENT_CERTIFICATE_PATH") != nil {
            mode = "certificate"
        } else if env("AZURE_FEDERATED_TOKEN_FILE") != nil {
            mode = "federated"
        } else if env("IDENTITY_ENDPOINT") != nil {
            mode = "managed-identity"
        } else {
            throw GraphError(
                .signIn,
                "sign-in failed: no credentials — fix: set AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                    + "AZURE_CLIENT_SECRET (or --client-secret-file, --certificate, --federated-token-file), use "
                    + "--device-code to sign in as an admin, or see 'Sign-in' in the README")
        }

        let credential: GraphSettings.Credential
        switch mode {
        case "secret":
            if let path = arguments.value("client-secret-file") {
                let secret = try SecretFile.text(path, what: "client secret file", warn: notice)
                guard !secret.isEmpty else { throw UsageError("--client-secret-file \(path) is empty") }
                credential = .clientSecret(Secret(secret))
            } else if let secret = env("AZURE_CLIENT_SECRET") {
                credential = .clientSecret(Secret(secret))
            } else {
                throw UsageError("--auth secret needs AZURE_CLIENT_SECRET or --client-secret-file FILE")
            }
        case "certificate":
            guard let path = arguments.value("certificate") ?? env("AZURE_CLIENT_CERTIFICATE_PATH") else {
                throw UsageError("--auth certificate needs --certificate FILE or AZURE_CLIENT_CERTIFICATE_PATH")
            }
            credential = .certificate(
                certificatePath: path, keyPath: arguments.value("certificate-key"),
                password: env("AZURE_CLIENT_CERTIFICATE_PASSWORD").map(Secret.init))
        case "federated":
            guard let path = arguments.value("federated-token-file") ?? env("AZURE_FEDERATED_TOKEN_FILE") else {
                throw UsageError("--auth federated needs --federated-token-file FILE or AZURE_FEDERATED_TOKEN_FILE")
            }
            credential = .federatedTokenFile(path)
        case "managed-identity":
            credential = .managedIdentity
        case "token":
            guard let token = env("PHOTOPROV_ACCESS_TOKEN") else {
                throw UsageError("--auth token needs the access token in PHOTOPROV_ACCESS_TOKEN")
            }
            credential = .accessToken(Secret(token))
        case "token-command":
            guard let command = arguments.value("token-command") else {
                throw UsageError("--auth token-command needs --token-command CMD")
            }
            credential = .tokenCommand(command)
        default:
            credential = .deviceCode
        }

        var settings = try GraphSettings(
            credential: credential, tenantID: tenant, clientID: clientID, cloud: cloud, graphURL: graphURL,
            authorityURL: authorityURL)
        if let endpoint = env("IDENTITY_ENDPOINT"), let header = env("IDENTITY_HEADER") {
            guard let endpointURL = URL(string: endpoint) else {
                throw UsageError("IDENTITY_ENDPOINT is not a URL: '\(endpoint)'")
            }
            settings.identityEndpoint = (endpointURL, Secret(header))
        }
        if let caFile = env("SSL_CERT_FILE") {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw UsageError("SSL_CERT_FILE names '\(caFile)', which is not a readable file")
            }
            settings.caFile = caFile
        }
        if let host = env("AZURE_POD_IDENTITY_AUTHORITY_HOST"), let base = URL(string: host) {
            settings.imdsURL = base.appendingPathComponent("metadata/identity/oauth2/token")
        }
        settings.concurrency = try arguments.integer("concurrency", default: settings.concurrency, in: 1...256)
        settings.maxAttempts = try arguments.integer("max-attempts", default: settings.maxAttempts, in: 1...50)
        settings.itemDeadline = try seconds(arguments, "item-deadline", default: settings.itemDeadline)
        settings.requestTimeout = try seconds(arguments, "request-timeout", default: settings.requestTimeout)
        settings.notice = notice
        if arguments.has("debug") {
            settings.trace = { Terminal.note("debug: " + $0) }
        }
        return settings
    }

    private static func url(_ text: String?, flag: String) throws(UsageError) -> URL? {
        guard let text else { return nil }
        guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
            throw UsageError("--\(flag) must be an absolute URL such as https://graph.microsoft.com, not '\(text)'")
        }
        return url
    }

    private static func seconds(_ arguments: Arguments, _ name: String, default value: Double) throws(UsageError)
        -> Double
    {
        guard let text = arguments.value(name) else { return value }
        guard let number = Double(text), number > 0, number <= 86_400 else {
            throw UsageError("--\(name) must be a number of seconds from 0.1 to 86400, not '\(text)'")
        }
        return number
    }
}
