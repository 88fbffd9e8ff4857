import Foundation
import PhotoProvisioningTestSupport
import Synchronization
import Testing

@testable import PhotoProvisioning

/// A temporary source folder: a CSV of keys with a small real JPEG per row (or a missing file), and a journal.
final class PipelineSource {
    let folder: String
    var csv: String { folder + "/people.csv" }
    var journal: String { folder + "/photoprov.journal" }

    /// `missing` keys get a row naming a file that does not exist (an invalid row).
    init(keys: [String], missing: Set<String> = []) throws {
        folder = NSTemporaryDirectory() + "photoprov-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try write(keys: keys, missing: missing)
    }

    /// Rewrites the CSV (and photos) for `keys`.
    func write(keys: [String], missing: Set<String> = []) throws {
        var rows = ["upn,photo"]
        for (index, key) in keys.enumerated() {
            let name = "p\(index).jpg"
            if !missing.contains(key) {
                try Data(ReportSamples.sources[index % ReportSamples.sources.count]).write(
                    to: URL(fileURLWithPath: folder + "/" + name))
            }
            rows.append("\(key),\(missing.contains(key) ? "absent-\(index).jpg" : name)")
        }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: csv))
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func settings(
        jobs: Int = 2, concurrency: Int = 2, dryRun: Bool = false, match: MatchKey = .upn,
        removeMissing: Bool = false, maxRemovals: RemovalLimit = .standard, maxItems: Int? = nil,
        gracePeriod: Double = 10
    ) -> UploadJob.Settings {
        UploadJob.Settings(
            source: .csv(csv), sourceOptions: SourceOptions(match: match), jobs: jobs, concurrency: concurrency,
            journalPath: journal, dryRun: dryRun, removeMissing: removeMissing, maxRemovals: maxRemovals,
            maxItems: maxItems,
            gracePeriod: gracePeriod, arguments: ["upload"])
    }

    func items(run: Int64) async throws -> [Journal.Item] {
        try await Journal.open(at: journal, create: false).items(run: run)
    }

    func state(of key: String, run: Int64) async throws -> Journal.ItemState? {
        try await items(run: run).first { $0.key == key }?.state
    }
}

/// Collects the events a run emits.
final class EventLog: Sendable {
    private let events = Mutex<[UploadEvent]>([])
    var handler: @Sendable (UploadEvent) -> Void { { event in self.events.withLock { $0.append(event) } } }
    var all: [UploadEvent] { events.withLock { $0 } }
    var items: [ItemEvent] { all.compactMap { if case .item(let item) = $0 { item } else { nil } } }
}

func keys(_ count: Int, prefix: String = "user") -> [String] {
    (1...count).map { "\(prefix)\($0)@contoso.example" }
}

