import Foundation
import TestSupport
import Testing

/// Every sign-in mode through the built binary with `--debug`: it works, and no secret, token, assertion or key
/// appears in stdout, stderr or any file written.
@Suite struct SignInSecrecyTests {
    /// Something that looks like a JWT (access tokens, client assertions, federated tokens).
    private static let jwtPattern = #"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}"#

    private func assertNothingSecret(_ texts: [String], secrets: [String], mode: String) {
        for text in texts {
            #expect(text.range(of: Self.jwtPattern, options: .regularExpression) == nil, "\(mode): a JWT leaked")
            for secret in secrets where !secret.isEmpty {
                #expect(!text.contains(secret), "\(mode): a secret leaked (\(secret.prefix(6))…)")
            }
            #expect(!text.contains("PRIVATE KEY"), "\(mode): key material leaked")
        }
    }

    /// Text of every file under `directory` but the test's own fixtures (what the run may have written).
    private func filesText(_ directory: URL, except fixtures: Set<String>) -> [String] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        var texts: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if fixtures.contains(url.lastPathComponent) { continue }
            if let data = FileManager.default.contents(atPath: url.path) {
                texts.append(String(decoding: data, as: UTF8.self))
            }
        }
        return texts
    }

    @Test func everySignInModeWorksAndLeaksNothingUnderDebug() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-secrecy-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let certificate = try await SignInFixtures.certificate(in: work)
        let emulator = try await Emulator.start(
            ["--approve-device-codes", "admin@\(SignInFixtures.domain)"],
            seed: SignInFixtures.seed(certificatePEM: certificate.certificate))
        let appToken = try await emulator.appToken(clientID: SignInFixtures.app, secret: SignInFixtures.secret)
        let federated = try await SignInFixtures.federatedToken()
        let federatedFile = work.appendingPathComponent("federated.jwt")
        try federated.write(to: federatedFile, atomically: true, encoding: .utf8)
        let secretFile = work.appendingPathComponent("secret.txt")
        try (SignInFixtures.secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)
        _ = chmod(secretFile.path, 0o600)
        let tokenFile = work.appendingPathComponent("token.txt")
        try appToken.write(to: tokenFile, atomically: true, encoding: .utf8)
        let keyBody = certificate.key.split(separator: "\n").dropFirst().prefix(3).joined()

        let base = SignInFixtures.cleanEnvironment.merging([
            "PHOTOPROV_GRAPH_URL": emulator.baseURL.absoluteString,
            "PHOTOPROV_AUTHORITY_URL": emulator.baseURL.absoluteString,
            "AZURE_TENANT_ID": SignInFixtures.tenantID, "AZURE_CLIENT_ID": SignInFixtures.app,
        ]) { _, new in new }
        let modes: [(String, [String], [String: String])] = [
            ("secret", [], ["AZURE_CLIENT_SECRET": SignInFixtures.secret]),
            ("secret file", ["--client-secret-file", secretFile.path], [:]),
            ("certificate", [], ["AZURE_CLIENT_CERTIFICATE_PATH": certificate.path]),
            ("federated", [], ["AZURE_FEDERATED_TOKEN_FILE": federatedFile.path]),
            (
                "managed identity", [],
                emulator.appServiceIdentityEnvironment.merging(["AZURE_CLIENT_ID": ""]) { _, new in new }
            ),
            (
                "imds", ["--auth", "managed-identity"],
                [
                    "AZURE_POD_IDENTITY_AUTHORITY_HOST": emulator.baseURL.absoluteString, "AZURE_CLIENT_ID": "",
                ]
            ),
            ("token", [], ["PHOTOPROV_ACCESS_TOKEN": appToken]),
            ("token command", ["--token-command", "cat '\(tokenFile.path)'"], [:]),
            ("device code", ["--device-code"], [:]),
        ]
        let secrets = [SignInFixtures.secret, appToken, federated, emulator.identityHeader, keyBody]
        let fixtures: Set<String> = ["e2e-combined.pem", "e2e-cert.pem", "federated.jwt", "secret.txt", "token.txt"]
        for (mode, arguments, environment) in modes {
            let output = try await PhotoprovProcess.run(
                ["policy", "--debug"] + arguments, environment: base.merging(environment) { _, new in new },
                currentDirectory: work)
            #expect(output.status == 0, "\(mode): \(output.stderr)")
            #expect(output.stdout.contains("verdict: allowed"), "\(mode): \(output.stdout)")
            #expect(output.stderr.contains("debug: -> GET"), "\(mode): the trace is on")
            #expect(output.stderr.contains("Authorization: [redacted]"), "\(mode)")
            if mode == "device code" {
                #expect(output.stderr.contains("enter the code"))
                #expect(output.stdout.contains("admin@\(SignInFixtures.domain)"))
            }
            assertNothingSecret(
                [output.stdout, output.stderr] + filesText(work, except: fixtures), secrets: secrets, mode: mode)
        }
        // The run wrote nothing beside the fixtures this test put there.
        let written = try FileManager.default.contentsOfDirectory(atPath: work.path).sorted()
        #expect(Set(written) == fixtures)

        // A wrong secret: exit 4, the AADSTS code and the fix, and not the wrong secret itself.
        let wrong = try await PhotoprovProcess.run(
            ["policy", "--debug"],
            environment: base.merging(["AZURE_CLIENT_SECRET": "Wrong~Secret-Value-42"]) { _, new in new })
        #expect(wrong.status == 4)
        #expect(wrong.stderr.contains("AADSTS7000215"))
        #expect(wrong.stderr.contains("fix:"))
        assertNothingSecret([wrong.stdout, wrong.stderr], secrets: ["Wrong~Secret-Value-42"], mode: "wrong secret")
    }

    @Test func readableSecretFilesDrawAWarning() async throws {
        let emulator = try await Emulator.start()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("photoprov-perm-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let secretFile = work.appendingPathComponent("secret.txt")
        try emulator.clientSecret.write(to: secretFile, atomically: true, encoding: .utf8)
        _ = chmod(secretFile.path, 0o644)
        var environment = SignInFixtures.cleanEnvironment.merging(emulator.environment) { _, new in new }
        environment["AZURE_CLIENT_SECRET"] = ""
        let output = try await PhotoprovProcess.run(
            ["policy", "--client-secret-file", secretFile.path], environment: environment)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("readable by everyone"))
        #expect(output.stderr.contains("chmod 600 \(secretFile.path)"))
        #expect(!output.stderr.contains(emulator.clientSecret))
    }

    @Test func missingCredentialsAndInsecureURLsAreClear() async throws {
        let none = try await PhotoprovProcess.run(["policy"], environment: SignInFixtures.cleanEnvironment)
        #expect(none.status == 4)
        #expect(none.stderr.contains("no credentials"))
        #expect(none.stderr.contains("AZURE_TENANT_ID"))
        let insecure = try await PhotoprovProcess.run(
            ["policy", "--graph-url", "http://graph.example.com"],
            environment: SignInFixtures.cleanEnvironment.merging([
                "AZURE_CLIENT_SECRET": "x", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c",
            ]) { _, new in new })
        #expect(insecure.status == 2)
        #expect(insecure.stderr.contains("plain http"))
        let cloud = try await PhotoprovProcess.run(
            ["policy", "--cloud", "mars"], environment: SignInFixtures.cleanEnvironment)
        #expect(cloud.status == 2)
        #expect(cloud.stderr.contains("--cloud must be one of global, usgov, usgov-dod, china"))
    }
}
