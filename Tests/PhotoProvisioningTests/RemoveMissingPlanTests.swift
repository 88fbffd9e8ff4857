import Foundation
import Testing

@testable import PhotoProvisioning

/// How `--remove-missing` decides, in process: `--max-removals`, rows without a readable key, refused rows.
@Suite struct RemoveMissingPlanTests {
    @Test func maxRemovalsTakesACountOrAShareOfTheSourcesPhotos() {
        #expect(RemovalLimit("25") == .count(25))
        #expect(RemovalLimit("10%") == .percent(10))
        #expect(RemovalLimit(" 2.5% ") == .percent(2.5))
        for bad in ["-1", "101%", "ten", "%", "", "1.5"] { #expect(RemovalLimit(bad) == nil, "\(bad)") }
        #expect(RemovalLimit.standard.allowed(outOf: 50) == 5)
        #expect(RemovalLimit.standard.allowed(outOf: 9) == 0, "rounded down: a tiny source removes none by default")
        #expect(RemovalLimit.count(3).allowed(outOf: 1) == 3)
        #expect(RemovalLimit.percent(100).allowed(outOf: 7) == 7)
        #expect(RemovalLimit.percent(2.5).description == "2.5%" && RemovalLimit.standard.description == "10%")
    }

    /// A source of 20 users uploaded once; returns it, its keys and the scripted Graph that now holds their photos.
    private func uploadedTwenty() async throws -> (PipelineSource, [String], ScriptedGraph) {
        let people = keys(20)
        let source = try PipelineSource(keys: people)
        let graph = ScriptedGraph()
        let first = try await UploadJob(settings: source.settings(), graph: graph).run()
        #expect(first.counts[.uploaded] == 20)
        return (source, people, graph)
    }

    @Test func aRowWithoutAReadableKeyRefusesEveryRemoval() async throws {
        let (source, people, _) = try await uploadedTwenty()
        // One user left (5%, within the cap), but another row's key cannot be read: it could be anyone.
        var rows = ["upn,photo"]
        for (index, key) in people.enumerated() where index != 3 {
            rows.append(index == 7 ? "not an address,p7.jpg" : "\(key),p\(index).jpg")
        }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: source.csv))
        let graph = ScriptedGraph()
        let summary = try await UploadJob(settings: source.settings(removeMissing: true), graph: graph).run()
        #expect(graph.calls.filter { if case .delete = $0 { true } else { false } }.isEmpty)
        let refusal = try #require(summary.removalsRefused)
        #expect(refusal.hasPrefix("1 row(s) of the source have no readable UPN (line 8)"), "\(refusal)")
        let items = try await source.items(run: summary.runID).filter { $0.action == .remove }
        #expect(Set(items.map(\.key)) == [people[3], people[7]])
        #expect(items.allSatisfy { $0.state == .skipped && $0.reason == "not removed: \(refusal)" })
    }

    @Test func aRefusedRowStillMeansItsUserIsInTheSourceWhateverTheCase() async throws {
        let (source, people, graph) = try await uploadedTwenty()
        // people[0]'s row names a file that is gone, in capitals; people[5] left the source (1 of 20: 5%).
        var rows = ["upn,photo", "\(people[0].uppercased()),gone.jpg"]
        for (index, key) in people.enumerated() where index != 0 && index != 5 { rows.append("\(key),p\(index).jpg") }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: source.csv))
        let summary = try await UploadJob(settings: source.settings(removeMissing: true), graph: graph).run()
        #expect(summary.removalsRefused == nil)
        #expect(graph.calls.filter { if case .delete = $0 { true } else { false } } == [.delete(people[5])])
        #expect(summary.counts[.removed] == 1 && summary.counts[.invalid] == 1)
    }
}
