import Foundation
import Testing

/// `upload` reads each photo once into one buffer, under the codec's 1 GB file limit (issue 12); measured as the
/// peak RSS of a photoprov child (its own `rusage`), against the same run with a tiny photo.
@Suite struct PhotoMemoryTests {
    private static let mebibyte = 1 << 20

    /// Peak RSS of a dry run offline over one photo: a small JPEG padded with zeros to `size` bytes (sparse, so
    /// making it costs nothing; decoders ignore what follows the image), so what grows with `size` is the reading.
    private func peakRSS(photoOf size: Int) async throws -> (bytes: Int, output: WatchedChild.Output) {
        let batch = try await Batch.make(count: 1)
        let photo = batch.path("user0001.jpg")
        #expect(truncate(photo, off_t(size)) == 0)
        let run = try await WatchedChild.run(
            ["upload", "--csv", batch.csv, "--dry-run", "--offline", "--journal", batch.journal, "--jobs", "1"])
        return (run.peakRSS, run)
    }

    @Test func aPhotoIsReadOnceIntoOneBuffer() async throws {
        let size = 256 * Self.mebibyte
        let (small, smallRun) = try await peakRSS(photoOf: 4096)
        let (large, largeRun) = try await peakRSS(photoOf: size)
        for run in [smallRun, largeRun] {
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("would-upload user0001@contoso.example"), "\(run.stdout)")
        }
        let extra = large - small
        print("photo of 256 MiB: peak RSS \(large / Self.mebibyte) MiB, tiny photo \(small / Self.mebibyte) MiB")
        // One buffer is 256 MiB; a second copy of the file would be 512 MiB.
        #expect(extra > size * 9 / 10, "the photo must have been read: \(extra / Self.mebibyte) MiB")
        #expect(extra < size * 3 / 2, "the photo was held more than once: \(extra / Self.mebibyte) MiB more")
    }

    @Test func aPhotoOverTheCodecsLimitIsRefusedUnread() async throws {
        let (small, _) = try await peakRSS(photoOf: 4096)
        let (large, run) = try await peakRSS(photoOf: (1 << 30) + 1)
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("photo file of 1073741825 bytes is larger than 1 GB"), "\(run.stdout)")
        #expect(large - small < 64 * Self.mebibyte, "\((large - small) / Self.mebibyte) MiB more for a refused file")
    }
}
