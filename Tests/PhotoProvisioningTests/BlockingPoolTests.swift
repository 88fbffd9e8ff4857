import Dispatch
import Synchronization
import Testing

@testable import PhotoProvisioning

/// Counts work running at once and lets the test decide when each piece may finish. The test waits for starts
/// without blocking a thread of the cooperative pool; only the pool's own threads block, in `work()`.
private final class Gate: Sendable {
    let proceed = DispatchSemaphore(value: 0)
    private struct Counts {
        var running = 0, peak = 0, ran = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let counts = Mutex(Counts())

    /// The blocking work: counts itself in, wakes a waiting test, waits for the test, counts itself out.
    func work() {
        let ready = counts.withLock { counts -> [CheckedContinuation<Void, Never>] in
            counts.running += 1
            counts.peak = max(counts.peak, counts.running)
            counts.ran += 1
            let ran = counts.ran
            defer { counts.waiters.removeAll { $0.count <= ran } }
            return counts.waiters.filter { $0.count <= ran }.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
        proceed.wait()
        counts.withLock { $0.running -= 1 }
    }

    /// Returns once `count` pieces of work have started.
    func started(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now = counts.withLock { counts -> Bool in
                if counts.ran >= count { return true }
                counts.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    var peak: Int { counts.withLock { $0.peak } }
    var ran: Int { counts.withLock { $0.ran } }
}

/// Whether a piece of work ran.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

private struct Broken: Error, Equatable {}

@Suite struct BlockingPoolTests {
    @Test func neverRunsMoreThanItsWidthAtOnce() async throws {
        let pool = BlockingPool(threads: 3)
        let gate = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 { group.addTask { try await pool.run { gate.work() } } }
            await gate.started(3)
            #expect(gate.ran == 3, "three threads, three pieces of work started")
            for _ in 0..<12 { gate.proceed.signal() }
            try await group.waitForAll()
        }
        #expect(gate.ran == 12)
        #expect(gate.peak == 3)
    }

    @Test func queuedWorkWhoseTaskIsCancelledNeverRuns() async throws {
        let pool = BlockingPool(threads: 1)
        let gate = Gate()
        let busy = Task { try await pool.run { gate.work() } }
        await gate.started(1)  // the only thread is taken until the test lets it go
        let ranQueued = Flag()
        let queued = Task { try await pool.run { ranQueued.set() } }
        queued.cancel()
        await #expect(throws: CancellationError.self) { try await queued.value }
        gate.proceed.signal()
        try await busy.value
        #expect(!ranQueued.isSet, "cancelled while queued: never started")
        // The pool still works afterwards, and work cancelled before it is even queued is refused too.
        #expect(try await pool.run { 42 } == 42)
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pool.run { ranQueued.set() }
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(!ranQueued.isSet)
    }

    @Test func errorsComeBackToTheCaller() async {
        let pool = BlockingPool(threads: 2)
        await #expect(throws: Broken()) { try await pool.run { throw Broken() } }
    }
}
