import Foundation

/// Writes messages for people: errors to stderr prefixed with the program name.
enum Terminal {
    /// Prints `message` to standard error as `photoprov: message`.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("photoprov: \(message)\n".utf8))
    }

    /// Prints `message` to standard error without a prefix.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// Whether standard error is a terminal (progress bars) or a file or pipe (plain lines, as under cron).
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }
}