/// The pipeline in process against a scripted Graph: every outcome, ordering, backpressure, stops and failures, in
/// milliseconds and without a network.
@Suite struct PipelineTests {
    @Test func everyOutcomeIsRecordedWithItsFactsAndTheNextRunSyncs() async throws {
        let people = ["ok1@x.example", "gone@x.example", "nomail@x.example", "big@x.example", "ok2@x.example"]
        let source = try PipelineSource(keys: people + ["broken@x.example"], missing: ["broken@x.example"])
        let graph = ScriptedGraph(answers: [
            "gone@x.example": .fail(.notFound, status: 404, code: "Request_ResourceNotFound"),
            "nomail@x.example": .fail(.noMailbox, status: 404, code: "MailboxNotEnabledForRESTAPI"),
            "big@x.example": .fail(.photoTooLarge, status: 413, code: "RequestEntityTooLarge"),
        ])
        let log = EventLog()
        let first = try await UploadJob(settings: source.settings(), graph: graph, events: log.handler).run()
        #expect(first.counts[.uploaded] == 2)
        #expect(first.counts[.failed] == 3)
        #expect(first.counts[.invalid] == 1)
        #expect(first.hasFailures && !first.blocked && first.stoppedBy == nil && first.leftForNextRun == 0)
        #expect(Set(graph.puts) == Set(people), "every valid row is sent once, the invalid one never")
        #expect(graph.puts.count == people.count)
        #expect(graph.calls.prefix(2) == [.signIn, .preflight])

        let items = try await source.items(run: first.runID)
        let ok = try #require(items.first { $0.key == "ok1@x.example" })
        #expect(ok.state == .uploaded && ok.reply.httpStatus == 200 && ok.reply.requestID == "req-ok1@x.example")
        #expect(
            ok.photo.outputWidth == 72 && ok.photo.sourceWidth == 96 && ok.photo.sourceFormat == "jpeg"
                && ok.attempts == 1)
        let gone = try #require(items.first { $0.key == "gone@x.example" })
        #expect(
            gone.state == .failed && gone.reply.httpStatus == 404 && gone.reply.graphCode == "Request_ResourceNotFound")
        #expect(gone.reason?.contains("not found") == true)
        #expect(
            items.map { [$0.key: $0.failure] }.reduce(into: [:]) { $0.merge($1) { a, _ in a } } == [
                "ok1@x.example": nil, "ok2@x.example": nil, "gone@x.example": .notFound, "nomail@x.example": .noMailbox,
                "big@x.example": .photoTooLarge, "broken@x.example": nil,
            ] as [String: FailureReason?])
        let broken = try #require(items.first { $0.key == "broken@x.example" })
        #expect(broken.state == .invalid && broken.reason?.contains("photo file not found") == true)
        #expect(Set(log.items.map(\.key)) == Set(people + ["broken@x.example"]))
        guard case .planned(let plan) = log.all.first else {
            Issue.record("the plan comes first: \(log.all)")
            return
        }
        #expect(plan.total == 6 && plan.toDo == 5 && !plan.resumed)

        // The next run: the two uploads are unchanged, ok2 left the source and is removed.
        try source.write(keys: ["ok1@x.example", "gone@x.example", "nomail@x.example", "big@x.example"])
        let sync = ScriptedGraph()
        // One of the two photos this source set is 50%: over the default --max-removals of 10%, so allow one.
        let second = try await UploadJob(
            settings: source.settings(removeMissing: true, maxRemovals: .count(1)), graph: sync
        ).run()
        #expect(second.runID != first.runID)
        #expect(second.counts[.unchanged] == 1)
        #expect(second.counts[.removed] == 1)
        #expect(second.counts[.uploaded] == 3, "failed items are tried again")
        // This Graph holds no photo for ok2: the read before the DELETE finds nothing to delete.
        #expect(sync.calls.contains(.read("ok2@x.example")) && !sync.calls.contains(.delete("ok2@x.example")))
        #expect(!sync.puts.contains("ok1@x.example"))
        #expect(second.missingFromSource == ["ok2@x.example"])
    }

    @Test func theWindowHoldsBackWorkWhileUploadsWait() async throws {
        // jobs 1 + concurrency 1: a window of 3 items; with every PUT held, no fourth item may start.
        let source = try PipelineSource(keys: keys(12))
        let graph = ScriptedGraph(answer: .held)
        let job = UploadJob(settings: source.settings(jobs: 1, concurrency: 1), graph: graph)
        let run = Task { try await job.run() }
        await graph.waitForPuts(3)
        let journal = try await Journal.open(at: source.journal, create: false)
        let runID = try #require(try await journal.latestRun()).id
        let counts = try await journal.counts(run: runID)
        #expect(counts[.uploading] == 3)
        #expect(counts[.pending] == 9, "nothing beyond the window was converted while uploads waited")
        #expect(graph.puts == keys(3), "items are taken in source order")
        graph.releaseHeld()
        let summary = try await run.value
        #expect(summary.counts[.uploaded] == 12)
        #expect(graph.peakInFlight <= 3)
        #expect(Set(graph.puts) == Set(keys(12)) && graph.puts.count == 12)
    }

    @Test func aStopLetsUploadsInFlightFinishAndLeavesTheRestForTheNextRun() async throws {
        let source = try PipelineSource(keys: keys(10))
        let graph = ScriptedGraph(answer: .held)
        let stop = StopFlag()
        let log = EventLog()
        let job = UploadJob(
            settings: source.settings(jobs: 1, concurrency: 1), graph: graph, stop: stop, events: log.handler)
        let run = Task { try await job.run() }
        await graph.waitForPuts(3)
        stop.stop(.interrupted)
        graph.releaseHeld()
        let summary = try await run.value
        #expect(summary.stoppedBy == .interrupted)
        #expect(summary.counts[.uploaded] == 3, "the three in flight finished within the grace period")
        #expect(summary.leftForNextRun == 7)
        #expect(log.all.contains { if case .stopping(.interrupted) = $0 { true } else { false } })
        #expect(
            try await Journal.open(at: source.journal, create: false).run(id: summary.runID)?.status == .interrupted)

        let resumed = try await UploadJob(settings: source.settings(), graph: ScriptedGraph()).run()
        #expect(resumed.resumed && resumed.runID == summary.runID)
        #expect(resumed.counts[.uploaded] == 10)
    }

    @Test func afterTheGracePeriodHungUploadsAreCancelledAndRetriedOnResume() async throws {
        let source = try PipelineSource(keys: keys(6))
        let graph = ScriptedGraph(answer: .hang)
        let stop = StopFlag()
        let job = UploadJob(
            settings: source.settings(jobs: 1, concurrency: 1, gracePeriod: 0.05), graph: graph, stop: stop)
        let run = Task { try await job.run() }
        await graph.waitForPuts(3)
        stop.stop(.interrupted)
        let summary = try await run.value
        #expect(summary.stoppedBy == .interrupted)
        let items = try await source.items(run: summary.runID)
        #expect(
            items.filter { $0.state == .uploading }.map(\.key) == keys(3), "cut off mid-upload: sent again on resume")
        #expect(items.filter { $0.state == .pending }.count == 3)

        let retry = ScriptedGraph()
        let resumed = try await UploadJob(settings: source.settings(), graph: retry).run()
        #expect(resumed.counts[.uploaded] == 6)
        #expect(Set(retry.puts) == Set(keys(6)))
        let attempts = try await source.items(run: resumed.runID).map(\.attempts)
        #expect(attempts.filter { $0 == 2 }.count == 3 && attempts.filter { $0 == 1 }.count == 3)
    }

    @Test func anUploadCancelledWithoutAStopFailsTheRun() async throws {
        let source = try PipelineSource(keys: keys(4))
        let graph = ScriptedGraph(answers: ["user2@contoso.example": .cancelled])
        do {
            let summary = try await UploadJob(settings: source.settings(), graph: graph).run()
            Issue.record("a run with work left and no stop must not succeed: \(summary.counts.byState)")
        } catch let failure as RunFailure {
            #expect(failure.cause as? PipelineError == PipelineError(unfinished: 1))
            #expect(try await Journal.open(at: source.journal, create: false).run(id: failure.runID)?.status == .failed)
            #expect(try await source.state(of: "user2@contoso.example", run: failure.runID) == .uploading)
        }
    }

    @Test func refusedLookupsAndFailedSignInStopTheRunBeforeAnyWrite() async throws {
        let source = try PipelineSource(keys: ["a@x.example", "b@x.example"])
        let refused = ScriptedGraph(
            resolveError: GraphError(.blocked, "looking up users was refused; grant User.Read.All"))
        do {
            _ = try await UploadJob(settings: source.settings(match: .mail), graph: refused).run()
            Issue.record("refused look-ups must stop the run")
        } catch let failure as RunFailure {
            #expect((failure.cause as? GraphError)?.kind == .blocked)
            #expect(try await Journal.open(at: source.journal, create: false).run(id: failure.runID)?.status == .failed)
        }
        #expect(!refused.calls.contains { $0.isWrite })

        let noSignIn = ScriptedGraph(signInError: GraphError(.signIn, "sign-in failed: AADSTS7000215"))
        do {
            _ = try await UploadJob(settings: source.settings(), graph: noSignIn).run()
            Issue.record("a failed sign-in must stop the run")
        } catch let failure as RunFailure {
            #expect((failure.cause as? GraphError)?.kind == .signIn)
        }
        #expect(noSignIn.calls == [.signIn])
    }

    @Test func resolvedKeysAreUploadedByIdAndUnknownOnesFail() async throws {
        let source = try PipelineSource(keys: ["a@x.example", "b@x.example", "c@x.example"])
        let ada = DirectoryUser(id: "11111111-0000-4000-8000-000000000001", userPrincipalName: "ada@x.example")
        let twins = [
            DirectoryUser(id: "t1", userPrincipalName: "t1@x.example"),
            DirectoryUser(id: "t2", userPrincipalName: "t2@x.example"),
        ]
        let graph = ScriptedGraph(users: ["a@x.example": .found(ada), "c@x.example": .ambiguous(twins)])
        let summary = try await UploadJob(settings: source.settings(match: .mail), graph: graph).run()
        #expect(summary.counts[.uploaded] == 1 && summary.counts[.failed] == 2)
        #expect(graph.puts == [ada.id])
        let items = try await source.items(run: summary.runID)
        #expect(items.first { $0.key == "b@x.example" }?.reason == "no user has mail 'b@x.example'")
        #expect(items.first { $0.key == "c@x.example" }?.reason?.hasPrefix("2 users share mail") == true)
        #expect(items.map(\.failure) == [nil, .unknownKey, .ambiguousKey])
    }

    @Test func aBlockedPolicyStartsNoWork() async throws {
        let source = try PipelineSource(keys: keys(3))
        let graph = ScriptedGraph(policy: .blocked)
        let summary = try await UploadJob(settings: source.settings(), graph: graph).run()
        #expect(summary.blocked)
        #expect(graph.calls == [.signIn, .preflight])
        let journal = try await Journal.open(at: source.journal, create: false)
        #expect(try await journal.run(id: summary.runID)?.status == .failed)
        #expect(try await journal.run(id: summary.runID)?.verdictText == "blocked: scripted blocked")
        let (report, _) = try await journal.report(run: summary.runID)
        #expect(report.policyAllowsUploads == false && report.policyVerdict == "blocked: scripted blocked")
    }

    @Test func dryRunsPredictFromLookupsAndWriteNothing() async throws {
        let source = try PipelineSource(keys: ["ok@x.example", "ghost@x.example", "nomail@x.example", "has@x.example"])
        let graph = ScriptedGraph(targets: [
            "ghost@x.example": TargetState(exists: false),
            "nomail@x.example": TargetState(exists: true, problem: .noMailbox(.user("nomail@x.example"))),
            "has@x.example": TargetState(exists: true, id: "id-has", accountEnabled: false, hasPhoto: true),
        ])
        let summary = try await UploadJob(settings: source.settings(dryRun: true), graph: graph).run()
        #expect(summary.kind == .dryRun)
        #expect(!graph.calls.contains { $0.isWrite })
        let items = try await source.items(run: summary.runID)
        func item(_ key: String) -> Journal.Item? { items.first { $0.key == key } }
        #expect(item("ok@x.example")?.state == .wouldAdd && item("ok@x.example")?.reason == "no photo yet")
        #expect(item("ghost@x.example")?.state == .failed)
        #expect(item("ghost@x.example")?.reason == "would fail: user ghost@x.example not found")
        #expect(
            item("nomail@x.example")?.reason?.hasPrefix("would fail: user nomail@x.example has no Exchange") == true)
        #expect(item("has@x.example")?.state == .wouldReplace)
        #expect(item("has@x.example")?.reason == "account disabled; replaces the current photo (backed up first)")
        #expect(item("has@x.example")?.resolvedID == "id-has")
    }

    @Test func anOfflineDryRunSaysWhatWasNotChecked() async throws {
        let source = try PipelineSource(keys: ["a@x.example", "b@x.example"])
        let summary = try await UploadJob(settings: source.settings(dryRun: true, match: .mail), graph: OfflineGraph())
            .run()
        #expect(summary.counts[.wouldUpload] == 2)
        #expect(summary.policy?.verdict == .notChecked)
        let journal = try await Journal.open(at: source.journal, create: false)
        #expect(try await journal.run(id: summary.runID)?.verdictText == "not checked (offline)")
        let items = try await journal.items(run: summary.runID)
        #expect(items.allSatisfy { $0.reason == "not checked against the tenant (offline)" && $0.resolvedID == nil })
    }

    @Test func theTimeLimitStopsTakingItemsAndTheRestWait() async throws {
        let source = try PipelineSource(keys: keys(12))
        let graph = ScriptedGraph(answer: .held)
        let stop = StopFlag()
        var settings = source.settings(jobs: 1, concurrency: 1)
        settings.maxDuration = 0.05
        let run = Task { [settings] in try await UploadJob(settings: settings, graph: graph, stop: stop).run() }
        #expect(await stop.stopped() == .timeLimit)
        graph.releaseHeld()
        let summary = try await run.value
        #expect(summary.stoppedBy == .timeLimit)
        #expect(summary.leftForNextRun >= 9, "at most the window of 3 was taken before the limit")
        #expect(summary.counts[.uploaded] == 12 - summary.leftForNextRun)
    }

    @Test func maxItemsLeavesTheRestWithoutFailing() async throws {
        let source = try PipelineSource(keys: keys(5))
        let summary = try await UploadJob(settings: source.settings(maxItems: 2), graph: ScriptedGraph()).run()
        #expect(summary.counts[.uploaded] == 2 && summary.leftForNextRun == 3 && summary.stoppedBy == nil)
        #expect(
            try await Journal.open(at: source.journal, create: false).run(id: summary.runID)?.status == .interrupted)
    }
}
