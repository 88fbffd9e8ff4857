import Foundation
import PhotoCodec
import PhotoGraph
import PhotoJournal
import PhotoReports
import PhotoSources

/// `photoprov upload`: source → plan → codec → upload → journal → report, resumable and polite.
///
/// Blocking work (reading the source, the codec, the report) runs on one `BlockingPool` of `jobs` threads; requests
/// are bounded by the Graph client's adaptive limiter (at most `--concurrency`). A sliding task-group window a
/// little wider than both gives backpressure: however long the source, only that many converted photos wait in
/// memory.
public struct UploadJob: Sendable {
    /// Everything the run needs to know besides the Graph client.
    public struct Settings: Sendable {
        /// Where the list of who gets which photo comes from.
        public enum Source: Sendable {
            case csv(String)
            case folder(String)
            /// `photoprov restore`: the photos run `run` replaced or removed, from the journal's backups; `only`
            /// limits it to those keys (compared ignoring case; empty: all).
            case backups(run: Int64, only: [String])

            /// The path as given (`run N` for a restore).
            public var path: String {
                switch self {
                case .csv(let path), .folder(let path): path
                case .backups(let run, _): "run \(run)"
                }
            }
        }

        public var source: Source
        public var sourceOptions: SourceOptions
        /// `--target contacts`: whose contacts (`--mailbox`), in which folder (`--contact-folder`); one per run.
        public var mailbox: Mailbox?
        /// The codec's options; with `faces`, its crop is the fallback for photos without one clear face.
        public var codec: ConvertOptions
        /// `--crop auto`: frame each photo on its face; nil frames by `codec.crop` alone.
        public var faces: AutoFraming?
        /// Images converted at once.
        public var jobs: Int
        /// Requests in flight at most (the Graph client's limiter adapts below it).
        public var concurrency: Int
        public var journalPath: String
        /// Convert and check, write nothing to the tenant.
        public var dryRun: Bool
        /// Upload even when the journal says the photo is unchanged; for a restore, put back even photos that
        /// changed after the restored run.
        public var force: Bool
        /// Read and hash every photo, even those the stat cache would vouch for (`--verify-sources`).
        public var verifySources = false
        /// The wall clock the stat cache's 2-second rule reads (`SourceStat.racyWindow`); tests move it.
        package var clock: @Sendable () -> Date = { Date() }
        /// Delete photos we uploaded earlier for keys no longer in the source.
        public var removeMissing: Bool
        /// `--max-removals`: above this many removals the run removes none (default 10% of the source's photos).
        public var maxRemovals: RemovalLimit
        /// Work on at most this many items now; the rest wait for the next run.
        public var maxItems: Int?
        /// Stop taking new items after this many seconds; the rest wait for the next run.
        public var maxDuration: Double?
        /// Seconds in-flight uploads may take to finish after a stop before they are cancelled.
        public var gracePeriod: Double
        /// Upload even when the policy preflight says blocked.
        public var skipPolicyCheck: Bool
        /// Keep small previews in the journal for reports.
        public var keepPreviews: Bool
        /// Write report.html, report.csv and report.json here at the end of the run (a write error fails the run).
        public var reportDirectory: String?
        /// The command line without secrets, for the journal and reports.
        public var arguments: [String]
        /// Replace (or delete) photos this tool set even when someone changed them since (their ETag differs);
        /// otherwise they are `kept`.
        public var overwriteOthers: Bool
        /// Set photos only for targets that have none; the rest are `kept`.
        public var onlyMissing: Bool

