import Foundation
import Testing

@testable import PhotoProvisioning

@Suite("Report benchmark")
struct ReportBenchmarkTests {
    @Test func sampleRunHasEveryOutcomeOfItsKindAndFlagsToLookAt() {
        let (run, items) = ReportBenchmark.sampleRun(count: 2_000)
        #expect(run.kind == .upload)
        #expect(items.count == 2_000)
        let counts = ReportOutcome.counts(in: items)
        for outcome in [ReportOutcome.uploaded, .unchanged, .failed, .invalid, .skipped, .removed, .pending] {
            #expect((counts[outcome] ?? 0) > 0, "\(outcome)")
        }
        #expect(counts[.uploaded]! > 1_000)
        let flags = Set(items.flatMap(\.flags))
        #expect(flags.isSuperset(of: [.lowResolution, .upscaleAvoided, .qualityLowered, .exifRotated]))
        #expect(items.filter { $0.sourcePreview != nil }.count > 1_500)
        #expect(!run.arguments.contains("hunter2"))

        let (dry, dryItems) = ReportBenchmark.sampleRun(count: 500, kind: .dryRun)
        #expect(dry.kind == .dryRun)
        #expect(Set(dryItems.map(\.outcome)) == [.wouldUpload, .wouldFail, .invalid, .skipped, .unchanged])
    }

    @Test func measureWritesTheReportAndReportsItsSizes() throws {
        let folder = try ReportTemporaryFolder()
        let figures = try ReportBenchmark.measure(count: 120, directory: folder.path, repeats: 2)
        #expect(figures.items == 120)
        #expect(figures.seconds.count == 2)
        #expect(figures.seconds.allSatisfy { $0 > 0 })
        func size(_ name: String) throws -> Int {
            try #require(
                (try FileManager.default.attributesOfItem(atPath: folder.file(name))[.size] as? NSNumber)?.intValue)
        }
        #expect(figures.htmlBytes == (try size("report.html")))
        #expect(figures.csvBytes == (try size("report.csv")))
        #expect(figures.jsonBytes == (try size("report.json")))
        #expect(try RFC4180.parse(try readText(folder.file("report.csv"))).count == 121)
        let median = ReportBenchmark.Figures(items: 1, htmlBytes: 0, csvBytes: 0, jsonBytes: 0, seconds: [3, 1, 2, 10])
        #expect(median.medianSeconds == 2.5)
    }
}
