import Foundation
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoProvisioning

@Suite("Report sample run")
struct ReportSampleRunTests {
    @Test func sampleRunHasEveryOutcomeOfItsKindAndFlagsToLookAt() {
        let (run, items) = ReportSampleRun.make(count: 2_000)
        #expect(run.kind == .upload)
        #expect(items.count == 2_000)
        let counts = Outcome.counts(in: items)
        for outcome in [Outcome.uploaded, .unchanged, .failed, .invalid, .skipped, .removed, .pending] {
            #expect((counts[outcome] ?? 0) > 0, "\(outcome)")
        }
        #expect(counts[.uploaded]! > 1_000)
        let flags = Set(items.flatMap(\.flags))
        #expect(flags.isSuperset(of: [.lowResolution, .upscaleAvoided, .qualityLowered, .exifRotated]))
        #expect(items.filter { $0.sourcePreview != nil }.count > 1_500)
        #expect(!run.arguments.contains("hunter2"))

        let (dry, dryItems) = ReportSampleRun.make(count: 500, kind: .dryRun)
        #expect(dry.kind == .dryRun)
        #expect(Set(dryItems.map(\.outcome)) == [.wouldUpload, .wouldFail, .invalid, .skipped, .unchanged])
    }
}
