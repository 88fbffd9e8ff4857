import Foundation
import PhotoProvisioning
import Synchronization

/// SIGINT and SIGTERM received so far. Written by the signal handler (atomics are async-signal-safe).
private let receivedSignals = Atomic<Int>(0)
/// The write end of the pipe that wakes the watcher; -1 while nobody listens.
private let wakeDescriptor = Atomic<Int32>(-1)

/// SIGINT and SIGTERM for long runs: the first asks the run to stop taking new items and finish what is in
/// flight; the second exits at once (the journal stays consistent: every state change is already committed).
///
/// A plain handler rather than a Dispatch signal source: on Linux those read a signalfd, which only sees signals
/// blocked in every thread, and a runtime's threads do not all block them. The handler writes one byte to a pipe
/// (async-signal-safe); a Dispatch read source on the other end sets the stop flag, so nothing polls.
final class Signals {
    private let source: DispatchSourceRead

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
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)  // a full pipe must never block the handler
        }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler {
            var drained = [UInt8](repeating: 0, count: 16)
            _ = read(readEnd, &drained, drained.count)
            guard !stop.isSet else { return }
            stop.stop(.interrupted)
            Terminal.note("photoprov: stopping: no new items, finishing uploads in flight (signal again to quit now)")
        }
        source.setCancelHandler {
            close(readEnd)
            close(writeEnd)
        }
        wakeDescriptor.store(writeEnd, ordering: .sequentiallyConsistent)
        let handler: @convention(c) (Int32) -> Void = { _ in
            let (_, count) = receivedSignals.add(1, ordering: .sequentiallyConsistent)
            if count >= 2 {
                let message: StaticString = "photoprov: second signal, exiting now; the journal is consistent\n"
                _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
                _exit(ExitCode.interrupted.rawValue)
            }
            var byte: UInt8 = 1
            _ = write(wakeDescriptor.load(ordering: .sequentiallyConsistent), &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        source.resume()
    }

    deinit {
        wakeDescriptor.store(-1, ordering: .sequentiallyConsistent)
        source.cancel()
    }
}
