import Foundation
import PhotoCodec
import Synchronization

@testable import PhotoProvisioning

/// A Graph for in-process pipeline tests: answers every request from a script, records each call in order, and
/// can hold requests until the test releases them, so tests act on events instead of sleeping. It keeps the photos
/// it was given and the ones PUT (with a new ETag each time, as Graph does), so the reads before and after each
/// write see them.
final class ScriptedGraph: GraphService {
    /// How one photo request is answered.
    enum Answer: Sendable {
        /// 200 with a request-id.
        case ok
        /// A classified failure with its HTTP status and Graph code.
        case fail(FailureReason, status: Int, code: String)
        /// Never answered until the caller's task is cancelled; then `.cancelled`, as `GraphClient` does.
        case hang
        /// Held until `release(_:)`, then answered `.ok`.
        case held
        /// `.cancelled` at once, as if the request were torn down under a run nobody stopped.
        case cancelled
    }

    /// One request the pipeline made.
    enum Call: Sendable, Equatable {
        case signIn, preflight, put(String), delete(String), read(String), metadata(String)
        case resolve([String]), lookup([String])

        var isWrite: Bool {
            switch self {
            case .put, .delete: true
            default: false
            }
        }
    }

    private struct State {
        var answers: [String: Answer] = [:]
        var calls: [Call] = []
        var inFlight = 0
        var peakInFlight = 0
        var held: [CheckedContinuation<Void, Never>] = []
        var released = false
        var hung: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextHung: UInt64 = 0
        var watchers: [(predicate: @Sendable ([Call]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        var photos: [String: StoredPhoto] = [:]
        var serial = 0
        var cancelledReadBacks: Set<String> = []
    }

    private let state = Mutex(State())
    private let defaultAnswer: Answer
    private let policy: Verdict
    private let signInError: GraphError?
    private let users: [String: UserLookup]
    private let resolveError: GraphError?
    private let targets: [String: TargetState]
    private let storedSizes: [String: (width: Int, height: Int)]
    private let readsCarryETag: Bool

    /// - Parameters:
    ///   - answer: how photo requests are answered unless `answers` names the key.
    ///   - policy: the preflight's verdict.
    ///   - users: what `resolveUsers` finds per key (others are `.notFound`); `resolveError` throws instead.
    ///   - targets: what `lookupTargets` finds per key (others exist, enabled, without a photo).
    ///   - photos: the photos keys have before the run.
    ///   - storedSizes: keys whose metadata reports this size after a PUT instead of the photo's own.
    ///   - readsCarryETag: whether `readPhoto` gives the ETag (else only the metadata has it).
    init(
        answer: Answer = .ok, answers: [String: Answer] = [:], policy: Verdict = .allowed,
        signInError: GraphError? = nil, users: [String: UserLookup] = [:], resolveError: GraphError? = nil,
        targets: [String: TargetState] = [:], photos: [String: Data] = [:],
        storedSizes: [String: (width: Int, height: Int)] = [:], readsCarryETag: Bool = true
    ) {
        defaultAnswer = answer
        self.policy = policy
        self.signInError = signInError
        self.users = users
        self.resolveError = resolveError
        self.targets = targets
        self.storedSizes = storedSizes
        self.readsCarryETag = readsCarryETag
        state.withLock { state in
            state.answers = answers
            for (key, bytes) in photos { Self.store(bytes, for: key, in: &state) }
        }
    }

    /// From now on, `photoMetadata` of these keys answers `.cancelled`, as when a run is torn down mid-request.
    func cancelReadBacks(of keys: Set<String>) { state.withLock { $0.cancelledReadBacks = keys } }

    /// The photo `key` holds now.
    func photo(_ key: String) -> StoredPhoto? { state.withLock { $0.photos[key] } }

    private static func store(_ bytes: Data, for key: String, in state: inout State) {
        state.serial += 1
        state.photos[key] = StoredPhoto(bytes: bytes, contentType: "image/jpeg", etag: "\"E\(state.serial)\"")
    }

    // MARK: What the test sees

    /// Every call so far, in the order they arrived.
    var calls: [Call] { state.withLock { $0.calls } }
    /// The keys PUT so far, in order.
    var puts: [String] { calls.compactMap { if case .put(let key) = $0 { key } else { nil } } }
    /// The most photo requests that were open at once.
    var peakInFlight: Int { state.withLock { $0.peakInFlight } }

    /// Returns once the calls so far satisfy `predicate` (e.g. "3 PUTs arrived").
    func waitUntil(_ predicate: @escaping @Sendable ([Call]) -> Bool) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if predicate(state.calls) { return true }
                state.watchers.append((predicate, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Returns once `count` PUTs have arrived.
    func waitForPuts(_ count: Int) async {
        await waitUntil { calls in calls.filter { if case .put = $0 { true } else { false } }.count >= count }
    }

    /// Lets every held request go on, and answers later `.held` ones at once.
    func releaseHeld() {
        let held = state.withLock { state in
            defer { state.held = [] }
            state.released = true
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    // MARK: GraphService

    func signIn() async throws(GraphError) -> SignedInIdentity {
        record(.signIn)
        if let signInError { throw signInError }
        return SignedInIdentity(
            claims: AccessTokenClaims(roles: ["ProfilePhoto.ReadWrite.All"]), credential: .managedIdentity)
    }

    func preflight() async -> PolicyReport {
        record(.preflight)
        return PolicyReport(
            verdict: policy, settings: PhotoUpdateSettings(source: "cloud", allowedRoles: []), settingsError: nil,
            identity: SignedInIdentity(claims: nil, credential: .managedIdentity),
            explanation: policy == .allowed ? [] : ["scripted \(policy.rawValue)"], permissions: [])
    }

    func putPhoto(_ target: PhotoTarget, jpeg: Data) async -> GraphOutcome {
        let outcome = await answer(.put(target.key), target: target)
        if outcome.succeeded { state.withLock { Self.store(jpeg, for: target.key, in: &$0) } }
        return outcome
    }

    func deletePhoto(_ target: PhotoTarget) async -> GraphOutcome {
        let outcome = await answer(.delete(target.key), target: target)
        if outcome.succeeded { _ = state.withLock { $0.photos.removeValue(forKey: target.key) } }
        return outcome
    }

    func readPhoto(_ target: PhotoTarget) async -> PhotoRead {
        record(.read(target.key))
        var photo = self.photo(target.key)
        if !readsCarryETag { photo?.etag = nil }
        return PhotoRead(outcome: GraphOutcome(failure: nil, message: "\(target) read", attempts: 1), photo: photo)
    }

    func photoMetadata(_ target: PhotoTarget) async -> PhotoMetadataRead {
        record(.metadata(target.key))
        if state.withLock({ $0.cancelledReadBacks.contains(target.key) }) {
            return PhotoMetadataRead(outcome: Self.cancelled(target), metadata: nil)
        }
        let ok = GraphOutcome(failure: nil, message: "", attempts: 1)
        guard let photo = self.photo(target.key) else { return PhotoMetadataRead(outcome: ok, metadata: nil) }
        let size =
            storedSizes[target.key].map { ($0.width, $0.height) }
            ?? (try? PhotoCodec.decode([UInt8](photo.bytes))).map { ($0.width, $0.height) }
        return PhotoMetadataRead(
            outcome: ok,
            metadata: PhotoMetadata(etag: photo.etag, contentType: photo.contentType, width: size?.0, height: size?.1))
    }

    func resolveUsers(keys: [String], by match: MatchKey) async throws(GraphError) -> [String: UserLookup] {
        record(.resolve(keys))
        if let resolveError { throw resolveError }
        return Dictionary(keys.map { ($0, users[$0] ?? .notFound) }, uniquingKeysWith: { first, _ in first })
    }

    func lookupTargets(_ targets: [PhotoTarget]) async throws(GraphError) -> [PhotoTarget: TargetState] {
        record(.lookup(targets.map(\.key)))
        return Dictionary(
            targets.map {
                ($0, self.targets[$0.key] ?? TargetState(exists: true, accountEnabled: true, hasPhoto: false))
            },
            uniquingKeysWith: { first, _ in first })
    }

    // MARK: Answering

    private func record(_ call: Call) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.calls.append(call)
            var ready: [CheckedContinuation<Void, Never>] = []
            state.watchers.removeAll { watcher in
                guard watcher.predicate(state.calls) else { return false }
                ready.append(watcher.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    private func answer(_ call: Call, target: PhotoTarget) async -> GraphOutcome {
        let key = target.key
        let answer = state.withLock { state -> Answer in
            state.inFlight += 1
            state.peakInFlight = max(state.peakInFlight, state.inFlight)
            return state.answers[key] ?? defaultAnswer
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        record(call)
        switch answer {
        case .ok:
            return Self.ok(target)
        case .fail(let reason, let status, let code):
            return GraphOutcome(
                failure: reason, message: "\(target): \(reason)", httpStatus: status, graphCode: code,
                requestID: "req-\(key)", attempts: 1)
        case .held:
            await withCheckedContinuation { continuation in
                let released = state.withLock { state -> Bool in
                    if state.released { return true }
                    state.held.append(continuation)
                    return false
                }
                if released { continuation.resume() }
            }
            return Self.ok(target)
        case .hang:
            let id = state.withLock { state -> UInt64 in
                state.nextHung += 1
                return state.nextHung
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let cancelled = state.withLock { state -> Bool in
                        if Task.isCancelled { return true }
                        state.hung[id] = continuation
                        return false
                    }
                    if cancelled { continuation.resume() }
                }
            } onCancel: {
                state.withLock { $0.hung.removeValue(forKey: id) }?.resume()
            }
            return Self.cancelled(target)
        case .cancelled:
            return Self.cancelled(target)
        }
    }

    private static func ok(_ target: PhotoTarget) -> GraphOutcome {
        GraphOutcome(
            failure: nil, message: "\(target): done", httpStatus: 200, requestID: "req-\(target.key)", attempts: 1)
    }

    private static func cancelled(_ target: PhotoTarget) -> GraphOutcome {
        GraphOutcome(failure: .cancelled, message: "\(target): cancelled", attempts: 1)
    }
}
