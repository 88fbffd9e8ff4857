import Foundation

/// Throwaway certificates for certificate sign-in tests, made by the `openssl` command.
package enum TestCertificate {
    /// A self-signed RSA certificate and its unencrypted key in `directory`, plus a combined PEM (certificate then
    /// key, mode 0600) as photoprov's `--certificate` takes it.
    package static func make(in directory: URL, name: String) async throws
        -> (combined: String, certificate: String, keyPath: String, key: String)
    {
        let keyPath = directory.appendingPathComponent("\(name)-key.pem").path
        let certificatePath = directory.appendingPathComponent("\(name)-cert.pem").path
        try await ChildProcess.tool(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certificatePath, "-days",
                "2",
                "-subj", "/CN=photoprov-test-\(name)",
            ])
        let certificate = try String(contentsOfFile: certificatePath, encoding: .utf8)
        let key = try String(contentsOfFile: keyPath, encoding: .utf8)
        let combined = directory.appendingPathComponent("\(name)-combined.pem").path
        try (certificate + key).write(toFile: combined, atomically: true, encoding: .utf8)
        _ = chmod(combined, 0o600)
        _ = chmod(keyPath, 0o600)
        return (combined, certificate, keyPath, key)
    }
}
