import Foundation
import PhotoModel

extension GraphClient {
    /// One sub-request of a JSON `$batch`.
    struct BatchItem: Sendable {
        var id: String
        var url: GraphPath
    }

    /// One sub-response of a JSON `$batch`.
    struct BatchAnswer: Sendable {
        var status: Int
        var body: [String: any Sendable]
        var code: String? { (body["error"] as? [String: any Sendable])?["code"] as? String }
        var message: String? { (body["error"] as? [String: any Sendable])?["message"] as? String }
        /// `HTTP 404 ErrorInvalidUser: …`, for a look-up that failed.
        var problem: String { "HTTP \(status)\(code.map { " \($0)" } ?? "")\(message.map { ": \($0)" } ?? "")" }
    }

    /// Largest `$batch` Graph accepts.
    static let batchLimit = 20

    /// Looks up users by `keys` (UPN, mail, employeeId or object id) through `$batch`, 20 per request.
    ///
    /// - Returns: every distinct key mapped to found (id, UPN, accountEnabled), not found, ambiguous or failed.
    /// - Throws: `GraphError` when lookups are impossible: sign-in failed, User.Read.All missing (`.blocked`), or
    ///   Graph unreachable.
    public func resolveUsers(keys: [String], by match: MatchKey) async throws(GraphError) -> [String: UserLookup] {
        let select = ["id", "userPrincipalName", "mail", "employeeId", "accountEnabled"]
        return try await lookUp(
            keys, need: TargetKind.users.readPermission, unanswered: .failed("no answer in the batch"),
            url: { key in
                match == .mail || match == .employeeId
                    ? .users(where: match.rawValue, equals: key, select: select) : .object(.user(key), select: select)
            }
        ) { _, answer throws(GraphError) -> UserLookup in
            switch answer.status {
            case 200:
                if let values = answer.body["value"] as? [Any] {
                    let users = values.compactMap { ($0 as? [String: Any]).flatMap(Self.user(from:)) }
                    switch users.count {
                    case 0: return .notFound
                    case 1: return .found(users[0])
                    default: return .ambiguous(users)
                    }
                }
                return Self.user(from: answer.body).map { .found($0) } ?? .failed("unreadable user record")
            case 403:
                throw GraphError(
                    .blocked, "looking up users was refused: missing permission; grant User.Read.All", httpStatus: 403,
                    code: answer.code)
            case 404: return .notFound
            default: return .failed(answer.problem)
            }
        }
    }

    /// Looks each distinct key of `keys` up with one `$batch` sub-request (`url`), 20 per batch, and turns each
    /// answer (with its key) into a result with `decide`; a key left unanswered gets `unanswered`.
    ///
    /// - Throws: what `batch` throws, and what `decide` throws for an answer that makes every look-up impossible.
    func lookUp<Lookup>(
        _ keys: [String], need: String, unanswered: Lookup, url: (String) -> GraphPath,
        decide: (String, BatchAnswer) throws(GraphError) -> Lookup
    ) async throws(GraphError) -> [String: Lookup] {
        var seen = Set<String>()
        let unique = keys.filter { seen.insert($0).inserted }
        let items = unique.enumerated().map { BatchItem(id: String($0.offset), url: url($0.element)) }
        let answers = try await batch(items, need: need)
        var result: [String: Lookup] = [:]
        for (index, key) in unique.enumerated() {
            guard let answer = answers[String(index)] else {
                result[key] = unanswered
                continue
            }
            result[key] = try decide(key, answer)
        }
        return result
    }

    /// Reads, without changing anything, whether each target exists, is enabled and has a photo (`$batch`).
    ///
    /// - Throws: `GraphError` when the batch as a whole fails (sign-in, unreachable, not JSON) and `.blocked` when
    ///   Graph refuses to look objects up (User.Read.All missing): every target would fail the same way.
    public func lookupTargets(_ targets: [PhotoTarget]) async throws(GraphError) -> [PhotoTarget: TargetState] {
        var seen = Set<PhotoTarget>()
        let unique = targets.filter { seen.insert($0).inserted }
        var items: [BatchItem] = []
        for (index, target) in unique.enumerated() {
            let select: [String] =
                switch target.kind {
                case .users: ["id", "userPrincipalName", "accountEnabled"]
                case .contacts: ["id", "displayName"]
                case .groups, .teams: []
                }
            items.append(BatchItem(id: "o\(index)", url: .object(target, select: select)))
            items.append(BatchItem(id: "p\(index)", url: .photo(target)))
        }
        let need = unique.first?.kind.readPermission ?? TargetKind.users.readPermission
        let answers = try await batch(items, need: need)
        var result: [PhotoTarget: TargetState] = [:]
        for (index, target) in unique.enumerated() {
            var state = TargetState(exists: nil)
            if let object = answers["o\(index)"] {
                switch object.status {
                case 200:
                    state.exists = true
                    state.id = object.body["id"] as? String
                    state.name = object.body["userPrincipalName"] as? String ?? object.body["displayName"] as? String
                    state.accountEnabled = object.body["accountEnabled"] as? Bool
                case 404: state.exists = false
                case 403:
                    throw GraphError(
                        .blocked,
                        "looking up \(target.kind.rawValue) was refused: missing permission; grant "
                            + target.kind.readPermission,
                        httpStatus: 403, code: object.code)
                default: state.problem = .lookupFailed(target, status: object.status, code: object.code)
                }
            }
            if state.exists == true, let photo = answers["p\(index)"] {
                switch (photo.status, photo.code) {
                case (200, _):
                    let metadata = PhotoMetadata(json: photo.body)
                    state.hasPhoto = metadata != nil
                    state.etag = metadata?.etag
                case (404, "ImageNotFound"): state.hasPhoto = false
                case (_, let code?) where code.hasPrefix("Mailbox"): state.problem = .noMailbox(target)
                case (403, _): state.problem = .photoReadForbidden
                default: state.problem = .photoReadFailed(target, status: photo.status, code: photo.code)
                }
            }
            result[target] = state
        }
        return result
    }

