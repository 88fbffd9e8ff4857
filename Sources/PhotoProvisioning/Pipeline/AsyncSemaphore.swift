/// A counting semaphore for tasks: at most `limit` holders at once, waiters resumed in arrival order.
///
/// Bounds the codec stage to `--jobs` images at a time so the CPU stage never runs ahead of the uploads.
package actor AsyncSemaphore {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a semaphore with `limit` permits.
    package init(limit: Int) {
        available = max(1, limit)
    }

    /// Waits for a permit.
    package func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Returns a permit, handing it straight to the longest waiter if there is one.
    package func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` holding a permit.
    package func withPermit<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }
}
