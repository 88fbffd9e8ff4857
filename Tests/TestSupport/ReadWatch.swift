import Foundation

#if os(Linux)
    /// Tells which files were read, by any process, through inotify's `IN_ACCESS` (a `read`/`pread` of the file; not
    /// `open`, `stat` or `fstat`): how a test observes from outside that photoprov did not read a photo.
    ///
    /// A watch follows the inode, not the name: watch a path again after replacing its file. Events are queued by the
    /// read itself, so once a run has returned, every read it made is waiting here.
    package final class ReadWatch {
        private let descriptor: Int32
        private var paths: [Int32: String] = [:]

        package struct Failure: Error, CustomStringConvertible {
            package let description: String
        }

        /// - Throws: `Failure` when inotify cannot be used (no instances left).
        package init() throws {
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard descriptor >= 0 else {
                throw Failure(description: "inotify_init1: \(String(cString: strerror(errno)))")
            }
        }

        deinit { close(descriptor) }

        /// Watches `path` for reads.
        ///
        /// - Throws: `Failure` when the file cannot be watched (missing, no permission).
        package func watch(_ path: String) throws {
            let watch = inotify_add_watch(descriptor, path, UInt32(IN_ACCESS))
            guard watch >= 0 else {
                throw Failure(description: "inotify_add_watch \(path): \(String(cString: strerror(errno)))")
            }
            paths[watch] = path
        }

        /// The watched paths read since the last call.
        package func read() -> Set<String> {
            var read = Set<String>()
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = buffer.withUnsafeBytes {
                        $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    }
                    if event.mask & UInt32(IN_ACCESS) != 0, let path = paths[event.wd] { read.insert(path) }
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
            }
            return read
        }
    }
#endif
