import Foundation
import PhotoProvisioning
import Synchronization

/// SIGINT and SIGTERM received so far. Written by the signal handler (atomics are async-signal-safe), read by the
/// watcher task.
private let receivedSignals = Atomic<Int>(0)

/// SIGINT and SIGTERM for long runs: the first asks the run to stop taking new items and finish what is in
/// flight; the second exits at once (the journal stays consistent: every state change is already committed).
///
/// A plain handler rather than a Dispatch signal source: on Linux those read a signalfd, which only sees signals
/// blocked in every thread, and a runtime's threads do not all block them.
final class Signals {
    private let watcher: Task<Void, Never>

    /// Unblocks SIGINT and SIGTERM, which a parent that spawned us from a worker thread may have handed down
    /// blocked. Call first thing on the main thread, so every thread started later inherits the mask.
    static func unblockInherited() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Starts listening; keep the returned value alive for as long as the run lasts.
    init(stop: StopFlag) {
        let handler: @convention(c) (Int32) -> Void = { _ in
            let (_, count) = receivedSignals.add(1, ordering: .sequentiallyConsistent)
            guard count >= 2 else { return }
            let message: StaticString = "photoprov: second signal, exiting now; the journal is consistent\n"
            _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
            _exit(ExitCode.interrupted.rawValue)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        watcher = Task.detached {
            while !Task.isCancelled {
                if receivedSignals.load(ordering: .sequentiallyConsistent) > 0 {
                    stop.stop(.interrupted)
                    Terminal.note(
                        "photoprov: stopping: no new items, finishing uploads in flight (signal again to quit now)")
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    deinit {
        watcher.cancel()
    }
}
