import Foundation
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoProvisioning

/// The planning's path decision holds when the photo is read (issue 12): a photo swapped for a symlink to a file
/// outside the source folder after the plan was made is not read, unless `--allow-outside`.
@Suite struct PhotoSwapTests {
    /// A folder source of one photo, a photo outside it, and a dry run whose `planned` event (after every path was
    /// checked, before any photo is read) swaps the source's photo for a symlink to the outside one.
    private func runWithSwap(allowOutside: Bool) async throws -> (item: Journal.Item, outsideSHA256: String) {
        let root = NSTemporaryDirectory() + "photoprov-swap-\(UUID().uuidString)"
        let source = root + "/photos"
        let outside = root + "/private/payroll.jpg"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/private", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let photo = source + "/alice@contoso.example.jpg"
        try Data(ReportSamples.sources[0]).write(to: URL(fileURLWithPath: photo))
        try Data(ReportSamples.sources[1]).write(to: URL(fileURLWithPath: outside))

        let settings = UploadJob.Settings(
            source: .folder(source), sourceOptions: SourceOptions(allowOutside: allowOutside), jobs: 1,
            journalPath: root + "/photoprov.journal", dryRun: true, arguments: ["upload"])
        let job = UploadJob(settings: settings, graph: OfflineGraph()) { event in
            guard case .planned = event else { return }
            try? FileManager.default.removeItem(atPath: photo)
            try? FileManager.default.createSymbolicLink(atPath: photo, withDestinationPath: outside)
        }
        let summary = try await job.run()
        let items = try await Journal.open(at: settings.journalPath, create: false).items(run: summary.runID)
        #expect(items.count == 1)
        return (try #require(items.first), Digest.sha256Hex(ReportSamples.sources[1]))
    }

    @Test func aPhotoSwappedForASymlinkAfterPlanningIsNotReadFromOutside() async throws {
        let (item, outsideSHA256) = try await runWithSwap(allowOutside: false)
        #expect(item.state == .failed, "the swapped photo must not be converted: \(item.state)")
        #expect(item.failure == .unreadableSource)
        #expect(item.reason?.contains("leaves the source folder through a symlink") == true, "\(item.reason ?? "")")
        #expect(item.photo.sourceSHA256 != outsideSHA256, "the file outside the folder was read")
    }

    @Test func withAllowOutsideTheSwappedPhotoIsRead() async throws {
        let (item, outsideSHA256) = try await runWithSwap(allowOutside: true)
        #expect(item.state == .wouldUpload, "\(item.state) \(item.reason ?? "")")
        #expect(item.photo.sourceSHA256 == outsideSHA256)
    }
}
