import Foundation
import PhotoCodec
import PhotoGraph
import PhotoJournal
import PhotoModel
import PhotoSources
import Synchronization

/// What every item task shares: the journal, the threads for blocking work, the planning's path checks (`nil` for a
/// restore, which reads no source), the run's face detector, and the brake that stops the run when Graph refuses
/// every write.
struct ItemContext: Sendable {
    let journal: Journal
    let pool: BlockingPool
    let photos: PathGuard?
    /// `--crop auto`'s detector, loaded once per run; nil for `--crop square|none` and restores.
    let framer: FaceFramer?
    let brake = RefusalBrake()
    /// Dry runs under a blocked policy: why every write would be refused (each item then "would fail").
    let dryRunBlock: String?
}

/// A photo read, hashed and (unless unchanged) converted: the codec stage's result, its facts already mapped.
/// `record` is the stat cache's new record of a file read and hashed (`UploadJob.readPhoto`).
enum Prepared: Sendable {
    /// `read` is false when the stat cache vouched for the file, which was not read.
    case unchanged(sha256: String, bytes: Int, read: Bool, record: Journal.SourceFile?)
    /// `warning`: what did not stop the conversion (a broken colour profile), for the item's reason.
    case converted(
        PhotoFacts, jpeg: [UInt8], sourcePreview: [UInt8]?, outputPreview: [UInt8]?, warning: String?,
        record: Journal.SourceFile?)
    case failed(FailureReason, String)
    /// The run was stopped before the work started: left for the next run.
    case skipped
}

extension UploadJob {
    /// Works through the run's items that need work, at most `limit`, paging them out of the journal, with a
    /// sliding window of tasks until done or stopped; a stop lets uploads in flight finish for up to
    /// `gracePeriod` seconds, then cancels them (they stay `uploading` and resume next run).
    ///
    /// - Throws: the first failure that is not an item's own (a journal write, Graph refusing the look-ups); the
    ///   items in flight are cancelled and keep their last recorded state.
    func process(
        run: Int64, limit: Int, journal: Journal, pool: BlockingPool, photos: PathGuard?, framer: FaceFramer?
    ) async throws {
        let context = ItemContext(
            journal: journal, pool: pool, photos: photos, framer: framer, dryRunBlock: dryRunBlock)
        let window = settings.jobs * 2 + settings.concurrency
        let processing = Task {
            var pages = WorkPages(job: self, run: run, limit: limit, journal: journal)
            try await withThrowingTaskGroup(of: Void.self) { group in
                var inFlight = 0
                func fill() async throws {
                    while inFlight < window, !stop.isSet, !context.brake.isTripped,
                        let (item, lookup) = try await pages.next()
                    {
                        group.addTask { try await self.process(item, lookup: lookup, context: context) }
                        inFlight += 1
                    }
                }
                try await fill()
                while try await group.next() != nil {
                    inFlight -= 1
                    try await fill()
                }
            }
        }
        let announced = Once()
        let announce = { @Sendable (reason: StopFlag.Reason) in
            if announced.first() { self.events(.stopping(reason)) }
        }
        // Waits for a stop (a signal, or the time limit running out), then grants the grace period and cancels
        // what is still in flight. No polling: it sleeps until one of those happens.
        let watchdog = Task {
            guard let reason = await stopReason() else { return }
            announce(reason)
            do {
                try await Task.sleep(for: .seconds(settings.gracePeriod))
            } catch {
                return
            }
            processing.cancel()
        }
        defer { watchdog.cancel() }
        try await processing.value
        if let reason = stop.reason { announce(reason) }
    }

    /// Returns why the run stops: the stop flag once set, or the time limit once `--max-duration` has passed (which
    /// sets the flag); `nil` when cancelled first (the run ended by itself).
    private func stopReason() async -> StopFlag.Reason? {
        await withTaskGroup(of: StopFlag.Reason?.self) { group in
            group.addTask { await stop.stopped() }
            if let limit = settings.maxDuration {
                group.addTask {
                    guard (try? await Task.sleep(for: .seconds(limit))) != nil else { return nil }
                    stop.stop(.timeLimit)
                    return stop.reason
                }
            }
            defer { group.cancelAll() }
            for await reason in group {
                if let reason { return reason }
            }
            return nil
        }
    }

