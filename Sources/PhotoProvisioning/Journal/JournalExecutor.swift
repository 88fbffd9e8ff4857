import Dispatch

/// The serial executor the `Journal` actor runs on: one Dispatch queue of its own, so SQLite's blocking
/// calls (fsync included) occupy that queue's thread and never a thread of Swift's cooperative pool.
final class JournalExecutor: SerialExecutor {
    let queue: DispatchQueue
    /// Marks the queue so tests can prove the journal's code runs there.
    static let marker = DispatchSpecificKey<Bool>()

    init() {
        queue = DispatchQueue(label: "photoprov.journal", qos: .userInitiated)
        queue.setSpecific(key: JournalExecutor.marker, value: true)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
