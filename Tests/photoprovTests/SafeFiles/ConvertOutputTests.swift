import Foundation
import Testing

/// `photoprov convert` never destroys a file it did not make (issue 12): not an input, not someone else's file at an
/// output's name unless `--overwrite`.
@Suite struct ConvertOutputTests {
    @Test func convertingAFolderIntoItselfLeavesTheOriginalsAlone() async throws {
        let batch = try await Batch.make(count: 2, side: 800)
        let originals = try ["user0001.jpg", "user0002.jpg"].map { try snapshot(batch.path($0)) }
        for extra in [[], ["--overwrite"]] {
            let run = try await WatchedChild.run(
                [
                    "convert", "--out", batch.directory.path, "--max-side", "200", batch.path("user0001.jpg"),
                    batch.path("user0002.jpg"),
                ] + extra)
            #expect(run.status == 1, "\(extra): \(run.stdout) \(run.stderr)")
            #expect(
                run.stdout.contains("user0001.jpg is one of the inputs; photoprov never writes over an input"),
                "\(run.stdout)")
            let after = try ["user0001.jpg", "user0002.jpg"].map { try snapshot(batch.path($0)).bytes }
            #expect(after == originals.map(\.bytes), "an input was replaced (\(extra))")
        }
    }

    @Test func anInputHardLinkedIntoTheOutputFolderIsNotWrittenThrough() async throws {
        let batch = try await Batch.make(count: 1, side: 800)
        let out = batch.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: batch.path("user0001.jpg"), toPath: out + "/user0001.jpg")
        let original = try snapshot(batch.path("user0001.jpg"))
        let run = try await WatchedChild.run(["convert", "--overwrite", "--out", out, batch.path("user0001.jpg")])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("is one of the inputs"), "\(run.stdout)")
        #expect(try snapshot(out + "/user0001.jpg").bytes == original.bytes)
    }

    @Test func someoneElsesFileAtAnOutputsNameIsKeptUnlessOverwrite() async throws {
        let batch = try await Batch.make(count: 1, side: 800)
        let out = batch.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let theirs = Data("the designer's retouched version\n".utf8)
        try theirs.write(to: URL(fileURLWithPath: out + "/user0001.jpg"))
        let convert = ["convert", "--out", out, "--max-side", "200", batch.path("user0001.jpg")]

        let refused = try await WatchedChild.run(convert)
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(
            refused.stdout.contains("already exists and is not what photoprov makes of this input"), "\(refused.stdout)"
        )
        #expect(refused.stdout.contains("--overwrite replaces it"), "\(refused.stdout)")
        #expect(try snapshot(out + "/user0001.jpg").bytes == theirs)

        let replaced = try await WatchedChild.run(convert + ["--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stdout) \(replaced.stderr)")
        let ours = try snapshot(out + "/user0001.jpg").bytes
        #expect(ours.starts(with: [0xFF, 0xD8, 0xFF]), "the output is a JPEG")

        // Photoprov's own output for the same input and settings is recognised: a re-run needs no --overwrite.
        let again = try await WatchedChild.run(convert)
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(try snapshot(out + "/user0001.jpg").bytes == ours)
        // Other settings make another output, which is not replaced without --overwrite.
        let other = try await WatchedChild.run(convert + ["--quality", "40"])
        #expect(other.status == 1, "\(other.stdout) \(other.stderr)")
        #expect(try snapshot(out + "/user0001.jpg").bytes == ours)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0 != "user0001.jpg" }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }
}
