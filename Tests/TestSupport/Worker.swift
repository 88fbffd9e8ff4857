import Foundation

/// Runs blocking `work` (a codec call, a file scan) on a thread of its own and waits for it without holding a
/// thread of the cooperative pool, which has only as many threads as cores.
package func onWorkerThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
