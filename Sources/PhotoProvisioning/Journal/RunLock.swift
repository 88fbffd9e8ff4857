import Foundation
import PhotoModel

/// An exclusive `flock` on `<journal>-lock`, held from `startRun` to `finishRun` (or until the process dies,
/// when the kernel drops it), so two overlapping photoprov runs never work on one journal's runs at once.
///
/// A lock file of its own rather than the database file: closing any descriptor of the database would drop
/// SQLite's own POSIX locks in this process.
final class RunLock {
    private let fd: Int32

    /// Takes the lock next to the journal at `journalPath`, or throws `busy` naming the holder's pid.
    ///
    /// The descriptor becomes `self.fd` only once the lock is held: a class initializer that throws after every
    /// stored property is set still runs `deinit`, which would close the descriptor a second time and so shut
    /// whatever file another thread had opened under the same number meanwhile.
    init(journalPath: String) throws(JournalError) {
        let path = journalPath + "-lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw JournalError(.fileSystem, path: journalPath, detail: "cannot open \(path): \(SystemError.last)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = RunLock.readPID(fd)
            close(fd)
            throw JournalError(.busy(pid: holder), path: journalPath, detail: "")
        }
        self.fd = fd
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pwrite(fd, pid, pid.count, 0) }
        fchmod(fd, 0o600)
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

}
