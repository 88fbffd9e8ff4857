import Foundation
import PhotoProvisioning
import Testing

/// `photoprov report` streams (issue 12): it reads a run's items from the journal a page at a time, so its peak
/// RSS does not grow with the run. Measured as a photoprov child's own peak, against a one-item run.
@Suite struct ReportMemoryTests {
    private static let mebibyte = 1 << 20

    /// A journal holding one run of `count` items, each with two previews of `previewBytes` (JPEG-tagged filler,
    /// unique per item, under the HTML's 48 KB limit so each is embedded).
    private func journal(items count: Int, previewBytes: Int, in batch: Batch) async throws -> String {
        let path = batch.path("report-\(count).journal")
        let journal = try await Journal.open(at: path)
        let run = try await journal.startRun(kind: .upload, commandKey: "memory \(count)", arguments: ["upload"]).run
        let records = (0..<count).map { index in
            Journal.NewItem(
                key: "user\(index)@contoso.example", line: index + 2, sourcePath: "photos/user\(index).jpg",
                fingerprint: "fp")
        }
        for (index, item) in try await journal.addItems(records, run: run.id).enumerated() {
            let sha = "sample-\(index)"
            var preview = Data([0xFF, 0xD8, 0xFF]) + Data(count: previewBytes - 3)
            preview.replaceSubrange(3..<11, with: withUnsafeBytes(of: index) { Data($0) })
            try await journal.storeOriginalPreview(preview, sourceSHA256: sha)
            try await journal.storeOutputPreview(preview, sourceSHA256: sha, fingerprint: "fp")
            try await journal.record(
                Journal.ItemUpdate(.uploaded, photo: PhotoFacts(sourceSHA256: sha, sourceBytes: 1000)), item: item.id)
        }
        try await journal.finishRun(run.id, status: .completed)
        return path
    }

    /// Runs `photoprov report` on `journal`; returns the child's output and the size of the report.html written.
    private func report(_ journal: String, in batch: Batch) async throws -> (WatchedChild.Output, html: Int) {
        let out = batch.path("out-\(UUID().uuidString)")
        let run = try await WatchedChild.run(["report", "--journal", journal, "--out", out])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: out + "/report.html")[.size] as? NSNumber
        return (run, size?.intValue ?? 0)
    }

    @Test func aReportOfAnyLengthIsWrittenInBoundedMemory() async throws {
        let batch = try await Batch.make(count: 0)
        let small = try await journal(items: 1, previewBytes: 20_000, in: batch)
        // 4,000 people with two 20 KB previews each: 160 MB of previews, embedded as 213 MB of base64.
        let large = try await journal(items: 4_000, previewBytes: 20_000, in: batch)
        let (baseline, _) = try await report(small, in: batch)
        let (run, html) = try await report(large, in: batch)
        #expect(html > 8_000 * 26_000, "every preview is in the page: report.html is \(html) bytes")
        let extra = run.peakRSS - baseline.peakRSS
        print(
            "report of 4,000 items with 160 MB of previews: peak RSS \(run.peakRSS / Self.mebibyte) MiB, "
                + "one item \(baseline.peakRSS / Self.mebibyte) MiB")
        // Held whole, the previews alone are 160 MB (and their base64 213 MB more); a page of 500 is 20 MB.
        #expect(extra < 128 * Self.mebibyte, "the report held the run: \(extra / Self.mebibyte) MiB more")
    }
}
