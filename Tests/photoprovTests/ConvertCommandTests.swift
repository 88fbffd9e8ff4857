import Foundation
import PhotoCodec
import TestSupport
import Testing

/// `photoprov convert` through the built binary: outputs, per-file failures, exit codes, budgets.
@Suite struct ConvertCommandTests {
    @Test func convertsGoodFilesNamesBadOnesAndExitsOne() async throws {
        let batch = try await Batch.make(count: 2, side: 800)
        try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: batch.path("fake.jpg")))
        let out = batch.path("out")
        let run = try await PhotoprovProcess.run(
            [
                "convert", "--out", out, "--max-side", "200", "--jobs", "2", batch.path("user0001.jpg"),
                batch.path("user0002.jpg"), batch.path("fake.jpg"),
            ])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1, "one line per failed file: \(run.stdout)")
        #expect(lines.first?.hasPrefix(batch.path("fake.jpg") + ": ") == true, "\(run.stdout)")
        #expect(
            lines.first?.contains("not a jpeg or png") == true || lines.first?.contains("unsupported") == true,
            "\(run.stdout)")
        for name in ["user0001.jpg", "user0002.jpg"] {
            let image = try await onWorkerThread { try PhotoCodec.decode(contentsOf: out + "/" + name) }
            #expect(image.width == 200 && image.height == 200, "\(name) is a 200 px square")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/fake.jpg"))
    }

    @Test func meetsASmallByteBudgetAndExitsZero() async throws {
        let batch = try await Batch.make(count: 1, side: 1200)
        let out = batch.path("out")
        let run = try await PhotoprovProcess.run(
            ["convert", "--out", out, "--max-bytes", "20KB", "--crop", "none", batch.path("user0001.jpg")])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: out + "/user0001.jpg")[.size] as? NSNumber
        #expect((size?.intValue ?? .max) <= 20 * 1024)
    }
}
