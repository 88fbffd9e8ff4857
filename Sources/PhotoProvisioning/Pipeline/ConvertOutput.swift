import Foundation
import PhotoModel

/// Where `convert` may write: the rule that keeps it from destroying files it did not make.
///
/// An output never lands on one of the run's inputs (the same file by device and inode, whatever its name), even with
/// `--overwrite`. An existing file at an output's name is kept as it is when it already holds exactly the bytes this
/// conversion produces (photoprov's output for the same input and settings, e.g. from an earlier run: nothing to do),
/// and otherwise replaced only with `--overwrite`: photoprov keeps no record of what it wrote, so a file it cannot
/// recognise by content is treated as someone else's. Each new file is written to a fresh temporary name beside it
/// (`O_CREAT | O_EXCL | O_NOFOLLOW`) and then linked (new) or renamed (replacing) into place, so a link planted at the
/// name is replaced as a name, never followed.
struct ConvertOutput: Sendable {
    /// A file's identity: its device and inode.
    struct Identity: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The run's inputs (symlinks followed): no output may replace one.
    let inputs: Set<Identity>
    /// `--overwrite`: replace existing files that do not hold this output.
    let overwrite: Bool

    /// The identities of `files` that exist.
    @available(*, noasync, message: "blocking file I/O: run it on the BlockingPool")
    static func identities(_ files: [String]) -> Set<Identity> {
        Set(
            files.compactMap { file in
                var info = stat()
                return stat(file, &info) == 0 ? Identity(info) : nil
            })
    }

    /// Why nothing may be written at `path`, before any work is spent on it: it is one of the inputs, or a folder.
    @available(*, noasync, message: "blocking file I/O: run it on the BlockingPool")
    func refusal(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if inputs.contains(Identity(info)) {
            return "output \(path) is one of the inputs; photoprov never writes over an input (choose another --out)"
        }
        if info.st_mode & S_IFMT == S_IFDIR { return "output \(path) is a folder" }
        return nil
    }

    /// Writes `bytes` at `path` by the rule above.
    ///
    /// - Throws: a message naming the file when the rule refuses or the system fails.
    @available(*, noasync, message: "blocking file I/O: run it on the BlockingPool")
    func write(_ bytes: [UInt8], to path: String) throws(ConvertOutputError) {
        if let refusal = refusal(at: path) { throw ConvertOutputError(refusal) }
        var info = stat()
        let exists = lstat(path, &info) == 0
        if exists && holds(path, bytes) { return }
        if exists && !overwrite {
            throw ConvertOutputError(
                "output \(path) already exists and is not what photoprov makes of this input with these settings; "
                    + "left as it is (--overwrite replaces it)")
        }
        let folder = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "./"
        let temporary = folder + ".photoprov-\(UUID().uuidString.prefix(12)).tmp"
        try Self.create(temporary, bytes, naming: path)
        // link() fails if the name appeared meanwhile, so a new file never replaces anything; rename() replaces
        // the name itself (a link is not followed).
        let placed = exists ? rename(temporary, path) == 0 : link(temporary, path) == 0
        let failure = placed ? nil : errno
        if !placed || !exists { unlink(temporary) }
        if let failure {
            throw ConvertOutputError(
                failure == EEXIST
                    ? "output \(path) appeared while it was being written; left as it is (--overwrite replaces it)"
                    : "cannot write \(path): \(SystemError.describe(failure))")
        }
    }

    /// Whether the regular file at `path` holds exactly `bytes`.
    private func holds(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard let file = try? ReadableFile(path, followingSymlinks: false), file.size == Int64(bytes.count) else {
            return false
        }
        return (try? file.readAll()) == bytes
    }

    /// Writes `bytes` to the new file `temporary`, flushed to disk, mode 0644.
    private static func create(_ temporary: String, _ bytes: [UInt8], naming path: String) throws(ConvertOutputError) {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ConvertOutputError("cannot write \(path): \(SystemError.last)") }
        var failure: Int32?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 {
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == nil { failure = errno }
        if let failure {
            unlink(temporary)
            throw ConvertOutputError("cannot write \(path): \(SystemError.describe(failure))")
        }
    }
}

/// Why `convert` did not write an output: the message names the file.
struct ConvertOutputError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
