import Foundation
import PhotoModel

/// Whose photo: a user, group or team, named by object id or (for users) user principal name.
public struct PhotoTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kind of directory object, spelled as its Graph collection (the sources' `--target`).
    public typealias Kind = TargetKind

    /// The kind of object.
    public var kind: Kind
    /// The object id, or a user principal name for users.
    public var key: String

    /// Creates a target of `kind` named `key`.
    public init(_ kind: Kind, _ key: String) {
        self.kind = kind
        self.key = key
    }

    /// A user by id or UPN.
    public static func user(_ key: String) -> PhotoTarget { PhotoTarget(.users, key) }

    /// The object's path below the API version, e.g. `/users/ada%40contoso.com`.
    ///
    /// Everything but unreserved characters and `@` is percent-encoded, so `#EXT#` guest names, `+`, `/`, `%`, `?`
    /// and `'` cannot change the request's meaning. A UPN starting with `$` takes Graph's `users('…')` form, which
    /// Graph requires for such names.
    public var objectPath: String {
        if kind == .users, key.hasPrefix("$") {
            let quoted = key.replacingOccurrences(of: "'", with: "''")
            return "/users('\(Self.encode(quoted, keeping: "'"))')"
        }
        return "/\(kind.rawValue)/\(Self.encode(key))"
    }

    /// The photo's binary content path below the API version: `/users/{id|upn}/photo/$value`.
    public var photoValuePath: String { objectPath + "/photo/$value" }

    /// The photo's metadata path below the API version: `/users/{id|upn}/photo`.
    public var photoPath: String { objectPath + "/photo" }

    public var description: String { "\(kind.noun) \(key)" }

    /// Percent-encodes all but unreserved characters, `@` and `extra`.
    static func encode(_ text: String, keeping extra: String = "") -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")
        allowed.insert(charactersIn: extra)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
