import Foundation
import PhotoModel

/// Reads files that hold secrets (client secret, private key, federated token) and warns when others could read
/// them too. Only regular files are read: a folder, a FIFO (which would block the read) or a device is named.
package enum SecretFile {
    /// Secret files larger than this are refused: no certificate chain or token comes near it.
    static let maxBytes: Int64 = 1 << 20

    /// The file's contents.
    ///
    /// - Parameters:
    ///   - what: what the file holds, for messages ("client secret file").
    ///   - warn: receives a warning when the file is group- or world-readable.
    /// - Throws: `GraphError.configuration` when the file cannot be read.
    package static func read(_ path: String, what: String, warn: (String) -> Void) throws(GraphError) -> Data {
        do {
            let file = try ReadableFile(path)
            let mode = Int(file.info.st_mode) & 0o777
            if mode & 0o044 != 0 {
                warn(
                    "warning: \(what) \(path) is readable by \(mode & 0o004 != 0 ? "everyone" : "its group") "
                        + "(mode \(String(mode, radix: 8))); restrict it with chmod 600 \(path)")
            }
            return Data(try file.readAll(limit: maxBytes))
        } catch {
            throw GraphError(.configuration, "cannot read \(what) \(path): \(error)")
        }
    }

    /// The one-line secret a file holds (a client secret, a federated token): without the line break and spaces
    /// around it, which every editor and `echo` leave, and without a UTF-8 byte-order mark, which Windows editors
    /// write; UTF-16, which no secret is written in, is refused by name rather than sent as a wrong secret.
    ///
    /// - Throws: `GraphError.configuration` when the file cannot be read or is not UTF-8 text.
    package static func text(_ path: String, what: String, warn: (String) -> Void) throws(GraphError) -> String {
        var bytes = [UInt8](try read(path, what: what, warn: warn))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw GraphError(.configuration, "\(what) \(path) is UTF-16 text; save it as UTF-8 (plain text)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GraphError(.configuration, "\(what) \(path) is not UTF-8 text; it must hold only the secret")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
