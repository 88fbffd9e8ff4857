import Foundation

/// A fixed number of threads for blocking work: the C codec, reading photos and sources, writing reports.
///
/// One pool of `--jobs` threads bounds every blocking call of a run, and none of them parks a thread of Swift's
/// cooperative pool. Work is taken first come, first served. Work still queued when its task is cancelled never
/// runs (the caller gets `CancellationError` at once); work already running finishes, since C code cannot be
/// interrupted. The idea is swift-nio's `NIOThreadPool.runIfActive`.
public final class BlockingPool: Sendable {
    /// How many threads run work at once.
    public let width: Int
    private let queue: WorkQueue

    /// Starts `threads` threads (at least one); they end when the pool is released.
    public init(threads: Int) {
        width = max(1, threads)
        queue = WorkQueue()
        for index in 0..<width {
            let thread = Thread { [queue] in queue.serve() }
            thread.name = "photoprov.blocking.\(index)"
            thread.start()
        }
    }

    deinit { queue.close() }

    /// Runs `body` on one of the pool's threads and returns its result.
    ///
    /// - Throws: what `body` throws, or `CancellationError` when the task is cancelled before `body` started.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let id = queue.newID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = WorkQueue.Job(
                    id: id, run: { continuation.resume(with: Result { try body() }) },
                    cancel: { continuation.resume(throwing: CancellationError()) })
                queue.add(job)
            }
        } onCancel: {
            queue.cancel(id)
        }
    }
}

/// The queue the pool's threads take work from.
///
/// `@unchecked Sendable`: `jobs`, `issued`, `cancelled`, `nextID` and `closed` are read and written only while `condition`
/// is locked; a job is removed from `jobs` under the lock before it is run or cancelled, so each job's
/// continuation is resumed exactly once.
private final class WorkQueue: @unchecked Sendable {
    struct Job {
        let id: UInt64
        let run: @Sendable () -> Void
        let cancel: @Sendable () -> Void
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    /// Ids handed out whose job is not added yet, and those of them cancelled already (the cancellation handler
    /// can run before the job is added).
    private var issued: Set<UInt64> = []
    private var cancelled: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private var closed = false

    func newID() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        nextID += 1
        issued.insert(nextID)
        return nextID
    }

    func add(_ job: Job) {
        condition.lock()
        issued.remove(job.id)
        if cancelled.remove(job.id) != nil || closed {
            condition.unlock()
            job.cancel()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func cancel(_ id: UInt64) {
        condition.lock()
        guard let index = jobs.firstIndex(where: { $0.id == id }) else {
            // Not added yet: refused when it comes. Otherwise running or done: nothing to do.
            if issued.contains(id) { cancelled.insert(id) }
            condition.unlock()
            return
        }
        let job = jobs.remove(at: index)
        condition.unlock()
        job.cancel()
    }

    /// A thread's life: take the oldest job, run it, until the queue closes.
    func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty && !closed { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.run()
        }
    }

    /// Ends every thread once the queued work is done.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
