import Foundation
import PhotoModel

/// Resolves photo paths against a source folder and checks them: inside the folder (unless allowed
/// outside), an existing, readable, non-empty regular file.
package struct PathGuard {
    /// The source folder as an absolute, `..`-free path.
    let root: String
    /// The source folder with symlinks resolved.
    let realRoot: String
    let allowOutside: Bool

    init(folder: String, allowOutside: Bool) {
        root = PathGuard.absolute(folder, base: FileManager.default.currentDirectoryPath)
        realRoot = PathGuard.realPath(root) ?? root
        self.allowOutside = allowOutside
    }

    /// A checked file: its absolute path as written and with symlinks resolved (to spot the same file twice).
    struct Checked {
        var path: String
        var realPath: String
    }

    /// Resolves `written` (relative to the folder, or absolute) and checks it.
    func check(_ written: String) -> Result<Checked, SourceProblem.Reason> {
        let written = separatorsRead(written)
        let path = PathGuard.absolute(written, base: root)
        if !allowOutside && !PathGuard.isInside(path, root) {
            let leavesByDotDot = !written.hasPrefix("/") || written.split(separator: "/").contains("..")
            return .failure(.outsideSource(leavesByDotDot ? .dotDot : .absolutePath))
        }
        var info = stat()
        if lstat(path, &info) != 0 {
            return .failure(errno == ENOENT || errno == ENOTDIR ? .missingFile : .unreadableFile(SystemError.last))
        }
        guard let real = PathGuard.realPath(path) else {
            // A dangling symlink is a missing file; a loop or a permission problem makes it unreadable.
            return .failure(errno == ENOENT ? .missingFile : .unreadableFile(SystemError.last))
        }
        if !allowOutside && !PathGuard.isInside(real, realRoot) { return .failure(.outsideSource(.symlink)) }
        do {
            let file = try ReadableFile(real)
            guard file.size > 0 else { return .failure(.emptyFile) }
            guard file.size <= PathGuard.maxPhotoBytes else { return .failure(.tooLarge(file.size)) }
        } catch {
            return .failure(SourceProblem.Reason(error))
        }
        return .success(Checked(path: path, realPath: real))
    }

    /// Photo files larger than this are refused unread: the codec's own limit for files (`PC_MAX_FILE_BYTES`).
    package static let maxPhotoBytes: Int64 = 1 << 30

    /// Reads the photo at `path` (as `resolve` gave it while planning) when its turn comes, so that what was decided
    /// while planning still holds: `open`'s checks, then the whole file read once into one buffer.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    package func read(_ path: String) -> Result<[UInt8], SourceProblem.Reason> {
        do throws(SourceProblem.Reason) {
            let file = try open(path)
            return PathGuard.read(file)
        } catch {
            return .failure(error)
        }
    }

    /// Opens the photo at `path` (as `resolve` gave it while planning) without reading it: the file actually opened
    /// must lie inside the folder unless `--allow-outside`, however the path was swapped since (a symlink put in its
    /// place, a folder renamed), and be a non-empty regular file. Its `info` describes the file `read` would read.
    ///
    /// - Throws: the reason the photo cannot be read, as planning words it.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    package func open(_ path: String) throws(SourceProblem.Reason) -> ReadableFile {
        let file: ReadableFile
        do {
            file = try ReadableFile(path)
        } catch {
            throw SourceProblem.Reason(error)
        }
        if !allowOutside {
            // The kernel's name for the open file, not the path it was opened by: a swap after this is harmless.
            guard let real = file.resolvedPath ?? PathGuard.realPath(path), PathGuard.isInside(real, realRoot)
            else { throw .outsideSource(.symlink) }
        }
        guard file.size > 0 else { throw .emptyFile }
        return file
    }

    /// Every byte of a photo `open` opened, read once into one buffer of at most `maxPhotoBytes`.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    package static func read(_ file: borrowing ReadableFile) -> Result<[UInt8], SourceProblem.Reason> {
        do {
            return .success(try file.readAll(limit: PathGuard.maxPhotoBytes))
        } catch {
            return .failure(SourceProblem.Reason(error))
        }
    }

    /// The absolute path `check` looks at for `written`, without checking it.
    func resolve(_ written: String) -> String {
        PathGuard.absolute(separatorsRead(written), base: root)
    }

    /// Windows exports write `photos\alice.jpg`: read `\` as a folder separator unless such a file exists.
    private func separatorsRead(_ written: String) -> String {
        guard written.contains("\\"), access(PathGuard.absolute(written, base: root), F_OK) != 0 else { return written }
        return written.replacingOccurrences(of: "\\", with: "/")
    }

    /// `path` made absolute against `base`, with `.` and `..` resolved lexically (symlinks untouched).
    package static func absolute(_ path: String, base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` is `folder` itself or lies beneath it.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        folder == "/" || path == folder || path.hasPrefix(folder + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

}
