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
    /// The run stopped for a reason that is not one item's: Graph refused or failed a whole-run request (user
    /// look-ups without User.Read.All, the service unreachable), the report could not be written, the codec
    /// could not start, or the pipeline left work it was not asked to leave. The run is recorded `failed`.
    case infrastructure = 5
    /// The journal could not be opened, read or written: in use by another run, from a newer photoprov, not a
    /// journal, or a write failed (disk full, I/O error). A run that had started is recorded `failed` if possible.
    case journal = 6
    /// `--remove-missing` removed nothing: the source had unreadable rows or was not read to its end, or more
    /// photos would have gone than `--max-removals` allows. Everything else the run did stands.
    case removalsRefused = 7
    /// Interrupted by SIGINT or SIGTERM.
    case interrupted = 130
}

/// A mistake in how the command was called; always exit 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
