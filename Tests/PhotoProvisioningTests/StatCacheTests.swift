import Foundation
import PhotoProvisioningTestSupport
import TestSupport
import Testing

@testable import PhotoProvisioning

#if os(Linux)  // reads are observed through inotify

    /// A source folder of photos whose files the test changes between runs, and a watch that tells which of them were
    /// read (`ReadWatch`), so "not read" is observed from outside the pipeline rather than claimed by it.
    private final class WatchedSource {
        let folder: String
        let keys: [String]
        var csv: String { folder + "/people.csv" }
        var journal: String { folder + "/photoprov.journal" }
        /// A day before the runs: what a nightly sync's photos look like.
        static let yesterday = Date().addingTimeInterval(-86_400)
        /// The runs' clock: an hour from now, so that changes the test just made are not racy unless it says so.
        static let later: @Sendable () -> Date = { Date().addingTimeInterval(3_600) }

        private let reads: ReadWatch

        /// A source of `count` photos, or `nil` (with a printed skip) where the temporary folder is on a file system
        /// the stat cache does not trust, so nothing would ever be vouched for.
        static func make(count: Int) throws -> WatchedSource? {
            var info = stat()
            guard stat(NSTemporaryDirectory(), &info) == 0,
                let reason = MountTable.system.distrust(device: UInt64(info.st_dev))
            else { return try WatchedSource(count: count) }
            print("SKIP: the temporary folder is on a file system the stat cache does not trust: \(reason)")
            return nil
        }

        private init(count: Int) throws {
            reads = try ReadWatch()
            folder = NSTemporaryDirectory() + "photoprov-statcache-\(UUID().uuidString)"
            keys = (0..<count).map { "person\($0)@contoso.example" }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var rows = ["upn,photo"]
            for index in 0..<count {
                try write(index, tag: "first")
                rows.append("\(keys[index]),p\(index).jpg")
                try watch(index)
            }
            try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: csv))
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func path(_ index: Int) -> String { folder + "/p\(index).jpg" }

        /// A real JPEG with `tag` after its end-of-image marker: decoders stop at the marker, so every tag is the same
        /// picture with different bytes (and a tag of the same length keeps the size). Dated `yesterday`.
        func write(_ index: Int, tag: String, at path: String? = nil) throws {
            let bytes = ReportSamples.sources[index % ReportSamples.sources.count] + Array("\(tag)-\(index)".utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: path ?? self.path(index)))
            try setModified(path ?? self.path(index), to: Self.yesterday)
        }

        /// Watches photo `index` for reads (again after it was replaced: a watch follows the inode, not the name).
        func watch(_ index: Int) throws { try reads.watch(path(index)) }

        /// The photos read since the last call, by index.
        func read() -> Set<Int> {
            let paths = reads.read()
            return Set(keys.indices.filter { paths.contains(path($0)) })
        }

        func metadata(_ index: Int) throws -> SourceStat {
            var info = stat()
            guard stat(path(index), &info) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
            return SourceStat(info)
        }

        /// Sets the modification (and access) time, to the nanosecond; the kernel sets the change time to now, as for any
        /// change.
        func setModified(_ path: String, to date: Date) throws {
            try setModified(path, nanoseconds: Int64(date.timeIntervalSince1970 * 1e9))
        }

        func setModified(_ path: String, nanoseconds: Int64) throws {
            let time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            let times = [time, time]
            guard utimensat(AT_FDCWD, path, times, 0) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
        }

        func settings(
            verifySources: Bool = false, clock: @escaping @Sendable () -> Date = WatchedSource.later
        ) -> UploadJob.Settings {
            var settings = UploadJob.Settings(
                source: .csv(csv), jobs: 2, concurrency: 2, journalPath: journal, arguments: ["upload"])
            settings.verifySources = verifySources
            settings.clock = clock
            return settings
        }

        /// Runs an upload; returns its summary, the keys PUT, the photos read, and each item's event detail.
        func run(_ settings: UploadJob.Settings, graph: ScriptedGraph = ScriptedGraph()) async throws -> Outcome {
            let log = EventLog()
            let summary = try await UploadJob(settings: settings, graph: graph, events: log.handler).run()
            let details = Dictionary(log.items.map { ($0.key, $0.detail) }, uniquingKeysWith: { _, last in last })
            return Outcome(summary: summary, puts: Set(graph.puts), read: read(), details: details)
        }

        struct Outcome {
            var summary: UploadSummary
            var puts: Set<String>
            var read: Set<Int>
            var details: [String: String]
        }

        func records() async throws -> [String: Journal.SourceFile] {
            let journal = try await Journal.open(at: self.journal, create: false)
            var records: [String: Journal.SourceFile] = [:]
            for index in keys.indices {
                if let record = try await journal.sourceFile(at: path(index)) { records[path(index)] = record }
            }
            return records
        }
    }

    /// Sync by metadata first (issue 16): a photo whose file is as it was when last hashed is not read; any other is
    /// read and hashed, and the hash decides.
    @Suite struct StatCacheTests {
        @Test func aPhotoWhoseFileIsUnchangedIsNotReadAgain() async throws {
            guard let source = try WatchedSource.make(count: 3) else { return }
            let failing = ScriptedGraph(answers: [source.keys[2]: .fail(.notFound, status: 404, code: "ImageNotFound")])
            let first = try await source.run(source.settings(), graph: failing)
            #expect(first.summary.counts[.uploaded] == 2 && first.summary.counts[.failed] == 1)
            #expect(first.read == [0, 1, 2], "the first run reads every photo")
            let records = try await source.records()
            for index in 0..<3 {
                let record = try #require(records[source.path(index)], "photo \(index) is recorded once hashed")
                #expect(record.stat == (try source.metadata(index)))
                #expect(
                    record.sha256 == Digest.sha256Hex(try Data(contentsOf: URL(fileURLWithPath: source.path(index)))))
            }
            #expect(source.read() == [0, 1, 2], "the watch sees this test's own reads too")

            let second = try await source.run(source.settings())
            #expect(second.summary.counts[.unchanged] == 2)
            #expect(second.summary.counts[.uploaded] == 1, "the upload that failed is tried again")
            #expect(second.puts == [source.keys[2]])
            #expect(second.read == [2], "only the photo whose upload failed is read again")
            #expect(second.details[source.keys[0]]?.hasSuffix(UploadJob.vouchedNote) == true, "\(second.details)")
            let items = try await Journal.open(at: source.journal, create: false).items(run: second.summary.runID)
            let unchanged = try #require(items.first { $0.key == source.keys[0] })
            #expect(unchanged.photo.sourceSHA256 == records[source.path(0)]?.sha256)
            #expect(unchanged.photo.sourceBytes == Int(try source.metadata(0).size))
        }

        @Test func aSizeChangeIsReadAndUploaded() async throws {
            guard let source = try WatchedSource.make(count: 2) else { return }
            _ = try await source.run(source.settings())
            let before = try source.metadata(0)
            try source.write(0, tag: "second, longer")
            try source.setModified(source.path(0), nanoseconds: before.modifiedNanoseconds)
            #expect(try source.metadata(0).size != before.size)
            #expect(try source.metadata(0).modifiedNanoseconds == before.modifiedNanoseconds)

            let second = try await source.run(source.settings())
            #expect(second.read == [0])
            #expect(second.puts == [source.keys[0]])
            #expect(second.summary.counts[.unchanged] == 1)
        }

        @Test func aNewModificationTimeWithTheSameSizeIsReadAndTheHashDecides() async throws {
            guard let source = try WatchedSource.make(count: 2) else { return }
            _ = try await source.run(source.settings())
            // Same bytes, another time (a copy without -p, a backup restored): read, found unchanged, recorded afresh.
            try source.setModified(source.path(0), to: WatchedSource.yesterday.addingTimeInterval(-3_600))
            let touched = try await source.run(source.settings())
            #expect(touched.read == [0])
            #expect(touched.puts.isEmpty)
            #expect(touched.summary.counts[.unchanged] == 2)
            #expect(touched.details[source.keys[0]]?.hasSuffix(UploadJob.vouchedNote) == false)
            #expect(try await source.records()[source.path(0)]?.stat == (try source.metadata(0)))
            let next = try await source.run(source.settings())
            #expect(next.read.isEmpty, "the refreshed record vouches for it now")

            // Other bytes of the same size at a new time: read and uploaded.
            try source.write(0, tag: "other")
            let changed = try await source.run(source.settings())
            #expect(changed.read == [0])
            #expect(changed.puts == [source.keys[0]])
        }

        @Test func newContentUnderTheSameSizeAndModificationTimeIsCaughtByTheChangeTime() async throws {
            guard let source = try WatchedSource.make(count: 2) else { return }
            _ = try await source.run(source.settings())
            let before = try source.metadata(0)
            // The one risk of the rule: a tool rewrites the file in place and restores its size and modification time.
            let handle = try #require(FileHandle(forWritingAtPath: source.path(0)))
            try handle.seek(toOffset: UInt64(before.size) - 5)
            try handle.write(contentsOf: Array("LATER".utf8))
            try handle.close()
            try source.setModified(source.path(0), nanoseconds: before.modifiedNanoseconds)
            let after = try source.metadata(0)
            #expect(after.size == before.size && after.modifiedNanoseconds == before.modifiedNanoseconds)
            #expect(after.inode == before.inode && after.device == before.device)
            #expect(after.changedNanoseconds != before.changedNanoseconds, "the kernel set a new change time")

            let second = try await source.run(source.settings())
            #expect(second.read == [0])
            #expect(second.puts == [source.keys[0]], "the new bytes are uploaded")
        }

        @Test func aFileReplacedByAnotherOfTheSameSizeAndModificationTimeIsRead() async throws {
            guard let source = try WatchedSource.make(count: 2) else { return }
            _ = try await source.run(source.settings())
            let before = try source.metadata(0)
            // Another file of the same length and time, renamed over the photo (as rsync and editors save).
            let other = source.folder + "/incoming.jpg"
            try source.write(0, tag: "fresh", at: other)
            try source.setModified(other, nanoseconds: before.modifiedNanoseconds)
            #expect(rename(other, source.path(0)) == 0)
            try source.watch(0)
            let after = try source.metadata(0)
            #expect(after.size == before.size && after.modifiedNanoseconds == before.modifiedNanoseconds)
            #expect(after.inode != before.inode)

            let second = try await source.run(source.settings())
            #expect(second.read == [0])
            #expect(second.puts == [source.keys[0]])
        }

        @Test func aRecentChangeIsNeitherTrustedNorRecorded() async throws {
            guard let source = try WatchedSource.make(count: 2) else { return }
            let changed = try source.metadata(0).changedNanoseconds
            // The clock reads one second after the files' change time: within the 2-second window, however slow the
            // machine is.
            let racy: @Sendable () -> Date = { Date(timeIntervalSince1970: Double(changed) / 1e9 + 1) }
            let first = try await source.run(source.settings(clock: racy))
            #expect(first.summary.counts[.uploaded] == 2)
            #expect(try await source.records().isEmpty, "metadata 1 s old are not recorded")
            let second = try await source.run(source.settings(clock: racy))
            #expect(second.read == [0, 1], "nothing vouches for them: read, and the hash decides")
            #expect(second.summary.counts[.unchanged] == 2 && second.puts.isEmpty)

            // An hour later the same metadata are trusted: recorded by the next read, then vouched for.
            let third = try await source.run(source.settings())
            #expect(third.read == [0, 1])
            #expect(try await source.records().count == 2)
            let fourth = try await source.run(source.settings())
            #expect(fourth.read.isEmpty)

            // A modification time ahead of the clock (a share whose clock runs fast) is never trusted either.
            try source.setModified(source.path(1), to: Date().addingTimeInterval(86_400))
            _ = try await source.run(source.settings())
            #expect(try await source.run(source.settings()).read == [1])
        }

        @Test func verifySourcesReadsAndHashesEveryPhoto() async throws {
            guard let source = try WatchedSource.make(count: 3) else { return }
            _ = try await source.run(source.settings())
            #expect(try await source.run(source.settings()).read.isEmpty)
            let verified = try await source.run(source.settings(verifySources: true))
            #expect(verified.read == [0, 1, 2])
            #expect(verified.summary.counts[.unchanged] == 3 && verified.puts.isEmpty)
            #expect(verified.details.values.allSatisfy { !$0.hasSuffix(UploadJob.vouchedNote) })
        }

        @Test func otherCodecSettingsReadEveryPhoto() async throws {
            guard let source = try WatchedSource.make(count: 2) else { return }
            _ = try await source.run(source.settings())
            var settings = source.settings()
            settings.codec.quality = 70
            let second = try await source.run(settings)
            #expect(second.read == [0, 1])
            #expect(second.puts == Set(source.keys))
        }

        // MARK: The rule's parts

        private static let recorded = SourceStat(
            size: 1000, modifiedNanoseconds: 1_700_000_000_123_456_789, changedNanoseconds: 1_700_000_001_000_000_000,
            inode: 42, device: 2049)

        /// Each field of the record alone differing from the open file's: the photo is read. (The runs above cannot
        /// change the inode or device without the change time.)
        @Test(arguments: ["size", "mtime", "ctime", "inode", "device", "none"])
        func everyFieldOfTheRecordMustMatch(_ field: String) throws {
            guard let source = try WatchedSource.make(count: 1) else { return }
            let scan = try SourceReader.scanCSV(at: source.csv, options: SourceOptions())
            var stat = try source.metadata(0)
            switch field {
            case "size": stat.size += 1
            case "mtime": stat.modifiedNanoseconds += 1
            case "ctime": stat.changedNanoseconds += 1
            case "inode": stat.inode += 1
            case "device": stat.device += 1
            default: break
            }
            let known = Journal.SourceFile(path: source.path(0), stat: stat, sha256: "recorded")
            let cache = StatCache(known: known, clock: WatchedSource.later, mounts: .system)
            switch UploadJob.readPhoto(source.path(0), photos: scan.guardian, cache: cache) {
            case .success(.vouched(let record)):
                #expect(field == "none", "a record differing in its \(field) vouched for the file")
                #expect(record.sha256 == "recorded")
            case .success(.read(let bytes, let sha, let record)):
                #expect(field != "none", "the record matching the open file did not vouch for it")
                let now = try source.metadata(0)
                #expect(sha == Digest.sha256Hex(bytes) && record?.stat == now)
            case .failure:
                Issue.record("photo 0 could not be read")
            }
            #expect(source.read() == (field == "none" ? [] : [0]))
        }

        @Test func changesWithinTwoSecondsOrAheadOfTheClockAreRacy() {
            let changed = Date(timeIntervalSince1970: Double(Self.recorded.changedNanoseconds) / 1e9)
            #expect(Self.recorded.isRacy(at: changed.addingTimeInterval(1.9)))
            #expect(!Self.recorded.isRacy(at: changed.addingTimeInterval(2.1)))
            var future = Self.recorded
            future.modifiedNanoseconds += 10_000_000_000
            #expect(future.isRacy(at: changed.addingTimeInterval(5)))
        }

        @Test func aZeroInodeOrAnUntrustedFileSystemIsNotTrusted() {
            let mounts = MountTable(read: { "40 27 8:17 / /media/card rw - vfat /dev/sdb1 rw,fmask=0022\n" })
            let cache = StatCache(known: nil, clock: { Date(timeIntervalSince1970: 1_800_000_000) }, mounts: mounts)
            #expect(cache.trusts(Self.recorded))
            var zero = Self.recorded
            zero.inode = 0
            #expect(!cache.trusts(zero))
            var card = Self.recorded
            card.device = MountTable.device(major: 8, minor: 17)
            #expect(!cache.trusts(card))
        }

        @Test func mountInfoNamesTheFileSystemsWithoutInodesOrChangeTimesOfTheirOwn() {
            let table = MountTable(read: {
                """
                27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
                40 27 8:17 / /media/card rw,nosuid - vfat /dev/sdb1 rw,fmask=0022,dmask=0022
                41 27 8:33 / /media/disk rw - exfat /dev/sdc1 rw,iocharset=utf8
                42 27 0:50 / /mnt/ssh rw,nosuid,nodev - fuse.sshfs alice@host:/photos rw,user_id=0
                43 27 0:51 / /mnt/hr rw - cifs //hr/photos rw,vers=3.1.1,noserverino,cache=strict
                44 27 0:52 / /mnt/share rw - cifs //hr/share rw,vers=3.1.1,serverino
                45 27 0:53 / /mnt/nfs rw - nfs4 hr:/photos rw,vers=4.2
                46 27 259:1048577 / /mnt/big rw - xfs /dev/nvme0n1p1 rw
                """
            })
            #expect(table.distrust(device: 65024) == nil, "254:0 is ext4")
            #expect(table.distrust(device: MountTable.device(major: 8, minor: 17))?.contains("vfat") == true)
            #expect(table.distrust(device: MountTable.device(major: 8, minor: 33))?.contains("exfat") == true)
            #expect(table.distrust(device: MountTable.device(major: 0, minor: 50))?.contains("FUSE") == true)
            #expect(table.distrust(device: MountTable.device(major: 0, minor: 51))?.contains("noserverino") == true)
            #expect(table.distrust(device: MountTable.device(major: 0, minor: 52)) == nil)
            #expect(table.distrust(device: MountTable.device(major: 0, minor: 53)) == nil)
            #expect(table.distrust(device: MountTable.device(major: 259, minor: 1_048_577)) == nil)
            #expect(table.distrust(device: 999_999) == nil, "a device no mount lists is trusted")
            #expect(MountTable.device(major: 254, minor: 0) == 65024, "glibc's makedev(254, 0)")
        }
    }
#endif