    /// One item from its recorded state to its next final one; a journal write that fails stops the run.
    private func process(_ item: Journal.Item, lookup: TargetState?, context: ItemContext) async throws {
        guard !stop.isSet else { return }
        if item.state == .verifying { return try await verifyAccepted(item, context: context) }
        if item.restoresBackup != nil { return try await restore(item, lookup: lookup, context: context) }
        switch item.action {
        case .upload: try await upload(item, lookup: lookup, context: context)
        case .remove: try await remove(item, context: context)
        }
    }

    func finish(_ item: Journal.Item, _ update: Journal.ItemUpdate, detail: String, context: ItemContext)
        async throws
    {
        try await context.journal.record(update, item: item.id)
        events(
            .item(
                ItemEvent(key: item.key, location: item.line.map { "line \($0)" }, state: update.state, detail: detail))
        )
    }

    private func upload(_ item: Journal.Item, lookup: TargetState?, context: ItemContext) async throws {
        let last =
            settings.force
            ? nil
            : try await context.journal.lastUpload(
                target: item.target, match: item.match, mailbox: item.mailbox, key: item.key)
        guard let path = item.sourcePath, let photos = context.photos else {
            try await finish(
                item, Journal.ItemUpdate(.failed, failure: .noPhotoFile, reason: "no photo file"),
                detail: "no photo file",
                context: context)
            return
        }
        let codec = settings.codec
        let fingerprint = settings.fingerprint
        let framer = context.framer
        let previews = settings.keepPreviews
        let stop = self.stop
        let cache = try await statCache(for: path, last: last, journal: context.journal)
        let prepared: Prepared
        do {
            // Queued behind --jobs conversions; a stop meanwhile leaves the item for the next run, and the
            // cancellation after the grace period takes it out of the queue.
            prepared = try await context.pool.run {
                stop.isSet
                    ? .skipped
                    : Self.prepare(
                        path: path, photos: photos, last: last, cache: cache, codec: codec, framer: framer,
                        fingerprint: fingerprint, previews: previews)
            }
        } catch is CancellationError {
            return
        }
        if let record = prepared.record { try await context.journal.remember(record, run: item.runID) }

        switch prepared {
        case .skipped:
            return
        case .failed(let failure, let reason):
            try await finish(
                item, Journal.ItemUpdate(.failed, failure: failure, reason: reason), detail: reason, context: context)
        case .unchanged(let sha, let bytes, let read, _):
            var update = Journal.ItemUpdate(.unchanged, photo: PhotoFacts(sourceSHA256: sha, sourceBytes: bytes))
            update.fingerprint = fingerprint
            let detail = "same photo and settings as the last upload" + (read ? "" : Self.vouchedNote)
            try await finish(item, update, detail: detail, context: context)
        case .converted(let photo, let jpeg, let sourcePreview, let outputPreview, let warning, _):
            // A warning (a colour profile that could not be used) stays the item's reason while it succeeds.
            var update = Journal.ItemUpdate(.converted, reason: warning, photo: photo)
            update.fingerprint = fingerprint
            try await context.journal.record(update, item: item.id)
            if let sha = photo.sourceSHA256 {
                if let sourcePreview {
                    try await context.journal.storeOriginalPreview(Data(sourcePreview), sourceSHA256: sha)
                }
                if let outputPreview {
                    try await context.journal.storeOutputPreview(
                        Data(outputPreview), sourceSHA256: sha, fingerprint: fingerprint)
                }
            }
            let facts =
                ([
                    "\(ByteCount.format(jpeg.count)) \(photo.outputWidth ?? 0)×\(photo.outputHeight ?? 0) "
                        + "q\(photo.outputQuality ?? 0)"
                ] + (photo.framing?.flags.map(\.rawValue) ?? [])).joined(separator: " ")
            if settings.dryRun {
                try await finishDryRun(item, facts: facts, warning: warning, lookup: lookup, context: context)
                return
            }
            // Once the brake has tripped, no further write is sent: the item waits for the same command.
            guard !Task.isCancelled, !context.brake.isTripped else { return }
            let (onlyMissing, overwriteOthers) = (settings.onlyMissing, settings.overwriteOthers)
            guard
                try await backUp(
                    item, context: context,
                    rule: { current in
                        WriteRules.upload(
                            current, last: try await lastUpload(of: item, context: context), onlyMissing: onlyMissing,
                            overwriteOthers: overwriteOthers)
                    })
            else { return }
            guard !context.brake.isTripped else { return }
            try await context.journal.record(Journal.ItemUpdate(.uploading), item: item.id)
            let outcome = await graph.putPhoto(target(of: item), jpeg: Data(jpeg))
            if outcome.failure == .cancelled { return }  // stays `uploading`: offered again on resume
            try Self.stopOnSignInFailure(outcome)
            try await stopIfRefusedForTheRun(item, outcome, context: context)
            if outcome.succeeded {
                try await finishPut(
                    item, outcome, sentWidth: photo.outputWidth, sentHeight: photo.outputHeight, state: .uploaded,
                    detail: facts, warning: warning, context: context)
            } else {
                let result = Journal.ItemUpdate(
                    .failed, failure: outcome.failure, reason: outcome.description, reply: GraphReply(outcome))
                try await finish(item, result, detail: outcome.description, context: context)
                try await putBackIfTheRunStopped(item, outcome, context: context)
            }
        }
    }

