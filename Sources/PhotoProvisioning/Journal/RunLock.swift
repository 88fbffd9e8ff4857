import Foundation
import PhotoModel

/// An exclusive `flock` on the lock file beside the journal, held from `startRun` to `finishRun` (or until the process
/// dies, when the kernel drops it), so two overlapping photoprov runs never work on one journal's runs at once.
///
/// A lock file of its own rather than the database file: closing any descriptor of the database would drop
/// SQLite's own POSIX locks in this process. The lock file belongs to the journal's identity, not to the path as
/// typed: it lies in the journal's real folder (symlinks and `..` resolved), so every spelling of one journal's path
/// meets the same lock; the journal's own name is never a symbolic link and has one hard link (`JournalFile`).
final class RunLock {
    private let fd: Int32

    /// Takes the lock next to the journal at `journalPath`, or throws `busy` naming the holder's pid.
    ///
    /// The descriptor becomes `self.fd` only once the lock is held: a class initializer that throws after every
    /// stored property is set still runs `deinit`, which would close the descriptor a second time and so shut
    /// whatever file another thread had opened under the same number meanwhile.
    init(journalPath: String) throws(JournalError) {
        let path = RunLock.lockPath(journalPath)
        // O_NOFOLLOW: a link planted at the lock's name is refused, never followed to truncate its target.
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let detail =
                errno == ELOOP
                ? "\(path) is a symbolic link; photoprov does not follow it, so no one can point it at another "
                    + "file: remove it"
                : "cannot open \(path): \(SystemError.last)"
            throw JournalError(errno == ELOOP ? .unsafeFile : .fileSystem, path: journalPath, detail: detail)
        }
        var info = stat()
        if fstat(fd, &info) != 0 || info.st_mode & S_IFMT != S_IFREG || info.st_nlink != 1 {
            close(fd)
            throw JournalError(
                .unsafeFile, path: journalPath,
                detail: "\(path) is not a regular file with one name; photoprov writes its pid there: remove it")
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

    /// `<journal>-lock` in the journal's real folder.
    static func lockPath(_ journalPath: String) -> String { JournalFile.resolved(journalPath) + "-lock" }

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
