import Foundation
import TestSupport
import Testing

/// photoprov against the emulator over https (`--tls`, a throwaway CA): SSL_CERT_FILE names the CA to trust instead
/// of the system's, and without it the TLS failure names the host and the variable.
@Suite struct TLSTrustTests {
    /// Whether photoprov reads SSL_CERT_FILE here: its libcurl engine does (Linux); URLSession on macOS trusts the
    /// keychain instead.
    private func readsSSLCertFile() -> Bool {
        #if os(Linux)
            return true
        #else
            print("SKIP: SSL_CERT_FILE is read on Linux only (macOS trusts the keychain)")
            return false
        #endif
    }

    private func environment(_ emulator: Emulator, _ extra: [String: String] = [:]) -> [String: String] {
        SignInFixtures.cleanEnvironment.merging(emulator.environment) { _, new in new }.merging(extra) { _, new in new }
    }

    @Test func uploadAndPolicyTrustTheCAInSSLCertFile() async throws {
        guard readsSSLCertFile() else { return }
        let batch = try await Batch.make(count: 3)
        let emulator = try await Emulator.start(["--users-csv", batch.csv], tls: true)
        #expect(emulator.baseURL.scheme == "https")
        let environment = environment(emulator)
        #expect(environment["SSL_CERT_FILE"] == emulator.caFile)

        let policy = try await PhotoprovProcess.run(["policy"], environment: environment)
        #expect(policy.status == 0, "\(policy.stderr)")
        #expect(policy.stdout.contains("verdict: allowed"), "\(policy.stdout)")

        let upload = try await PhotoprovProcess.run(
            ["upload", "--csv", batch.csv, "--journal", batch.journal, "--debug"], environment: environment)
        #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
        #expect(upload.stderr.contains("-> PUT https://127.0.0.1:"), "the photos went over https")
        for upn in batch.upns {
            #expect((try await emulator.user(upn)["uploads"] as? NSNumber)?.intValue == 1, "\(upn)")
        }
    }

    @Test func withoutTheCAFileTLSFailsNamingTheHostAndTheVariable() async throws {
        guard readsSSLCertFile() else { return }
        let emulator = try await Emulator.start(tls: true)
        // The system bundle does not hold the emulator's throwaway CA.
        let untrusted = try await PhotoprovProcess.run(
            ["policy"], environment: environment(emulator, ["SSL_CERT_FILE": ""]))
        #expect(untrusted.status == 4, "a sign-in failure: \(untrusted.stdout) \(untrusted.stderr)")
        #expect(untrusted.stderr.contains("TLS with 127.0.0.1 failed"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("set SSL_CERT_FILE"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("certificate"), "libcurl's reason is kept: \(untrusted.stderr)")

        // A CA file that did not sign the server's certificate is no better.
        let other = try await Emulator.start(tls: true)
        let wrongCA = try await PhotoprovProcess.run(
            ["policy"], environment: environment(emulator, ["SSL_CERT_FILE": try #require(other.caFile)]))
        #expect(wrongCA.status == 4)
        #expect(wrongCA.stderr.contains("TLS with 127.0.0.1 failed"), "\(wrongCA.stderr)")

        // A variable naming no file is refused before any request.
        let missing = try await PhotoprovProcess.run(
            ["policy"], environment: environment(emulator, ["SSL_CERT_FILE": "/nonexistent/ca.pem"]))
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("SSL_CERT_FILE names '/nonexistent/ca.pem'"), "\(missing.stderr)")
    }

    @Test func loopbackIsNeverSentThroughAProxy() async throws {
        guard readsSSLCertFile() else { return }
        // Every proxy variable names a port nothing listens on, and no_proxy is empty: a request that went
        // through one could not connect.
        let emulator = try await Emulator.start(tls: true)
        let dead = "http://127.0.0.1:9"
        let output = try await PhotoprovProcess.run(
            ["policy"],
            environment: environment(
                emulator,
                [
                    "https_proxy": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "all_proxy": dead, "ALL_PROXY": dead,
                    "no_proxy": "", "NO_PROXY": "",
                ]))
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("verdict: allowed"))
    }
}
