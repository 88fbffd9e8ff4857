import PhotoProvisioning

/// The process exit codes, documented in README; every error becomes one of these here and nowhere else.
enum ExitCode: Int32 {
    /// Every item converted, uploaded or unchanged.
    case success = 0
    /// Some items failed or were invalid (or the policy verdict is unknown).
    case someFailed = 1
    /// Bad arguments or an unreadable source.
    case usage = 2
    /// Blocked by the tenant's photo policy or a missing permission.
    case blocked = 3
    /// Sign-in failed.
    case signInFailed = 4
    /// Interrupted by SIGINT or SIGTERM.
    case interrupted = 130
}

/// A mistake in how the command was called; always exit 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
