#if canImport(Glibc)
    import Glibc
#endif

/// How the kernel should schedule photoprov's threads.
enum Scheduling {
    /// `SCHED_BATCH` from `<sched.h>`, which Swift's Glibc module does not export (it sits behind `_GNU_SOURCE`).
    private static let batchPolicy: Int32 = 3

    /// Marks the process a CPU-bound batch job (Linux `SCHED_BATCH`) so that waking network threads do not
    /// preempt image decoding at every event: with uploads waiting on a slow service this halved the context
    /// switches and cut CPU by about a tenth (`scripts/bench-pipeline`). Call first thing on the main thread;
    /// threads started later inherit the policy. Elsewhere, and when refused, nothing changes.
    static func preferThroughput() {
        #if os(Linux)
            var parameters = sched_param()
            parameters.sched_priority = 0
            _ = sched_setscheduler(0, batchPolicy, &parameters)
        #endif
    }
}
