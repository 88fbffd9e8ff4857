import PhotoGraph
import PhotoModel
import Synchronization

/// Stops a run once Graph refuses several photo writes in a row for a reason that is the tenant's, not the
/// item's: the photo policy (`ForbiddenByAdmindEditPolicy`, e.g. the source switched to `onPremises` mid-run) or
/// a missing permission. Every later upload would be refused the same way, so sending them only burns requests.
///
/// One per run, shared by every item task. A success in between starts the count again, so a refusal that
/// concerns one user alone never stops the run.
final class RefusalBrake: Sendable {
    /// Refusals in a row that stop the run.
    static let threshold = 3

    /// What the run does once the brake has tripped.
    struct Stop: Sendable {
        /// Why the run stops (exit 3).
        var error: GraphError
        /// Items refused in the streak, recorded `failed` but not their own fault: put them back to `pending`.
        var items: [Int64]
    }

    private struct State {
        var streak: [Int64] = []
        var tripped: GraphError?
        /// The streak that tripped the brake.
        var putBack: Set<Int64> = []
    }

    private let state = Mutex(State())

    /// Whether `failure` is one of the refusals that concern the whole run.
    static func concernsTheRun(_ failure: FailureReason?) -> Bool {
        failure == .blockedByPolicy || failure == .missingPermission
    }

    /// Whether the brake has tripped: no new item should start.
    var isTripped: Bool { state.withLock { $0.tripped != nil } }

    /// Counts one finished write of item `item`; returns what to do when the run must stop now (the streak just
    /// reached `threshold`, or had already, in which case only this item is put back).
    func record(_ outcome: GraphOutcome, item: Int64) -> Stop? {
        state.withLock { state -> Stop? in
            guard Self.concernsTheRun(outcome.failure) else {
                if outcome.succeeded, state.tripped == nil { state.streak = [] }
                return nil
            }
            if let tripped = state.tripped { return Stop(error: tripped, items: [item]) }
            state.streak.append(item)
            guard state.streak.count >= Self.threshold else { return nil }
            let error = GraphError(
                .blocked,
                "graph refused \(state.streak.count) photo writes in a row (\(outcome.message)); the rest were not "
                    + "sent — fix the policy or permission ('photoprov policy' shows both)",
                httpStatus: outcome.httpStatus, code: outcome.graphCode, requestID: outcome.requestID)
            state.tripped = error
            state.putBack = Set(state.streak)
            return Stop(error: error, items: state.streak)
        }
    }

    /// Why the run stopped, when item `item` was one of the refusals that tripped the brake. An item of the streak
    /// may record its own failure after the tripping item put it back to `pending`; asked after that record, this
    /// tells it to put itself back.
    func stop(covering item: Int64) -> GraphError? {
        state.withLock { $0.putBack.contains(item) ? $0.tripped : nil }
    }
}
