import Foundation

/// The claims of an access token that matter here, read from the JWT payload without verifying the signature
/// (Graph verifies it; photoprov only wants to explain what the token allows).
public struct AccessTokenClaims: Sendable, Hashable, Codable {
    /// Application permissions (app-only tokens).
    public var roles: [String] = []
    /// Delegated permissions (user tokens), split from the space-separated `scp`.
    public var scopes: [String] = []
    /// Directory role template ids of the signed-in user (delegated tokens).
    public var wids: [String] = []
    /// The tenant id.
    public var tenantID: String?
    /// The application id (`appid` or `azp`).
    public var appID: String?
    /// The application's display name, when the token carries it.
    public var appName: String?
    /// The signed-in user's UPN (`upn`, else `preferred_username`, else `unique_name`).
    public var userPrincipalName: String?
    /// Expiry, when present.
    public var expiresAt: Date?

    /// `idtyp`: "app" or "user", when the token says.
    public var identityType: String?

    /// Whether a user signed in (delegated) rather than an app on its own.
    public var isDelegated: Bool {
        if let identityType { return identityType == "user" }
        return !scopes.isEmpty || (roles.isEmpty && userPrincipalName != nil)
    }

    /// Creates claims directly (tests).
    public init(roles: [String] = [], scopes: [String] = [], wids: [String] = []) {
        self.roles = roles
        self.scopes = scopes
        self.wids = wids
    }

    /// Decodes the payload of `token`, or returns `nil` when it is not a readable JWT (an opaque token).
    public init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(String(parts[1])),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        roles = object["roles"] as? [String] ?? []
        scopes = (object["scp"] as? String)?.split(separator: " ").map(String.init) ?? []
        wids = object["wids"] as? [String] ?? []
        tenantID = object["tid"] as? String
        identityType = object["idtyp"] as? String
        appID = object["appid"] as? String ?? object["azp"] as? String
        appName = object["app_displayname"] as? String
        userPrincipalName =
            object["upn"] as? String ?? object["preferred_username"] as? String
            ?? object["unique_name"] as? String
        if let exp = object["exp"] as? Double {
            expiresAt = Date(timeIntervalSince1970: exp)
        } else if let exp = object["exp"] as? Int {
            expiresAt = Date(timeIntervalSince1970: Double(exp))
        }
    }
}

/// base64url without padding, as JWTs use it.
package enum Base64URL {
    package static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
