import Foundation
import Synchronization

/// Which mounted file systems keep inode numbers and change times of their own, by device: the stat cache trusts a
/// file's metadata only on those.
///
/// On Linux it reads `/proc/self/mountinfo` (the file system type and options of every mount, by the device number
/// `stat` reports), once, and again when a device appears that it has not seen (a mount made since); elsewhere it
/// distrusts no file system, and only a zero inode is refused (`SourceStat`'s caller checks that).
package final class MountTable: Sendable {
    /// The table of this process's mounts.
    package static let system = MountTable(read: MountTable.readMountInfo)

    private struct State {
        /// Devices whose file system is not trusted, with the reason.
        var distrusted: [UInt64: String] = [:]
        var known: Set<UInt64> = []
        /// Devices not in the table even after reading it again (e.g. a btrfs subvolume's own device): trusted.
        var unlisted: Set<UInt64> = []
    }

    private let read: @Sendable () -> String?
    private let state = Mutex(State())

    /// A table whose contents come from `read` (mountinfo's text, or `nil` when there is none).
    package init(read: @escaping @Sendable () -> String?) {
        self.read = read
    }

    /// Why the file system holding `device` is not trusted with the stat cache, or `nil` when it is.
    package func distrust(device: UInt64) -> String? {
        state.withLock { state in
            if !state.known.contains(device), !state.unlisted.contains(device) {
                load(into: &state)  // the first look, or a mount made since the table was read
                if !state.known.contains(device) { state.unlisted.insert(device) }
            }
            return state.distrusted[device]
        }
    }

    private func load(into state: inout State) {
        state.known = []
        state.distrusted = [:]
        for mount in MountTable.parse(read() ?? "") {
            state.known.insert(mount.device)
            if let reason = MountTable.distrust(type: mount.type, options: mount.options) {
                state.distrusted[mount.device] = reason
            }
        }
    }

    /// One line of mountinfo: `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
    /// (the device as major:minor, then after `-` the type, the source and the file system's own options).
    struct Mount: Equatable {
        var device: UInt64
        var type: String
        var options: String
    }

    static func parse(_ text: String) -> [Mount] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { return nil }
            let numbers = fields[2].split(separator: ":")
            guard numbers.count == 2, let major = UInt64(numbers[0]), let minor = UInt64(numbers[1]) else { return nil }
            let options = dash + 3 < fields.count ? String(fields[dash + 3]) : ""
            return Mount(device: device(major: major, minor: minor), type: String(fields[dash + 1]), options: options)
        }
    }

    /// The device number `stat` reports for major:minor (glibc's `makedev`).
    package static func device(major: UInt64, minor: UInt64) -> UInt64 {
        (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12) | ((major & ~0xfff) << 32)
    }

    /// Why a file system of `type` mounted with `options` cannot be trusted: its inode numbers or change times are
    /// not its own; `nil` for the others (ext4, xfs, btrfs, tmpfs, NFS, SMB with server inode numbers, …).
    static func distrust(type: String, options: String) -> String? {
        let noServerInodes = options.split(separator: ",").contains("noserverino")
        switch type {
        case "vfat", "msdos", "fat", "exfat":
            // FAT makes inode numbers from a directory entry's position and has no change time (Linux shows the
            // creation time, which Windows tools may set).
            return "a \(type) file system has no inode numbers or change times of its own"
        case _ where type == "fuse" || type == "fuseblk" || type.hasPrefix("fuse."):
            // A FUSE daemon reports whatever it likes: sshfs makes up inode numbers and gives the modification
            // time as the change time.
            return "a FUSE file system (\(type)) reports inode numbers and change times its daemon makes up"
        case "cifs" where noServerInodes, "smb3" where noServerInodes:
            return "an SMB share mounted with noserverino has inode numbers made up by this machine"
        default:
            return nil
        }
    }

    @Sendable private static func readMountInfo() -> String? {
        #if os(Linux)
            // Its size reads as 0, so it is read to its end rather than by size.
            guard let handle = FileHandle(forReadingAtPath: "/proc/self/mountinfo") else { return nil }
            defer { try? handle.close() }
            return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        #else
            return nil
        #endif
    }
}
