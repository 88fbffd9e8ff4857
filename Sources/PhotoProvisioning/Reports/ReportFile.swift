import Foundation
import PhotoModel

/// One report file being written: a temporary file beside its path, written through a buffer and renamed over the
/// path by `commit()`. A file never committed (an error on the way) is closed and removed when released.
final class ReportFile {
    /// The file's final path.
    let path: String
    private let temporary: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    /// The buffer is written out once it holds this many bytes.
    private static let bufferSize = 1 << 18

    /// Creates the temporary file: new (`O_EXCL`), never through a symbolic link (`O_NOFOLLOW`).
    ///
    /// - Throws: `ReportError.Reason.cannotWrite` when it cannot be created.
    init(_ path: String) throws(ReportError) {
        self.path = path
        temporary = path + ".tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReportError(.cannotWrite, path: path, "cannot create a temporary file: \(SystemError.last)")
        }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        guard descriptor >= 0 else { return }
        close(descriptor)
        unlink(temporary)
    }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) throws(ReportError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Appends `text` as UTF-8.
    func write(_ text: String) throws(ReportError) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Writes out what is buffered, flushes it to disk and renames the file over `path`.
    func commit() throws(ReportError) {
        try flush()
        var failure: String?
        if fsync(descriptor) != 0 { failure = SystemError.last }
        if close(descriptor) != 0 && failure == nil { failure = SystemError.last }
        descriptor = -1
        if failure == nil && rename(temporary, path) != 0 { failure = SystemError.last }
        if let failure {
            unlink(temporary)
            throw ReportError(.cannotWrite, path: path, "cannot write the report: \(failure)")
        }
    }

    private func flush() throws(ReportError) {
        var failure: String?
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError.last
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw ReportError(.cannotWrite, path: path, "cannot write the report: \(failure)") }
    }
}
