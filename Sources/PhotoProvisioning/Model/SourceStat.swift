import Foundation

/// What the stat cache compares: a source file's size, modification and change times (nanoseconds) and identity
/// (inode and device), as `fstat` of the open file gave them.
///
/// A file whose metadata all equal the ones recorded when it was last hashed is taken to hold the same bytes. The
/// change time is what makes that safe: the kernel sets it to the current time on every write and every metadata
/// change (`utimensat` included), and no system call sets it back, so a tool that rewrites a file and restores its
/// size and modification time still leaves a new change time.
public struct SourceStat: Sendable, Hashable {
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64

    /// Creates metadata from its parts (as the journal stores them).
    public init(size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
        self.inode = inode
        self.device = device
    }

    /// The metadata in a `stat` result.
    package init(_ info: stat) {
        #if os(Linux)
            let (modified, changed) = (info.st_mtim, info.st_ctim)
        #else
            let (modified, changed) = (info.st_mtimespec, info.st_ctimespec)
        #endif
        self.init(
            size: Int64(info.st_size), modifiedNanoseconds: SourceStat.nanoseconds(modified),
            changedNanoseconds: SourceStat.nanoseconds(changed), inode: UInt64(info.st_ino),
            device: UInt64(info.st_dev))
    }

    /// How recent a change may be and still be trusted: within this many seconds of looking (or later, a clock
    /// ahead of this one), a second change may share its timestamps. Two seconds cover FAT's 2-second times and any
    /// coarser clock tick, as git's racy-timestamp rule does.
    public static let racyWindow: TimeInterval = 2

    /// Whether the file changed (content or metadata) within `racyWindow` of `now`, or after it: such metadata is
    /// neither used to skip reading nor recorded.
    public func isRacy(at now: Date) -> Bool {
        let limit = Int64(((now.timeIntervalSince1970 - SourceStat.racyWindow) * 1e9).rounded(.down))
        return max(modifiedNanoseconds, changedNanoseconds) > limit
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }
}
