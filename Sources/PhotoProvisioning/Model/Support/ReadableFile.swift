import Foundation

/// A file opened for reading by name, checked to be a regular file before a byte is read: a folder, a named pipe
/// (whose reader would wait forever for a writer) or a device is refused with what it is.
///
/// Owns its descriptor (`~Copyable`, closed in `deinit`), so the checks, the reads and the resolved path all concern
/// the one file that was opened, whatever is renamed or swapped at its path meanwhile.
package struct ReadableFile: ~Copyable {
    private let descriptor: Int32
    /// `fstat` of the open file.
    package let info: stat

    /// Opens `path` for reading.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - followingSymlinks: when `false`, a symbolic link as the last component is refused (`O_NOFOLLOW`).
    /// - Throws: `FileProblem` when nothing is there, it is not a regular file, or the system refuses.
    package init(_ path: String, followingSymlinks: Bool = true) throws(FileProblem) {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; it is refused below instead.
        let flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (followingSymlinks ? 0 : O_NOFOLLOW)
        let fd = open(path, flags)
        guard fd >= 0 else { throw ReadableFile.problem(opening: path, errno: errno, followingSymlinks) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .system(code)
        }
        if let kind = FileProblem.kind(of: info.st_mode) {
            close(fd)
            throw .notAFile(kind)
        }
        descriptor = fd
        self.info = info
    }

    deinit { close(descriptor) }

    /// The file's size in bytes when it was opened.
    package var size: Int64 { Int64(info.st_size) }

    /// Every byte of the file, read once into one buffer; refuses a file larger than `limit` before reading.
    ///
    /// - Throws: `FileProblem.tooLarge` over `limit`, `.system` when a read fails.
    package func readAll(limit: Int64 = .max) throws(FileProblem) -> [UInt8] {
        guard size <= limit else { throw .tooLarge(bytes: size, limit: limit) }
        let count = Int(size)
        var failure: Int32?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let got = pread(descriptor, buffer.baseAddress! + initialized, count - initialized, off_t(initialized))
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failure = errno }
                if got <= 0 { break }  // an error, or the file shrank since it was opened: keep what was read
                initialized += got
            }
        }
        if let failure { throw .system(failure) }
        return bytes
    }

    /// The path the open file has now, symlinks resolved, from the kernel rather than from the name it was opened
    /// by; `nil` when the system cannot tell (the file was deleted, or no `/proc`).
    package var resolvedPath: String? {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return path.hasSuffix(" (deleted)") ? nil : path
        #else
            var buffer = [CChar](repeating: 0, count: Int(MAXPATHLEN))
            guard fcntl(descriptor, F_GETPATH, &buffer) == 0 else { return nil }
            return String(cString: buffer)
        #endif
    }

    private static func problem(opening path: String, errno code: Int32, _ followingSymlinks: Bool) -> FileProblem {
        switch code {
        case ENOENT, ENOTDIR: return .missing
        case ELOOP where !followingSymlinks:
            var info = stat()
            return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK ? .symbolicLink : .system(code)
        case ENXIO:
            // Opening a socket fails with ENXIO; say what it is.
            var info = stat()
            if stat(path, &info) == 0, let kind = FileProblem.kind(of: info.st_mode) { return .notAFile(kind) }
            return .system(code)
        default: return .system(code)
        }
    }
}
