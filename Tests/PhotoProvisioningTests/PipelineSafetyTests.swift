import Foundation
import Testing

@testable import PhotoProvisioning

/// What stops a run, and what a run under a blocked policy says, in process against a scripted Graph.
@Suite struct PipelineSafetyTests {
    @Test func writesRefusedByThePolicyStopTheRunAfterAFewAndTheRestWait() async throws {
        let people = keys(40)
        let source = try PipelineSource(keys: people)
        // The policy switches to onPremises after the fourth upload: every later write is refused.
        var answers: [String: ScriptedGraph.Answer] = [:]
        for key in people.dropFirst(4) {
            answers[key] = .fail(.blockedByPolicy, status: 403, code: "ForbiddenByAdmindEditPolicy")
        }
        let graph = ScriptedGraph(answers: answers)
        let job = UploadJob(settings: source.settings(jobs: 1, concurrency: 1), graph: graph)
        let failure = try await job.failure()
        let cause = try #require(failure.cause as? GraphError)
        #expect(cause.kind == .blocked, "exit 3: \(cause)")
        #expect(cause.description.contains("ForbiddenByAdmindEditPolicy") && cause.description.contains("policy"))
        let window = 1 * 2 + 1  // the pipeline's tasks in flight with --jobs 1 --concurrency 1
        #expect(
            graph.puts.count <= 4 + RefusalBrake.threshold + window, "no flood of doomed uploads: \(graph.puts.count)")
        let items = try await source.items(run: failure.runID)
        #expect(items.filter { $0.state == .uploaded }.count == 4)
        #expect(items.filter { $0.state == .failed }.isEmpty, "refusals that are the tenant's fail no item")
        #expect(items.filter { $0.state.needsWork }.count == 36, "the rest wait for the same command")
        let run = try await Journal.open(at: source.journal).run(id: failure.runID)
        #expect(run?.status == .failed)
    }

    @Test func aRefusalForOneUserAloneDoesNotStopTheRun() async throws {
        let people = keys(12)
        // Two refused users, four successes, two more refused: with at most three items in flight (--jobs 1
        // --concurrency 1) no order of answers puts three refusals in a row.
        var answers: [String: ScriptedGraph.Answer] = [:]
        for key in [people[1], people[2], people[7], people[8]] {
            answers[key] = .fail(.missingPermission, status: 403, code: "Authorization_RequestDenied")
        }
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph(answers: answers)
        let summary = try await UploadJob(settings: source.settings(jobs: 1, concurrency: 1), graph: graph).run()
        #expect(graph.puts.count == 12)
        #expect(summary.counts[.uploaded] == 8 && summary.counts[.failed] == 4, "\(summary.counts.byState)")
    }

    @Test func aSignInFailureMidRunStopsTheRunWithoutFailingTheItem() async throws {
        let people = keys(6)
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph(answers: [people[2]: .fail(.signInFailed, status: 0, code: "")])
        let failure = try await UploadJob(settings: source.settings(jobs: 1, concurrency: 1), graph: graph).failure()
        let cause = try #require(failure.cause as? GraphError)
        #expect(cause.kind == .signIn, "exit 4: \(cause)")
        let items = try await source.items(run: failure.runID)
        #expect(items.filter { $0.state == .failed }.isEmpty, "no item is failed for a token that could not be had")
        let hiccup = try #require(items.first { $0.key == people[2] })
        #expect(hiccup.state.needsWork, "sent again by the next run of the same command: \(hiccup.state)")
    }

    @Test func aDryRunUnderABlockedPolicySaysNothingWouldBeUploadedAndWhy() async throws {
        let source = try PipelineSource(keys: keys(3))
        let log = EventLog()
        let graph = ScriptedGraph(policy: .blocked)
        let summary = try await UploadJob(settings: source.settings(dryRun: true), graph: graph, events: log.handler)
            .run()
        #expect(summary.blocked)
        #expect(summary.counts[.wouldUpload] == 0, "\(summary.counts.byState)")
        #expect(summary.counts[.failed] == 3)
        let notes = log.all.compactMap { if case .note(let text) = $0 { text } else { nil } }
        #expect(notes.contains { $0.hasPrefix("nothing would be uploaded: scripted blocked") }, "\(notes)")
        let (run, items) = try await Journal.open(at: source.journal).report(run: summary.runID)
        #expect(run.policyVerdict.hasPrefix("blocked"))
        #expect(items.allSatisfy { $0.outcome == .wouldFail }, "\(items.map(\.outcome))")
        #expect(
            items.allSatisfy {
                $0.record.reason?.contains("blocked by the tenant's photo policy: scripted blocked") == true
            })
        #expect(graph.calls.filter(\.isWrite).isEmpty)
    }
}
