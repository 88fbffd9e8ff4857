import Dispatch

/// Runs blocking work (the C codec, file reads) on Dispatch's threads instead of the cooperative pool.
///
/// Callers bound how many run at once (the `--jobs` window of a task group); this only moves the work
/// off the pool so network tasks keep running while images are being converted.
package enum BlockingWorkers {
    /// Runs `body` on a Dispatch worker thread and resumes with its result.
    package static func run<Success: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () -> Result<Success, Failure>
    ) async -> Result<Success, Failure> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: body())
            }
        }
    }
}
