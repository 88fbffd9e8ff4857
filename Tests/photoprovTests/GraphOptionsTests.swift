import Foundation
import PhotoProvisioning
import Testing

@testable import photoprov

/// How the sign-in flags and the Azure SDK environment variables become `GraphSettings`, in process: which mode and
/// credential win, flags over variables, defaults, and every bad combination's message.
@Suite struct GraphOptionsTests {
    /// A folder with a client secret file (mode 0600) for `--client-secret-file`, removed when the test ends.
    private final class Files {
        let directory: URL
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-options-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: directory) }

        /// Writes `text` to `name` with mode 0600 and returns its path.
        func secret(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
            return path
        }
    }

    /// Settings from `arguments` (the shared Graph options) and exactly `environment`, nothing inherited.
    private func settings(_ arguments: [String], _ environment: [String: String] = [:]) throws -> GraphSettings {
        try Command.graphSettings(
            from: try Arguments(arguments, options: Command.graphOptions), environment: environment)
    }

    /// The message of the error `settings` throws, with the error's type.
    private func failure(_ arguments: [String], _ environment: [String: String] = [:]) -> (String, String)? {
        do {
            _ = try settings(arguments, environment)
            return nil
        } catch let error as UsageError {
            return ("usage", error.description)
        } catch let error as GraphError {
            return (error.kind.rawValue, error.message)
        } catch {
            return ("other", "\(error)")
        }
    }

    /// Every credential source at once, so each case below shows which one wins.
    private static let everyVariable = [
        "PHOTOPROV_ACCESS_TOKEN": "env-token", "AZURE_CLIENT_SECRET": "env-secret",
        "AZURE_CLIENT_CERTIFICATE_PATH": "/env/cert.pem", "AZURE_FEDERATED_TOKEN_FILE": "/env/federated.jwt",
        "IDENTITY_ENDPOINT": "http://127.0.0.1:9/msi/token", "IDENTITY_HEADER": "env-header",
    ]

    /// One row of the selection order: what is given, what wins.
    struct Selection: Sendable, CustomStringConvertible {
        let flags: [String]
        let dropped: [String]  // variables removed from everyVariable
        let mode: String
        var description: String { "\(flags.joined(separator: " ")) without \(dropped) -> \(mode)" }
    }

    /// README "Sign-in": without --auth, --token-command, --device-code, --client-secret-file, --certificate,
    /// --federated-token-file, then PHOTOPROV_ACCESS_TOKEN, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
    /// AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT; any flag beats every variable.
    static let selectionOrder: [Selection] = {
        let flags = [
            ["--token-command", "print-token"], ["--device-code"], ["--client-secret-file", "SECRET_FILE"],
            ["--certificate", "/flag/cert.pem"], ["--federated-token-file", "/flag/federated.jwt"],
        ]
        let flagModes = ["token-command", "device-code", "secret", "certificate", "federated"]
        let variables = [
            "PHOTOPROV_ACCESS_TOKEN", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
            "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT",
        ]
        let variableModes = ["token", "secret", "certificate", "federated", "managed-identity"]
        var rows: [Selection] = []
        for index in flags.indices {
            rows.append(Selection(flags: flags[index...].flatMap { $0 }, dropped: [], mode: flagModes[index]))
        }
        for index in variables.indices {
            rows.append(Selection(flags: [], dropped: Array(variables[..<index]), mode: variableModes[index]))
        }
        return rows
    }()

    @Test(arguments: selectionOrder)
    func withoutAuthTheFirstCredentialGivenWins(_ row: Selection) throws {
        let files = try Files()
        let secretFile = try files.secret("secret.txt", "file-secret\n")
        var environment = Self.everyVariable
        for name in row.dropped { environment[name] = nil }
        let flags = row.flags.map { $0 == "SECRET_FILE" ? secretFile : $0 }
        #expect(try settings(flags, environment).credential.mode == row.mode)
    }

    @Test func eachCredentialCarriesTheValueOfTheSourceThatWon() throws {
        let files = try Files()
        let secretFile = try files.secret("secret.txt", "  file-secret\n")
        func credential(_ arguments: [String], _ environment: [String: String]) throws -> GraphSettings.Credential {
            try settings(arguments, environment).credential
        }
        guard
            case .clientSecret(let fromFile) = try credential(["--client-secret-file", secretFile], Self.everyVariable)
        else { Issue.record("--client-secret-file is a secret"); return }
        #expect(fromFile.value == "file-secret", "the file's value, trimmed, wins over AZURE_CLIENT_SECRET")
        guard case .clientSecret(let fromVariable) = try credential([], ["AZURE_CLIENT_SECRET": " env-secret "])
        else { Issue.record("AZURE_CLIENT_SECRET is a secret"); return }
        #expect(fromVariable.value == "env-secret")

        guard
            case .certificate(let path, let key, let password) = try credential(
                ["--certificate", "/flag/cert.pem", "--certificate-key", "/flag/key.pem"],
                Self.everyVariable.merging(["AZURE_CLIENT_CERTIFICATE_PASSWORD": "pem-password"]) { $1 })
        else { Issue.record("--certificate is a certificate"); return }
        #expect(path == "/flag/cert.pem", "the flag's path wins over AZURE_CLIENT_CERTIFICATE_PATH")
        #expect(key == "/flag/key.pem")
        #expect(password?.value == "pem-password")
        guard
            case .certificate(let envPath, nil, nil) = try credential(
                ["--auth", "certificate"], ["AZURE_CLIENT_CERTIFICATE_PATH": "/env/cert.pem"])
        else { Issue.record("AZURE_CLIENT_CERTIFICATE_PATH alone is a certificate without key or password"); return }
        #expect(envPath == "/env/cert.pem")

        guard
            case .federatedTokenFile(let federated) = try credential(
                ["--federated-token-file", "/flag/federated.jwt"], Self.everyVariable)
        else { Issue.record("--federated-token-file is federated"); return }
        #expect(federated == "/flag/federated.jwt")
        guard case .accessToken(let token) = try credential([], Self.everyVariable)
        else { Issue.record("PHOTOPROV_ACCESS_TOKEN is a token"); return }
        #expect(token.value == "env-token")
        guard case .tokenCommand(let command) = try credential(["--token-command", "az account get-access-token"], [:])
        else { Issue.record("--token-command is a token command"); return }
        #expect(command == "az account get-access-token")
    }

    @Test func authPicksTheModeWhateverElseIsGiven() throws {
        let files = try Files()
        let secretFile = try files.secret("secret.txt", "file-secret")
        let everything = [
            "--token-command", "x", "--client-secret-file", secretFile, "--certificate", "/c.pem",
            "--federated-token-file", "/f.jwt",
        ]
        for mode in Command.authModes {
            #expect(try settings(["--auth", mode] + everything, Self.everyVariable).credential.mode == mode, "\(mode)")
        }
        guard
            case .clientSecret(let secret) = try settings(
                ["--auth", "secret", "--certificate", "/c.pem"],
                ["AZURE_CLIENT_SECRET": "env-secret"]
            ).credential
        else { Issue.record("--auth secret"); return }
        #expect(secret.value == "env-secret")
    }

    @Test func modesMissingWhatTheyNeedAreUsageErrors() {
        let cases: [([String], [String: String], String)] = [
            (["--auth", "secret"], [:], "--auth secret needs AZURE_CLIENT_SECRET or --client-secret-file FILE"),
            (
                ["--auth", "certificate"], ["AZURE_CLIENT_SECRET": "s"],
                "--auth certificate needs --certificate FILE or AZURE_CLIENT_CERTIFICATE_PATH"
            ),
            (
                ["--auth", "federated"], [:],
                "--auth federated needs --federated-token-file FILE or AZURE_FEDERATED_TOKEN_FILE"
            ),
            (
                ["--auth", "token"], ["AZURE_CLIENT_SECRET": "s"],
                "--auth token needs the access token in PHOTOPROV_ACCESS_TOKEN"
            ),
            (["--auth", "token-command"], [:], "--auth token-command needs --token-command CMD"),
            (
                ["--auth", "kerberos"], [:],
                "--auth must be one of secret, certificate, federated, managed-identity, token, token-command, "
                    + "device-code, not 'kerberos'"
            ),
            (
                ["--auth", "secret"], ["AZURE_CLIENT_SECRET": " \n"],
                "--auth secret needs AZURE_CLIENT_SECRET or --client-secret-file FILE"
            ),
        ]
        for (arguments, environment, message) in cases {
            let got = failure(arguments, environment)
            #expect(got?.0 == "usage" && got?.1 == message, "\(arguments) \(environment): \(String(describing: got))")
        }
    }

    @Test func noCredentialAtAllIsASignInFailureThatSaysWhatToSet() {
        // Blank variables count as unset: a CI template that exports AZURE_CLIENT_SECRET="" has no secret.
        for environment in [[:], ["AZURE_CLIENT_SECRET": "", "PHOTOPROV_ACCESS_TOKEN": "  ", "IDENTITY_HEADER": "h"]] {
            let got = failure(["--tenant", "contoso.example"], environment)
            #expect(got?.0 == "signIn", "\(environment): \(String(describing: got))")
            #expect(got?.1.contains("no credentials") == true)
            #expect(got?.1.contains("AZURE_CLIENT_SECRET") == true && got?.1.contains("--device-code") == true)
        }
    }

    @Test func clientSecretFileProblemsNameTheFile() throws {
        let files = try Files()
        let empty = try files.secret("empty.txt", " \n\n")
        #expect(failure(["--client-secret-file", empty])?.1 == "--client-secret-file \(empty) is empty")
        let missing = files.directory.appendingPathComponent("missing.txt").path
        let got = failure(["--client-secret-file", missing])
        #expect(got?.0 == "configuration")
        #expect(got?.1 == "cannot read client secret file \(missing): no such file")
    }

    @Test func flagsWinOverVariablesForTenantClientAndEndpoints() throws {
        let environment = [
            "AZURE_CLIENT_SECRET": "s", "AZURE_TENANT_ID": "env-tenant", "AZURE_CLIENT_ID": "env-client",
            "PHOTOPROV_GRAPH_URL": "http://127.0.0.1:1/", "PHOTOPROV_AUTHORITY_URL": "http://127.0.0.1:2",
            "AZURE_AUTHORITY_HOST": "https://login.example",
        ]
        let fromVariables = try settings([], environment)
        #expect(fromVariables.tenantID == "env-tenant")
        #expect(fromVariables.clientID == "env-client")
        #expect(fromVariables.graphURL.absoluteString == "http://127.0.0.1:1", "trailing slash dropped")
        #expect(
            fromVariables.authorityURL.absoluteString == "http://127.0.0.1:2",
            "PHOTOPROV_AUTHORITY_URL before AZURE_AUTHORITY_HOST")
        var hostOnly = environment
        hostOnly["PHOTOPROV_AUTHORITY_URL"] = nil
        #expect(try settings([], hostOnly).authorityURL.absoluteString == "https://login.example")

        let fromFlags = try settings(
            [
                "--tenant", "flag-tenant", "--client-id", "flag-client", "--graph-url", "http://localhost:3",
                "--authority-url", "https://login.flag.example",
            ], environment)
        #expect(fromFlags.tenantID == "flag-tenant")
        #expect(fromFlags.clientID == "flag-client")
        #expect(fromFlags.graphURL.absoluteString == "http://localhost:3")
        #expect(fromFlags.authorityURL.absoluteString == "https://login.flag.example")
    }

    @Test func cloudsAndBadEndpoints() throws {
        let secret = ["AZURE_CLIENT_SECRET": "s"]
        let global = try settings([], secret)
        #expect(global.graphURL.absoluteString == "https://graph.microsoft.com")
        #expect(global.authorityURL.absoluteString == "https://login.microsoftonline.com")
        let china = try settings(["--cloud", "china"], secret)
        #expect(china.graphURL.absoluteString == "https://microsoftgraph.chinacloudapi.cn")
        #expect(china.authorityURL.absoluteString == "https://login.chinacloudapi.cn")
        #expect(try settings(["--cloud", "usgov"], secret).resource == "https://graph.microsoft.us")

        #expect(
            failure(["--cloud", "mars"], secret)?.1
                == "--cloud must be one of global, usgov, usgov-dod, china, not 'mars'")
        #expect(
            failure(["--graph-url", "graph.example.com"], secret)?.1
                == "--graph-url must be an absolute URL such as https://graph.microsoft.com, not 'graph.example.com'")
        #expect(
            failure([], secret.merging(["PHOTOPROV_AUTHORITY_URL": "login"]) { $1 })?.0 == "usage",
            "a bad variable is reported like the flag it stands for")
        let insecure = failure(["--graph-url", "http://graph.example.com"], secret)
        #expect(insecure?.0 == "configuration")
        #expect(insecure?.1.contains("plain http to a non-loopback host") == true, "\(String(describing: insecure))")
    }

    @Test func managedIdentityEndpointsComeFromTheEnvironment() throws {
        let appService = try settings(
            ["--auth", "managed-identity"],
            ["IDENTITY_ENDPOINT": "http://127.0.0.1:8081/msi/token", "IDENTITY_HEADER": "header-value"])
        #expect(appService.identityEndpoint?.url.absoluteString == "http://127.0.0.1:8081/msi/token")
        #expect(appService.identityEndpoint?.header.value == "header-value")
        // Without IDENTITY_HEADER the App Service endpoint is unusable: the instance metadata service is asked.
        let vm = try settings(["--auth", "managed-identity"], ["IDENTITY_ENDPOINT": "http://127.0.0.1:8081/msi/token"])
        #expect(vm.identityEndpoint == nil)
        #expect(vm.imdsURL.absoluteString == "http://169.254.169.254/metadata/identity/oauth2/token")
        let pod = try settings(
            ["--auth", "managed-identity"], ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://10.0.0.5"])
        #expect(pod.imdsURL.absoluteString == "http://10.0.0.5/metadata/identity/oauth2/token")
    }

    @Test func sslCertFileNamesTheCAFileToTrust() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-ca-\(UUID()).pem")
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let secret = ["AZURE_CLIENT_SECRET": "s"]
        #expect(try settings([], secret).caFile == nil, "the system's CAs by default")
        #expect(try settings([], secret.merging(["SSL_CERT_FILE": " "]) { _, new in new }).caFile == nil)
        #expect(try settings([], secret.merging(["SSL_CERT_FILE": file.path]) { _, new in new }).caFile == file.path)
        let missing = failure([], secret.merging(["SSL_CERT_FILE": "/nonexistent/ca.pem"]) { _, new in new })
        #expect(missing?.0 == "usage")
        #expect(
            missing?.1.contains("SSL_CERT_FILE names '/nonexistent/ca.pem'") == true, "\(String(describing: missing))")
    }

    @Test func requestLimitsHaveDefaultsAndRanges() throws {
        let secret = ["AZURE_CLIENT_SECRET": "s"]
        let defaults = try settings([], secret)
        #expect(defaults.concurrency == 8 && defaults.maxAttempts == 6)
        #expect(defaults.itemDeadline == 300 && defaults.requestTimeout == 60)
        #expect(defaults.trace == nil)
        let given = try settings(
            [
                "--concurrency", "3", "--max-attempts", "2", "--item-deadline", "12.5", "--request-timeout", "0.5",
                "--debug",
            ], secret)
        #expect(given.concurrency == 3 && given.maxAttempts == 2)
        #expect(given.itemDeadline == 12.5 && given.requestTimeout == 0.5)
        #expect(given.trace != nil, "--debug turns the HTTP trace on")

        let bad: [([String], String)] = [
            (["--concurrency", "0"], "--concurrency must be a whole number from 1 to 256, not '0'"),
            (["--concurrency", "257"], "--concurrency must be a whole number from 1 to 256, not '257'"),
            (["--max-attempts", "51"], "--max-attempts must be a whole number from 1 to 50, not '51'"),
            (["--item-deadline", "0"], "--item-deadline must be a number of seconds from 0.1 to 86400, not '0'"),
            (
                ["--request-timeout", "soon"],
                "--request-timeout must be a number of seconds from 0.1 to 86400, not 'soon'"
            ),
            (
                ["--request-timeout", "86401"],
                "--request-timeout must be a number of seconds from 0.1 to 86400, not '86401'"
            ),
        ]
        for (arguments, message) in bad {
            #expect(failure(arguments, secret)?.1 == message, "\(arguments)")
        }
    }

    @Test func deviceCodeNeedsNothingElse() throws {
        let delegated = try settings(["--device-code"])
        #expect(delegated.credential.mode == "device-code")
        #expect(
            delegated.tenantID == nil && delegated.clientID == nil,
            "the client picks organizations and Graph Command Line Tools when these are absent")
    }
}
