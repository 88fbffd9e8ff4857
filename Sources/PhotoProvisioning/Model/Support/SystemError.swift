import Foundation

/// The operating system's words for an `errno`, lower-case as every photoprov message is: the one `strerror`.
public enum SystemError {
    /// `strerror(code)` lower-cased, e.g. `no such file or directory`.
    public static func describe(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }

    /// The current `errno`, described. Read it right after the failing call.
    public static var last: String { describe(errno) }
}
