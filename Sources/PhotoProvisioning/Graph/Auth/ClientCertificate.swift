import CCrypto
import Foundation
import PhotoModel

/// A certificate and its RSA private key, loaded from PEM through OpenSSL, that signs client assertions.
///
/// `@unchecked Sendable`: the key is never modified after loading; each signature uses its own EVP_MD_CTX, and
/// OpenSSL 3 allows concurrent signing with one const EVP_PKEY.
package final class ClientCertificate: @unchecked Sendable {
    private let key: OpaquePointer
    /// base64url SHA-256 of the certificate's DER encoding: the `x5t#S256` header.
    package let thumbprintS256: String
    /// The certificate's subject, for messages.
    package let subject: String

    /// Loads the first certificate of `certificatePEM` and the private key from `keyPEM` (or the same PEM).
    ///
    /// - Throws: `GraphError.signIn` naming the file and what is wrong with it; never the key material.
    package init(certificatePEM: Data, keyPEM: Data?, password: String?, path: String) throws(GraphError) {
        guard let certificate = Self.readCertificate(certificatePEM) else {
            throw GraphError(.signIn, "no PEM certificate (-----BEGIN CERTIFICATE-----) in \(path)")
        }
        defer { X509_free(certificate) }
        guard let key = Self.readKey(keyPEM ?? certificatePEM, password: password) else {
            let hint =
                password == nil
                ? "an unencrypted PEM private key (or set AZURE_CLIENT_CERTIFICATE_PASSWORD for an encrypted one)"
                : "a PEM private key that this password opens"
            throw GraphError(.signIn, "no usable private key in \(path): it needs \(hint)")
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            throw GraphError(
                .signIn,
                "the private key in \(path) is not RSA; Entra ID client assertions are signed PS256 with an RSA key")
        }
        guard X509_check_private_key(certificate, key) == 1 else {
            EVP_PKEY_free(key)
            ERR_clear_error()
            throw GraphError(.signIn, "the private key does not match the certificate in \(path)")
        }
        self.key = key
        let length = i2d_X509(certificate, nil)
        var der = [UInt8](repeating: 0, count: Int(max(length, 0)))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509(certificate, &cursor)
        }
        thumbprintS256 = Base64URL.encode(Data(Digest.sha256(der)))
        var name = [CChar](repeating: 0, count: 512)
        X509_NAME_oneline(X509_get_subject_name(certificate), &name, Int32(name.count))
        subject = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { EVP_PKEY_free(key) }

    /// A client assertion JWT for `clientID` at `audience`: PS256 with `x5t#S256`, valid 10 minutes, fresh jti.
    package func assertion(clientID: String, audience: String, now: Date) throws(GraphError) -> String {
        let issued = Int(now.timeIntervalSince1970)
        let header: [String: String] = ["alg": "PS256", "typ": "JWT", "x5t#S256": thumbprintS256]
        let claims: [String: Any] = [
            "aud": audience, "iss": clientID, "sub": clientID, "jti": UUID().uuidString.lowercased(),
            "nbf": issued, "iat": issued, "exp": issued + 600,
        ]
        guard let headerJSON = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]),
            let claimsJSON = try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        else { throw GraphError(.signIn, "cannot encode the client assertion") }
        let signingInput = Base64URL.encode(headerJSON) + "." + Base64URL.encode(claimsJSON)
        let signature = try sign(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(Data(signature))
    }

    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (JWS PS256).
    private func sign(_ message: [UInt8]) throws(GraphError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw Self.failure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, EVP_sha256(), nil, key) == 1,
            EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
            EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, Self.saltLengthDigest) == 1,
            EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, EVP_sha256()) == 1
        else { throw Self.failure("EVP_DigestSignInit(PS256)") }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw Self.failure("EVP_DigestSign")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw Self.failure("EVP_DigestSign")
        }
        return Array(signature.prefix(length))
    }

    /// `RSA_PSS_SALTLEN_DIGEST`: the salt is as long as the digest (a macro Swift cannot import).
    private static let saltLengthDigest: Int32 = -1

    private static func failure(_ call: String) -> GraphError {
        let code = ERR_get_error()
        ERR_clear_error()
        return GraphError(.signIn, "cannot sign the client assertion: OpenSSL \(call) failed (error \(code))")
    }

    private static func readCertificate(_ pem: Data) -> OpaquePointer? {
        pem.withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            let certificate = PEM_read_bio_X509(bio, nil, nil, nil)
            ERR_clear_error()
            return certificate
        }
    }

    private static func readKey(_ pem: Data, password: String?) -> OpaquePointer? {
        pem.withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // With no callback OpenSSL treats the last argument as the passphrase; an empty one makes an encrypted
            // key fail instead of prompting on the terminal.
            var passphrase = Array((password ?? "").utf8CString)
            let key = passphrase.withUnsafeMutableBytes { raw in
                PEM_read_bio_PrivateKey(bio, nil, nil, raw.baseAddress)
            }
            ERR_clear_error()
            return key
        }
    }
}
