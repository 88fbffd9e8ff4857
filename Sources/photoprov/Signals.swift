import Dispatch
import Foundation
import PhotoProvisioning

/// SIGINT and SIGTERM for long runs: the first asks the run to stop taking new items and finish what is in
/// flight; the second exits at once (the journal stays consistent: every state change is already committed).
final class Signals {
    private let sources: [any DispatchSourceSignal]

    /// Starts listening; keep the returned value alive for as long as the run lasts.
    /// Unblocks SIGINT and SIGTERM, which a parent that spawned us from a worker thread may have handed down
    /// blocked. Call first thing on the main thread, so every thread started later inherits the mask.
    static func unblockInherited() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    init(stop: StopFlag) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.reason == .interrupted {
                    Terminal.note("photoprov: second signal, exiting now; the journal is consistent")
                    _exit(ExitCode.interrupted.rawValue)
                }
                stop.stop(.interrupted)
                Terminal.note("photoprov: stopping: no new items, finishing uploads in flight (signal again to quit now)")
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
