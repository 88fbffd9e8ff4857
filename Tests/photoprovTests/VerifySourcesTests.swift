import Foundation
import PhotoProvisioning
import TestSupport
import Testing

#if os(Linux)  // reads are observed through inotify
    /// The stat cache through the built binary: a sync with nothing changed reads no photo and sends none;
    /// `--verify-sources` reads every one again and still sends none.
    ///
    /// The photos are copies of two `../shared/corpus` files in the test's own folder, so no other test's reads of the
    /// corpus reach the watch. A copy's change time is now, which the racy-time rule never trusts (and only the
    /// kernel sets a change time), so the test waits until the copies' times are `SourceStat.racyWindow` old: a wait
    /// for the clock to pass a time, which no load on the machine can shorten or make fail.
    @Suite struct VerifySourcesTests {
        private static let corpus = PhotoprovProcess.projectRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/corpus")

        @Test func aSyncReadsNoUnchangedPhotoAndVerifySourcesReadsThemAll() async throws {
            let originals = ["faces/obama.jpg", "faces/biden.jpg"].map { Self.corpus.appendingPathComponent($0) }
            guard originals.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else {
                return print("SKIP: ../shared/corpus is absent")
            }
            let batch = try await Batch.make(count: 0)
            let photos = try originals.map { original in
                let copy = batch.directory.appendingPathComponent(original.lastPathComponent)
                try FileManager.default.copyItem(at: original, to: copy)
                return copy.path
            }
            try await Self.waitUntilNotRacy(photos)
            let upns = ["barack@contoso.example", "joe@contoso.example"]
            try batch.write("people.csv", "upn,photo\n" + zip(upns, photos).map { "\($0),\($1)\n" }.joined())
            let emulator = try await Emulator.start(["--users-csv", batch.csv])
            let reads = try ReadWatch()
            for photo in photos { try reads.watch(photo) }
            func upload(_ extra: [String] = []) async throws -> PhotoprovProcess.Output {
                try await PhotoprovProcess.run(
                    ["upload", "--csv", batch.csv, "--journal", batch.journal] + extra,
                    environment: emulator.environment)
            }

            let first = try await upload()
            #expect(first.status == 0 && first.stdout.contains("2 uploaded"), "\(first.stdout) \(first.stderr)")
            #expect(reads.read() == Set(photos))
            let puts = try await emulator.arrived(method: "PUT")
            #expect(puts == 2)

            let sync = try await upload()
            #expect(sync.status == 0 && sync.stdout.contains("2 unchanged"), "\(sync.stdout) \(sync.stderr)")
            #expect(sync.stdout.contains("not read"), "\(sync.stdout)")
            #expect(reads.read().isEmpty, "an unchanged photo is not read")
            #expect(try await emulator.arrived(method: "PUT") == puts)

            let verified = try await upload(["--verify-sources"])
            #expect(verified.status == 0 && verified.stdout.contains("2 unchanged"), "\(verified.stdout)")
            #expect(!verified.stdout.contains("not read"), "\(verified.stdout)")
            #expect(reads.read() == Set(photos), "--verify-sources reads every photo")
            #expect(try await emulator.arrived(method: "PUT") == puts)
            for upn in upns { #expect((try await emulator.user(upn)["uploads"] as? NSNumber) == 1) }
        }

        /// Returns once every file's modification and change times lie more than `SourceStat.racyWindow` in the past.
        private static func waitUntilNotRacy(_ paths: [String]) async throws {
            for path in paths {
                var info = stat()
                while stat(path, &info) == 0, SourceStat(info).isRacy(at: Date()) {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }
#endif
