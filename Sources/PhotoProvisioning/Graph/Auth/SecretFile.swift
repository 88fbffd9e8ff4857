import Foundation

/// Reads files that hold secrets (client secret, private key) and warns when others could read them too.
package enum SecretFile {
    /// The file's contents.
    ///
    /// - Parameters:
    ///   - what: what the file holds, for messages ("client secret file").
    ///   - warn: receives a warning when the file is group- or world-readable.
    /// - Throws: `GraphError.configuration` when the file cannot be read.
    package static func read(_ path: String, what: String, warn: (String) -> Void) throws(GraphError) -> Data {
        if let mode = permissions(of: path), mode & 0o044 != 0 {
            warn(
                "warning: \(what) \(path) is readable by \(mode & 0o004 != 0 ? "everyone" : "its group") "
                    + "(mode \(String(mode & 0o777, radix: 8))); restrict it with chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw GraphError(.configuration, "cannot read \(what) \(path): \(exists ? "permission denied" : "no such file")")
        }
        return data
    }

    /// The file's permission bits, or `nil` when it cannot be inspected.
    package static func permissions(of path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let number = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        return number.intValue
    }
}