    /// Sends `items` as JSON `$batch` requests of up to 20 (several batches in parallel, under the limiter) and
    /// retries sub-requests answered 429/503/504 after their `Retry-After`; `need` is the permission a 403 names.
    func batch(_ items: [BatchItem], need: String) async throws(GraphError) -> [String: BatchAnswer] {
        let chunks = stride(from: 0, to: items.count, by: Self.batchLimit).map {
            Array(items[$0..<min($0 + Self.batchLimit, items.count)])
        }
        do {
            return try await withThrowingTaskGroup(of: [String: BatchAnswer].self) { group in
                for chunk in chunks {
                    group.addTask { try await self.batchChunk(chunk, need: need) }
                }
                var all: [String: BatchAnswer] = [:]
                for try await answers in group { all.merge(answers) { first, _ in first } }
                return all
            }
        } catch let error as GraphError {
            throw error
        } catch {
            throw GraphError(.network, "batch lookup failed: \(error)")
        }
    }

    private func batchChunk(_ chunk: [BatchItem], need: String) async throws(GraphError) -> [String: BatchAnswer] {
        var pending = chunk
        var done: [String: BatchAnswer] = [:]
        var round = 0
        while !pending.isEmpty {
            round += 1
            let payload: [String: Any] = [
                "requests": pending.map { ["id": $0.id, "method": "GET", "url": $0.url.relative] }
            ]
            let body = try? JSONSerialization.data(withJSONObject: payload)
            let response = try await jsonRequest("POST", .batch, body: body, need: need)
            guard let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
                let responses = object["responses"] as? [[String: Any]]
            else {
                throw GraphError(
                    .request, "$batch answer is not JSON", httpStatus: response.status,
                    requestID: response.header("request-id"))
            }
            var retry: [BatchItem] = []
            var wait: Double = 0
            for sub in responses {
                guard let id = sub["id"] as? String, let status = sub["status"] as? Int else { continue }
                let answer = BatchAnswer(status: status, body: Self.sendable(sub["body"]))
                if RetryPolicy.isRetryable(status: status), round < self.retry.maxAttempts,
                    let item = pending.first(where: { $0.id == id })
                {
                    retry.append(item)
                    let headers = sub["headers"] as? [String: Any] ?? [:]
                    let header = headers.first { $0.key.lowercased() == "retry-after" }?.value
                    let after = RetryPolicy.parseRetryAfter(header.map { "\($0)" }, now: settings.clock.now())
                    wait = max(wait, self.retry.delay(afterAttempt: round, retryAfter: after))
                }
                done[id] = answer
            }
            pending = retry
            if !pending.isEmpty {
                do { try await settings.clock.sleep(seconds: wait) } catch {
                    throw GraphError(.network, "batch lookup cancelled")
                }
            }
        }
        return done
    }

    /// JSON values re-typed so answers can cross tasks (JSONSerialization yields Sendable leaf types).
    private static func sendable(_ value: Any?) -> [String: any Sendable] {
        guard let object = value as? [String: Any] else { return [:] }
        return object.mapValues { convert($0) }
    }

    private static func convert(_ value: Any) -> any Sendable {
        switch value {
        case let object as [String: Any]: return object.mapValues { convert($0) }
        case let array as [Any]: return array.map { convert($0) }
        case let string as String: return string
        case let bool as Bool: return bool
        case let number as NSNumber: return number.doubleValue
        default: return String(describing: value)
        }
    }

    private static func user(from object: [String: Any]) -> DirectoryUser? {
        guard let id = object["id"] as? String else { return nil }
        return DirectoryUser(
            id: id, userPrincipalName: object["userPrincipalName"] as? String ?? "",
            mail: object["mail"] as? String, employeeId: object["employeeId"] as? String,
            accountEnabled: object["accountEnabled"] as? Bool)
    }

}