        /// Creates settings with the documented defaults.
        public init(
            source: Source, sourceOptions: SourceOptions = SourceOptions(), mailbox: Mailbox? = nil,
            codec: ConvertOptions = ConvertOptions(),
            jobs: Int = ProcessInfo.processInfo.activeProcessorCount, concurrency: Int = 8,
            journalPath: String = Journal.defaultPath, dryRun: Bool = false, force: Bool = false,
            removeMissing: Bool = false, maxRemovals: RemovalLimit = .standard, maxItems: Int? = nil,
            maxDuration: Double? = nil, gracePeriod: Double = 10,
            skipPolicyCheck: Bool = false, keepPreviews: Bool = false, reportDirectory: String? = nil,
            arguments: [String] = [], overwriteOthers: Bool = false, onlyMissing: Bool = false,
            faces: AutoFraming? = nil
        ) {
            self.source = source
            self.sourceOptions = sourceOptions
            self.mailbox = mailbox
            self.codec = codec
            self.faces = faces
            self.jobs = max(1, jobs)
            self.concurrency = max(1, concurrency)
            self.journalPath = journalPath
            self.dryRun = dryRun
            self.force = force
            self.removeMissing = removeMissing
            self.maxRemovals = maxRemovals
            self.maxItems = maxItems
            self.maxDuration = maxDuration
            self.gracePeriod = gracePeriod
            self.skipPolicyCheck = skipPolicyCheck
            self.keepPreviews = keepPreviews || reportDirectory != nil
            self.reportDirectory = reportDirectory
            self.arguments = arguments
            self.overwriteOthers = overwriteOthers
            self.onlyMissing = onlyMissing
        }

        /// What the journal compares to tell whether a photo's settings changed: the codec's and the face framing's.
        public var fingerprint: String { PhotoMaker.fingerprint(codec: codec, faces: faces) }
    }

    /// How many items go into the journal, or come out of it, at a time.
    static let chunk = 256

    /// The side of report previews in pixels.
    public static let previewSide = 96

    public let settings: Settings
    /// The tenant (`GraphClient`), or `OfflineGraph` for an offline dry run.
    public let graph: any GraphService
    public let stop: StopFlag
    public let events: @Sendable (UploadEvent) -> Void
    /// Contacts: the id of the folder `settings.mailbox` names, once the preflight found it (`nil` for the default
    /// Contacts folder, or the folder as given when it could not be looked up).
    var contactFolderID: String?
    /// Dry runs under a blocked policy: why every write would be refused (each item then "would fail").
    var dryRunBlock: String?

    /// Creates a job; nothing runs until `run`.
    public init(
        settings: Settings, graph: any GraphService, stop: StopFlag = StopFlag(),
        events: @escaping @Sendable (UploadEvent) -> Void = { _ in }
    ) {
        self.settings = settings
        self.graph = graph
        self.stop = stop
        self.events = events
    }

