import Foundation
import PhotoProvisioningTestSupport
import Synchronization
import Testing

@testable import PhotoJournal
@testable import PhotoProvisioning

@Suite struct RunLockTests {
    /// A lock refused because another run holds it must close its descriptor once. Closing it a second time shuts
    /// whatever file another thread opened under the same number in between: in a test process full of journals
    /// that was a SQLite file, seen as "disk I/O error (sqlite code 266)" and a failed integrity check.
    @Test func aRefusedLockClosesOnlyItsOwnDescriptor() throws {
        let folder = NSTemporaryDirectory() + "photoprov-runlock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/photoprov.journal"
        let probe = folder + "/probe"
        #expect(FileManager.default.createFile(atPath: probe, contents: Data("probe".utf8)))
        var probeInfo = stat()
        #expect(stat(probe, &probeInfo) == 0)
        let probeInode = probeInfo.st_ino

        let holder = try RunLock(journalPath: journal)
        let done = Atomic<Bool>(false)
        let damaged = Atomic<Int>(0)
        let watched = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        // Another thread keeps a descriptor of its own open and checks it still names its file, as SQLite would.
        let watcher = Thread {
            defer { finished.signal() }
            while !done.load(ordering: .acquiring) {
                let fd = open(probe, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { continue }
                var info = stat()
                for _ in 0..<20 where fstat(fd, &info) != 0 || info.st_ino != probeInode {
                    damaged.add(1, ordering: .relaxed)
                    break
                }
                watched.add(1, ordering: .relaxed)
                if fstat(fd, &info) == 0 && info.st_ino == probeInode { close(fd) }
            }
        }
        watcher.start()
        var refusals = 0
        for _ in 0..<20_000 {
            do {
                _ = try RunLock(journalPath: journal)
                Issue.record("a second lock must be refused while the first is held")
            } catch {
                refusals += 1
            }
        }
        done.store(true, ordering: .releasing)
        finished.wait()
        withExtendedLifetime(holder) {}
        #expect(refusals == 20_000)
        #expect(watched.load(ordering: .relaxed) > 0, "the watcher must have run")
        #expect(damaged.load(ordering: .relaxed) == 0, "a refused lock closed a descriptor it did not own")
    }
}
