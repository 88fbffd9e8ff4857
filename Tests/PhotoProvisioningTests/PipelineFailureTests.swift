import Foundation
import PhotoProvisioningTestSupport
import TestSupport
import Testing

@testable import PhotoJournal
@testable import PhotoProvisioning

extension Journal {
    /// Runs raw SQL on the journal's own connection: lets a test plant a trigger that makes one write fail.
    func executeForTest(_ sql: String) throws(JournalError) { try db.execute(sql) }
}

/// Failures that are not one item's stop the run: recorded `failed`, thrown as `RunFailure`, never a quiet success.
@Suite struct PipelineFailureTests {
    /// A folder with a CSV of `keys` (header `upn,photo`) and a real small JPEG per row.
    private final class Source {
        let folder: String
        var csv: String { folder + "/people.csv" }
        var journal: String { folder + "/photoprov.journal" }

        init(keys: [String]) throws {
            folder = NSTemporaryDirectory() + "photoprov-failure-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var rows = ["upn,photo"]
            for (index, key) in keys.enumerated() {
                let name = "p\(index).jpg"
                try Data(ReportSamples.sources[index % ReportSamples.sources.count]).write(
                    to: URL(fileURLWithPath: folder + "/" + name))
                rows.append("\(key),\(name)")
            }
            try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: csv))
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    private func settings(_ source: Source, match: MatchKey = .upn, report: String? = nil) -> UploadJob.Settings {
        UploadJob.Settings(
            source: .csv(source.csv), sourceOptions: SourceOptions(match: match), jobs: 2, concurrency: 2,
            journalPath: source.journal, reportDirectory: report, arguments: ["upload"])
    }

    @Test func userLookupsRefusedForLackOfUserReadAllFailTheRun() async throws {
        let emulator = try await Emulator.start(seed: TestTenant.seed())
        let source = try Source(keys: [TestTenant.upn("ada"), TestTenant.upn("bob")])
        let client = try GraphClient(
            settings: try emulator.settings(app: TestTenant.writerApp, secret: TestTenant.writerSecret))
        let job = UploadJob(settings: settings(source, match: .mail), graph: client)
        let failure = try await job.failure()
        let cause = try #require(failure.cause as? GraphError)
        #expect(cause.kind == .blocked)
        #expect(cause.httpStatus == 403)
        #expect(failure.description.contains("grant User.Read.All"))
        #expect(failure.description.contains("run \(failure.runID)"))
        let journal = try await Journal.open(at: source.journal, create: false)
        #expect(try await journal.run(id: failure.runID)?.status == .failed)
        #expect(try await journal.counts(run: failure.runID).workLeft == 2, "nothing was done, nothing is lost")
    }

    @Test func aJournalWriteThatFailsStopsTheRunBeforeAnyUpload() async throws {
        let source = try Source(keys: [TestTenant.upn("ada"), TestTenant.upn("bob"), TestTenant.upn("plain")])
        do {
            let journal = try await Journal.open(at: source.journal)
            try await journal.executeForTest(
                """
                CREATE TRIGGER refuse_uploading BEFORE UPDATE OF state ON items WHEN NEW.state = 'uploading' \
                BEGIN SELECT RAISE(ABORT, 'disk is full (planted by the test)'); END
                """)
        }
        let graph = ScriptedGraph()
        let failure = try await UploadJob(settings: settings(source), graph: graph).failure()
        let cause = try #require(failure.cause as? JournalError)
        #expect(cause.detail.contains("disk is full (planted by the test)"))
        #expect(failure.unrecorded == nil)
        let journal = try await Journal.open(at: source.journal, create: false)
        #expect(try await journal.run(id: failure.runID)?.status == .failed)
        let items = try await journal.items(run: failure.runID)
        #expect(items.count == 3)
        #expect(items.allSatisfy { $0.state.needsWork }, "\(items.map(\.state))")
        #expect(graph.puts.isEmpty, "the PUT is sent only after its record is committed")
    }

    @Test func aReportThatCannotBeWrittenFailsTheRunAfterTheUploads() async throws {
        let source = try Source(keys: [TestTenant.upn("ada"), TestTenant.upn("bob")])
        let notAFolder = source.folder + "/report-is-a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: notAFolder))
        let job = UploadJob(settings: settings(source, report: notAFolder), graph: ScriptedGraph())
        let failure = try await job.failure()
        let cause = try #require(failure.cause as? ReportError)
        #expect(cause.path == notAFolder)
        let journal = try await Journal.open(at: source.journal, create: false)
        #expect(try await journal.run(id: failure.runID)?.status == .failed)
        #expect(try await journal.counts(run: failure.runID)[.uploaded] == 2, "the uploads themselves are kept")
    }
}