    /// Runs (or resumes) the job to the end, a stop, or a policy block.
    ///
    /// - Throws: `SourceError` (unreadable source) and `JournalError` (journal unusable) before a run starts;
    ///   after that, `RunFailure` wrapping whatever stopped the run (sign-in, Graph refusing or failing the
    ///   user look-ups, a journal write, the report), with the run recorded `failed`. Per-item failures are
    ///   recorded in the journal instead.
    public func run() async throws -> UploadSummary {
        if case .backups(let run, let only) = settings.source { return try await restore(run: run, only: only) }
        let started = Date()
        let pool = BlockingPool(threads: settings.jobs)
        // The source is read and validated before anything else: a source that cannot be read starts no run.
        let source = settings.source
        let options = settings.sourceOptions
        var scan: SourceScan? = try await pool.run { try Self.readSource(source, options: options) }
        // One face detector for the whole run, shared by the workers: loaded (about 0.25 s) while the run starts,
        // signs in and plans; awaited only when the photos are worked on.
        let faces = settings.faces
        let framer = Task { try await FaceFramer.load(faces, on: pool) }
        defer { framer.cancel() }
        let journal = try await Journal.open(at: settings.journalPath)
        let commandKey = Self.commandKey(
            source: settings.source.path, target: settings.sourceOptions.target, match: settings.sourceOptions.keyKind,
            mailbox: settings.mailbox, settingsFingerprint: settings.fingerprint)
        let start = try await journal.startRun(
            kind: settings.dryRun ? .dryRun : .upload, commandKey: commandKey, arguments: settings.arguments)
        let runID = start.run.id
        var summary = UploadSummary(
            starting: start, target: settings.sourceOptions.target, journalPath: settings.journalPath)
        do {
            try await work(&summary, scan: scan.take()!, journal: journal, pool: pool, framer: framer)
        } catch {
            throw await Self.failure(of: runID, cause: error, journal: journal)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Records run `runID` `failed` (when the journal still takes writes) and wraps what stopped it.
    static func failure(of runID: Int64, cause: any Error, journal: Journal) async -> RunFailure {
        var unrecorded: String?
        do {
            try await journal.finishRun(runID, status: .failed)
        } catch {
            unrecorded = error.description
        }
        return RunFailure(runID: runID, cause: cause, unrecorded: unrecorded)
    }

    /// Everything after the run started: sign-in, policy, planning, the items, the report, the run's end.
    private func work(
        _ summary: inout UploadSummary, scan: consuming SourceScan, journal: Journal, pool: BlockingPool,
        framer: Task<FaceFramer?, any Error>
    ) async throws {
        let runID = summary.runID
        guard let job = try await signInAndCheckPolicy(&summary, journal: journal, pool: pool) else { return }

        let photos = scan.guardian
        var problems = try await plan(consume scan, run: runID, journal: journal, pool: pool)
        try await planRemovals(&summary, problems: problems, journal: journal)

        try await job.workThrough(
            &summary, journal: journal, pool: pool, photos: photos, framer: try await framer.value
        ) {
            for problem in problems {
                events(
                    .item(
                        ItemEvent(
                            key: problem.key ?? "?", location: problem.location, state: .invalid,
                            detail: problem.detail)))
            }
            problems = []
        }
    }

    /// Works through the planned items to the end of the run: announces the plan (then `announced`), processes the
    /// work (at most `--max-items`), writes the report and ends the run `completed`, or `interrupted` when work is
    /// left for the next run. `framer`: `--crop auto`'s detector for the photos converted (nil: the codec's crop).
    ///
    /// - Throws: `PipelineError` when work was left although no stop was asked for; what `process` throws.
    func workThrough(
        _ summary: inout UploadSummary, journal: Journal, pool: BlockingPool, photos: PathGuard?,
        framer: FaceFramer? = nil, announced: () -> Void = {}
    ) async throws {
        let runID = summary.runID
        let counts = try await journal.counts(run: runID)
        let needingWork = counts.workLeft
        let toDo = min(needingWork, settings.maxItems ?? Int.max)
        events(
            .planned(
                .init(
                    runID: runID, resumed: summary.resumed, total: counts.total, toDo: toDo,
                    alreadyDone: summary.resumed ? counts.total - needingWork : 0)))
        announced()

        try await process(run: runID, limit: toDo, journal: journal, pool: pool, photos: photos, framer: framer)

        summary.counts = try await journal.counts(run: runID)
        let left = summary.counts.workLeft
        summary.leftForNextRun = left
        summary.stoppedBy = stop.reason
        // Only a stop someone asked for (a signal, --max-duration) or --max-items may leave work behind.
        if stop.reason == nil, left > needingWork - toDo {
            throw PipelineError(unfinished: left - (needingWork - toDo))
        }
        if let directory = settings.reportDirectory {
            summary.report = try await journal.writeReport(run: runID, to: directory, endedAt: Date())
        }
        try await journal.finishRun(runID, status: left > 0 ? .interrupted : .completed)
    }

    /// Runs `operation` until it returns or a stop is asked for, whichever comes first; a stop cancels it and
    /// returns `nil`.
    ///
    /// - Throws: what `operation` throws, unless a stop came first.
    private func untilStopped<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        let stop = self.stop
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                _ = await stop.stopped()
                return nil
            }
            defer { group.cancelAll() }
            do {
                let first = try await group.next() ?? nil
                return stop.isSet ? nil : first
            } catch {
                if stop.isSet { return nil }
                throw error
            }
        }
    }

    /// Ends a run stopped before its items were worked on: recorded `interrupted`, reported, resumable.
    private func endStopped(_ summary: inout UploadSummary, journal: Journal, pool: BlockingPool) async throws {
        events(.stopping(stop.reason ?? .interrupted))
        summary.stoppedBy = stop.reason
        summary.counts = try await journal.counts(run: summary.runID)
        summary.leftForNextRun = summary.counts.workLeft
        if let directory = settings.reportDirectory {
            summary.report = try await journal.writeReport(run: summary.runID, to: directory, endedAt: Date())
        }
        try await journal.finishRun(summary.runID, status: .interrupted)
    }

    /// Signs in and runs the policy preflight (for contacts, the mailbox's), recording the verdict. A stop during
    /// sign-in (a device code nobody enters) or a slow policy check ends the run at once: nothing is in flight yet
    /// that a grace period would let finish.
    ///
    /// - Returns: the job to go on with (a contacts run knows its folder's id from the preflight; a dry run under a
    ///   blocked policy, why every write would be refused), or `nil` when the run has ended: a real run that is
    ///   blocked was ended `failed` (with its report) and nothing may be written; a stopped one `interrupted`.
    func signInAndCheckPolicy(
        _ summary: inout UploadSummary, journal: Journal, pool: BlockingPool
    ) async throws -> UploadJob? {
        let runID = summary.runID
        let graph = self.graph
        guard try await untilStopped({ try await graph.signIn() }) != nil else {
            try await endStopped(&summary, journal: journal, pool: pool)
            return nil
        }
        // A contacts run always probes its mailbox, even with --skip-policy-check: the folder's id comes from it.
        var job = self
        var contacts: PolicyReport?
        if let mailbox = settings.mailbox {
            guard let report = try await untilStopped({ await graph.preflightContacts(in: mailbox) }) else {
                try await endStopped(&summary, journal: journal, pool: pool)
                return nil
            }
            job.contactFolderID = report.contacts?.folderID ?? mailbox.folder
            contacts = report
        }
        if settings.skipPolicyCheck {
            try await journal.setVerdict(.notChecked, detail: "--skip-policy-check", run: runID)
            return job
        }
        let checked = if let contacts { contacts } else { try await untilStopped({ await graph.preflight() }) }
        guard let report = checked else {
            try await endStopped(&summary, journal: journal, pool: pool)
            return nil
        }
        summary.policy = report
        try await journal.setVerdict(
            report.verdict, detail: report.verdict == .allowed ? nil : report.explanation.first, run: runID)
        guard report.verdict == .blocked else { return job }
        summary.blocked = true
        if settings.dryRun {
            let reason = report.explanation.first ?? "the tenant's photo policy blocks uploads"
            job.dryRunBlock = reason
            events(.note("nothing would be uploaded: \(reason)"))
            return job
        }
        summary.counts = try await journal.counts(run: runID)
        if let directory = settings.reportDirectory {
            summary.report = try await journal.writeReport(run: runID, to: directory, endedAt: Date())
        }
        try await journal.finishRun(runID, status: .failed)
        return nil
    }

    /// Puts the source into the journal in chunks as it is read again, and returns the refused rows. From here on
    /// work is paged back out of the journal, and the scan (the CSV's bytes) is gone when this returns, so memory
    /// stays flat however long the source.
    private func plan(
        _ scan: consuming SourceScan, run runID: Int64, journal: Journal, pool: BlockingPool
    ) async throws -> [SourceProblem] {
        let images = SourceReader.imageExtensions.sorted().map { "." + $0 }.joined(separator: ", ")
        for name in scan.ignored { events(.note("ignored \(name): not an image file (\(images))")) }
        let options = settings.sourceOptions
        let mailbox = settings.mailbox
        let fingerprint = settings.fingerprint
        let problems = scan.problems
        // Reading rows checks files (a syscall per row), so chunks are read on the pool, not here.
        var rows = scan.makeIterator()
        while true {
            let (chunk, rest) = try await pool.run { [rows] in
                var rows = rows
                return (rows.next(Self.chunk), rows)
            }
            rows = rest
            guard !chunk.isEmpty else { break }
            _ = try await journal.addItems(
                SourcePlan(items: chunk).journalItems(options: options, mailbox: mailbox, fingerprint: fingerprint),
                run: runID)
        }
        _ = try await journal.addItems(
            SourcePlan(problems: problems).journalItems(options: options, mailbox: mailbox, fingerprint: fingerprint),
            run: runID)
        return problems
    }

    @available(*, noasync, message: "blocking file I/O: run it on the BlockingPool")
    private static func readSource(_ source: Settings.Source, options: SourceOptions) throws -> SourceScan {
        switch source {
        case .csv(let path): try SourceReader.scanCSV(at: path, options: options)
        case .folder(let path): try SourceReader.scanFolder(at: path, options: options)
        case .backups: throw SourceError("a restore reads the journal's backups, not a source")
        }
    }

    /// What looking up one item's key decided.
    enum KeyResolution: Sendable {
        /// The key names exactly this object (a user's or a contact's id).
        case resolved(String)
        /// Not looked up (offline): the key stays as the source gave it.
        case unchecked
        /// The item fails: no object, several, or the look-up failed for this key.
        case failed(FailureReason, String)
    }

    /// For `--match mail|employeeId` (users) and `--match email` (contacts): finds each key's object through Graph
    /// ($batch); keys that fail here are recorded failed and left out of the returned page; keys not looked up
    /// (offline) stay as they are.
    func resolveKeys(_ page: [Journal.Item], journal: Journal) async throws -> [Journal.Item] {
        let options = settings.sourceOptions
        guard options.keyKind.needsLookup else { return page }
        let keys = page.filter { $0.action == .upload && $0.resolvedID == nil }.map(\.key)
        guard !keys.isEmpty else { return page }
        let resolutions = try await options.target == .contacts ? contactResolutions(keys) : userResolutions(keys)
        var remaining: [Journal.Item] = []
        for var item in page {
            guard item.action == .upload, item.resolvedID == nil else {
                remaining.append(item)
                continue
            }
            switch resolutions[item.key] ?? .failed(.lookupFailed, "no answer for '\(item.key)'") {
            case .resolved(let id):
                item.resolvedID = id
                var update = Journal.ItemUpdate(item.state)
                update.resolvedID = id
                try await journal.record(update, item: item.id)
                remaining.append(item)
            case .unchecked:
                remaining.append(item)
            case .failed(let failure, let problem):
                try await journal.record(Journal.ItemUpdate(.failed, failure: failure, reason: problem), item: item.id)
                events(
                    .item(
                        ItemEvent(
                            key: item.key, location: item.line.map { "line \($0)" }, state: .failed,
                            detail: problem)))
            }
        }
        return remaining
    }

    /// Users by mail or employeeId: one user, none, or several sharing the key.
    private func userResolutions(_ keys: [String]) async throws -> [String: KeyResolution] {
        let kind = settings.sourceOptions.keyKind
        return Self.resolutions(
            keys, try await graph.resolveUsers(keys: keys, by: kind), id: \.id,
            notFound: { "no user has \(kind.rawValue) '\($0)'" },
            ambiguous: {
                "\($1.count) users share \(kind.rawValue) '\($0)': "
                    + $1.map(\.userPrincipalName).joined(separator: ", ")
            },
            failed: { "cannot look up \(kind.rawValue) '\($0)': \($1)" })
    }

    /// Each key's resolution from what the directory found for it (users or contacts), with messages that name
    /// the key as its kind does: what no record has, what several share, why the look-up failed.
    static func resolutions<Record>(
        _ keys: [String], _ found: [String: DirectoryLookup<Record>], id: (Record) -> String,
        notFound: (String) -> String, ambiguous: (String, [Record]) -> String, failed: (String, String) -> String
    ) -> [String: KeyResolution] {
        Dictionary(
            uniqueKeysWithValues: Set(keys).map { key -> (String, KeyResolution) in
                switch found[key] {
                case .found(let record): (key, .resolved(id(record)))
                case .unchecked: (key, .unchecked)
                case .notFound, nil: (key, .failed(.unknownKey, notFound(key)))
                case .ambiguous(let records): (key, .failed(.ambiguousKey, ambiguous(key, records)))
                case .failed(let message): (key, .failed(.lookupFailed, failed(key, message)))
                }
            })
    }

    /// For a dry run: whether each target of a page exists, is enabled and has a photo (read-only).
    func dryRunLookups(_ page: [Journal.Item]) async throws -> [PhotoTarget: TargetState] {
        guard settings.dryRun else { return [:] }
        return try await graph.lookupTargets(page.map(target(of:)))
    }

    func target(of item: Journal.Item) -> PhotoTarget {
        let key = item.resolvedID ?? item.key
        guard item.target == .contacts, let mailbox = item.mailbox else { return PhotoTarget(item.target, key) }
        return .contact(key, mailbox: mailbox.user, folderID: contactFolderID)
    }
}
