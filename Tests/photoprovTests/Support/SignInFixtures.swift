import Foundation
import TestSupport

/// A seeded tenant, certificates and federated tokens for end-to-end sign-in tests through the built binary.
enum SignInFixtures {
    static let tenantID = "22222222-3333-4444-8555-666666666666"
    static let domain = "tailspin.example"
    static let app = "bbbbbbbb-0000-4000-8000-000000000001"
    static let secret = "tailspin-secret~Value-0123456789abcdef"
    /// ProfilePhoto.ReadWrite.All only: the policy is unreadable, so the verdict is unknown.
    static let writerApp = "bbbbbbbb-0000-4000-8000-000000000002"
    static let writerSecret = "tailspin-writer~Value-fedcba9876543210"
    static let issuer = "https://issuer.tailspin.example"
    static let subject = "system:serviceaccount:hr:photoprov"
    static let audience = "api://AzureADTokenExchange"
    static let federationKey = "tailspin-federation-key"
    static let managedIdentity = "bbbbbbbb-0000-4000-8000-0000000000a1"

    static func seed(certificatePEM: String) -> [String: Any] {
        [
            "tenants": [
                [
                    "id": tenantID, "domain": domain,
                    "apps": [
                        [
                            "clientId": app, "displayName": "tailspin photos", "secrets": [secret],
                            "certificates": [certificatePEM],
                            "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"],
                            "delegatedPermissions": [
                                "ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All",
                            ],
                            "publicClient": true,
                            "federatedCredentials": [
                                ["issuer": issuer, "subject": subject, "audiences": [audience], "key": federationKey]
                            ],
                        ],
                        [
                            "clientId": writerApp, "displayName": "tailspin writer", "secrets": [writerSecret],
                            "roles": ["ProfilePhoto.ReadWrite.All"],
                        ],
                    ],
                    // The host's system-assigned managed identity, for --auth managed-identity.
                    "managedIdentities": [
                        [
                            "systemAssigned": true, "clientId": managedIdentity, "displayName": "tailspin host",
                            "roles": ["ProfilePhoto.ReadWrite.All", "User.Read.All", "PeopleSettings.ReadWrite.All"],
                        ]
                    ],
                    "users": [
                        ["userPrincipalName": "admin@\(domain)", "directoryRoles": ["PeopleAdministrator"]],
                        ["userPrincipalName": "ada@\(domain)"],
                    ],
                ]
            ]
        ]
    }

    /// Runs `executable` with `arguments`, feeding `input`; returns stdout or throws with stderr.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) async throws -> Data {
        try await ChildProcess.tool(executable, arguments, input: input)
    }

    /// A throwaway certificate and key made by `openssl` in `directory`: (combined PEM path, certificate PEM, key PEM).
    static func certificate(in directory: URL) async throws -> (path: String, certificate: String, key: String) {
        let made = try await TestCertificate.make(in: directory, name: "e2e")
        try FileManager.default.removeItem(atPath: made.keyPath)  // only the combined file is handed to photoprov
        return (made.combined, made.certificate, made.key)
    }

    /// An HS256 federated token for the seeded federated credential.
    static func federatedToken() async throws -> String {
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let now = Int(Date().timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": audience, "nbf": now - 5, "iat": now - 5, "exp": now + 300,
            "jti": UUID().uuidString,
        ]
        let input =
            b64(try JSONSerialization.data(withJSONObject: ["alg": "HS256", "typ": "JWT"])) + "."
            + b64(try JSONSerialization.data(withJSONObject: claims))
        let signature = try await run(
            "openssl", ["dgst", "-sha256", "-hmac", federationKey, "-binary"], input: Data(input.utf8))
        return input + "." + b64(signature)
    }

    /// Environment that clears every credential variable, so only what a test sets is seen.
    static let cleanEnvironment: [String: String] = [
        "AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": "", "AZURE_CLIENT_CERTIFICATE_PATH": "",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "", "AZURE_FEDERATED_TOKEN_FILE": "", "AZURE_AUTHORITY_HOST": "",
        "PHOTOPROV_ACCESS_TOKEN": "", "PHOTOPROV_GRAPH_URL": "", "PHOTOPROV_AUTHORITY_URL": "", "IDENTITY_ENDPOINT": "",
        "IDENTITY_HEADER": "", "AZURE_POD_IDENTITY_AUTHORITY_HOST": "", "SSL_CERT_FILE": "",
    ]
}