    /// A dry run's verdict for a converted item: would upload, or would fail and why.
    private func finishDryRun(
        _ item: Journal.Item, facts: String, warning: String?, lookup: TargetState?, context: ItemContext
    ) async throws {
        let state = lookup ?? TargetState(exists: nil)
        if state.exists == false {
            let reason = "would fail: \(item.target.noun) \(item.key) not found"
            try await finish(
                item, Journal.ItemUpdate(.failed, failure: .notFound, reason: reason), detail: reason, context: context)
            return
        }
        var notes = warning.map { [$0] } ?? []
        switch state.problem {
        case .notChecked(let why)?:
            notes.append(TargetProblem.notChecked(why).description)
        case let problem? where problem.failsUpload || state.exists != true:
            let reason = "would fail: \(problem)"
            let update = Journal.ItemUpdate(
                .failed, failure: problem.failsUpload ? .noMailbox : .lookupFailed, reason: reason)
            try await finish(item, update, detail: reason, context: context)
            return
        default:
            break
        }
        if let blocked = context.dryRunBlock {
            let reason = "would fail: blocked by the tenant's photo policy: \(blocked)"
            try await finish(
                item, Journal.ItemUpdate(.failed, failure: .blockedByPolicy, reason: reason), detail: reason,
                context: context)
            return
        }
        if state.accountEnabled == false { notes.append("account disabled") }
        let current = CurrentPhoto(hasPhoto: state.hasPhoto, etag: state.etag)
        let rule = WriteRules.upload(
            current, last: try await lastUpload(of: item, context: context), onlyMissing: settings.onlyMissing,
            overwriteOthers: settings.overwriteOthers)
        if case .skip(let kept, let why) = rule {
            let reason = "would keep: " + why
            try await finish(item, Journal.ItemUpdate(kept, reason: reason), detail: reason, context: context)
            return
        }
        if state.hasPhoto == true { notes.append("replaces the current photo (backed up first)") }
        if state.hasPhoto == false { notes.append("no photo yet") }
        let predicted: ItemState = state.hasPhoto.map { $0 ? .wouldReplace : .wouldAdd } ?? .wouldUpload
        var update = Journal.ItemUpdate(predicted, reason: notes.isEmpty ? nil : notes.joined(separator: "; "))
        update.resolvedID = state.id ?? item.resolvedID
        try await finish(item, update, detail: ([facts] + notes).joined(separator: "; "), context: context)
    }

