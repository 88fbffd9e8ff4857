import Foundation

/// Why a file photoprov was given by name cannot be read as one: each area wraps it in its own error with the file.
package enum FileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing at the path.
    case missing
    /// Something other than a regular file: a folder, a named pipe, a device, a socket.
    case notAFile(Kind)
    /// The last component is a symbolic link and the caller does not follow links there.
    case symbolicLink
    /// More bytes than the caller accepts.
    case tooLarge(bytes: Int64, limit: Int64)
    /// The system refused (permission, I/O error): its `errno`.
    case system(Int32)

    /// What a non-regular file is, for messages.
    package enum Kind: String, Sendable {
        case folder = "a folder"
        case fifo = "a named pipe (FIFO)"
        case device = "a device"
        case socket = "a socket"
        case other = "not a regular file"
    }

    /// The kind of a `stat` mode that is not a regular file; `nil` for a regular file.
    package static func kind(of mode: mode_t) -> Kind? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: .folder
        case S_IFIFO: .fifo
        case S_IFCHR, S_IFBLK: .device
        case S_IFSOCK: .socket
        default: .other
        }
    }

    public var description: String {
        switch self {
        case .missing: "no such file"
        case .notAFile(.other): "not a regular file"
        case .notAFile(let kind): "is \(kind.rawValue), not a file"
        case .symbolicLink: "is a symbolic link, which photoprov does not follow here"
        case .tooLarge(let bytes, let limit):
            "file of \(bytes) bytes is larger than "
                + (limit % (1 << 30) == 0 ? "\(limit >> 30) GB" : ByteCount.format(Int(clamping: limit)))
        case .system(let code): SystemError.describe(code)
        }
    }
}