    private func remove(_ item: Journal.Item, context: ItemContext) async throws {
        guard item.target.canDeletePhoto else {
            // Nothing is sent: Graph has no delete for this kind's photo. The photo stays, and so does its record.
            let reason = (settings.dryRun ? "would fail: " : "") + Self.undeletable(item.target)
            try await finish(
                item, Journal.ItemUpdate(.failed, failure: .unsupported, reason: reason), detail: reason,
                context: context)
            return
        }
        if settings.dryRun {
            if let blocked = context.dryRunBlock {
                let reason = "would fail: blocked by the tenant's photo policy: \(blocked)"
                try await finish(
                    item, Journal.ItemUpdate(.failed, failure: .blockedByPolicy, reason: reason), detail: reason,
                    context: context)
            } else {
                try await finish(
                    item, Journal.ItemUpdate(.wouldRemove, reason: "not in the source any more"),
                    detail: "would delete the photo (not in the source any more)", context: context)
            }
            return
        }
        let overwriteOthers = settings.overwriteOthers
        guard
            try await backUp(
                item, context: context,
                rule: { current in
                    WriteRules.removal(
                        current, last: try await lastUpload(of: item, context: context),
                        overwriteOthers: overwriteOthers)
                })
        else { return }
        guard !context.brake.isTripped else { return }
        try await context.journal.record(Journal.ItemUpdate(.removing), item: item.id)
        let outcome = await graph.deletePhoto(target(of: item))
        if outcome.failure == .cancelled { return }
        try Self.stopOnSignInFailure(outcome)
        try await stopIfRefusedForTheRun(item, outcome, context: context)
        // A photo that is already gone is what --remove-missing wanted.
        let gone = outcome.succeeded || outcome.httpStatus == 404
        let result = Journal.ItemUpdate(
            gone ? .removed : .failed, failure: gone ? nil : outcome.failure, reason: gone ? nil : outcome.description,
            reply: GraphReply(outcome))
        try await finish(item, result, detail: gone ? "photo deleted" : outcome.description, context: context)
        if !gone { try await putBackIfTheRunStopped(item, outcome, context: context) }
    }

    /// A token that cannot be renewed mid-run (after the sign-in's own retries) is the run's problem, not the
    /// item's: the run stops with the sign-in error (exit 4) and the item stays `uploading`/`removing`, to be sent
    /// again when the same command runs next, instead of being counted failed with no request sent.
    private static func stopOnSignInFailure(_ outcome: GraphOutcome) throws(GraphError) {
        guard outcome.failure == .signInFailed else { return }
        throw GraphError(.signIn, outcome.message)
    }

    /// Counts `outcome` on the run's refusal brake; once it trips (the policy or a missing permission refused
    /// several writes in a row), puts the refused items back to `pending` for the next run of the same command
    /// and stops the run with the reason (exit 3), so no more doomed requests are sent.
    private func stopIfRefusedForTheRun(_ item: Journal.Item, _ outcome: GraphOutcome, context: ItemContext)
        async throws
    {
        guard let halt = context.brake.record(outcome, item: item.id) else { return }
        for id in halt.items {
            try await context.journal.record(
                Journal.ItemUpdate(.pending, reason: "not done: the run stopped because \(outcome.message)"), item: id)
        }
        throw halt.error
    }

    /// Puts a refused item back to `pending` when its refusal was one of those that stopped the run, but was
    /// recorded `failed` after the stop had put it back (the items of a streak finish in any order).
    private func putBackIfTheRunStopped(_ item: Journal.Item, _ outcome: GraphOutcome, context: ItemContext)
        async throws
    {
        guard RefusalBrake.concernsTheRun(outcome.failure), let error = context.brake.stop(covering: item.id) else {
            return
        }
        try await context.journal.record(
            Journal.ItemUpdate(.pending, reason: "not done: the run stopped because \(outcome.message)"), item: item.id)
        throw error
    }

    /// Reads, hashes and (unless unchanged) converts one photo; blocking, so it runs on the pool. A photo the stat
    /// cache vouches for is not read.
    @available(*, noasync, message: "blocking file I/O and CPU work: run it on the BlockingPool")
    private static func prepare(
        path: String, photos: PathGuard, last: Journal.LastUpload?, cache: StatCache, codec: ConvertOptions,
        framer: FaceFramer?, fingerprint: String, previews: Bool
    ) -> Prepared {
        let (data, sha, record): ([UInt8], String, Journal.SourceFile?)
        switch readPhoto(path, photos: photos, cache: cache) {
        case .success(.vouched(let known)):
            return .unchanged(sha256: known.sha256, bytes: Int(known.stat.size), read: false, record: nil)
        case .success(.read(let bytes, let digest, let fresh)): (data, sha, record) = (bytes, digest, fresh)
        case .failure(let failed): return failed.prepared
        }
        if let last, last.matches(sourceSHA256: sha, fingerprint: fingerprint) {
            return .unchanged(sha256: sha, bytes: data.count, read: true, record: record)
        }
        var options = codec
        if previews { options.previewSide = UploadJob.previewSide }
        do {
            let made = try PhotoMaker.make(.bytes(data), options: options, framer: framer)
            let photo = made.photo
            var outputPreview: [UInt8]?
            if previews {
                let small = ConvertOptions(maxSide: UploadJob.previewSide, crop: .none, quality: 75)
                outputPreview = try? PhotoCodec.convert(photo.jpeg, options: small).jpeg
            }
            return .converted(
                PhotoFacts(sourceSHA256: sha, sourceBytes: data.count, converted: photo, framing: made.framing),
                jpeg: photo.jpeg, sourcePreview: previews ? photo.preview : nil, outputPreview: outputPreview,
                warning: photo.warning, record: record)
        } catch {
            return .failed(
                .conversionFailed, "cannot convert \((path as NSString).lastPathComponent): \(error.explained)")
        }
    }
}

/// The run's work, a page at a time: items needing work in id order, keys resolved and (dry runs) targets looked
/// up a page at once, so Graph sees batches and memory holds one page.
private struct WorkPages {
    let job: UploadJob
    let run: Int64
    let limit: Int
    let journal: Journal
    private var cursor: Int64 = 0
    private var taken = 0
    private var page: [(Journal.Item, TargetState?)] = []
    private var exhausted = false

    init(job: UploadJob, run: Int64, limit: Int, journal: Journal) {
        self.job = job
        self.run = run
        self.limit = limit
        self.journal = journal
    }

    /// The next item and its dry-run lookup, or nil when the work (or `limit`) is done.
    ///
    /// - Throws: `JournalError` when the journal cannot be read, `GraphError` when the keys cannot be resolved at
    ///   all (e.g. User.Read.All missing): the run stops instead of leaving the items pending.
    mutating func next() async throws -> (Journal.Item, TargetState?)? {
        while page.isEmpty, !exhausted, taken < limit {
            let items = try await journal.itemsNeedingWork(
                run: run, after: cursor, limit: min(UploadJob.chunk, limit - taken))
            guard let last = items.last else {
                exhausted = true
                break
            }
            cursor = last.id
            taken += items.count
            let resolved = try await job.resolveKeys(items, journal: journal)
            let lookups = try await job.dryRunLookups(resolved)
            page = resolved.reversed().map { ($0, lookups[job.target(of: $0)]) }
        }
        return page.popLast()
    }
}

/// True the first time `first()` is called, false ever after: one `stopping` event per run, whoever sees it first.
private final class Once: Sendable {
    private let done = Atomic<Bool>(false)

    func first() -> Bool { !done.exchange(true, ordering: .relaxed) }
}
