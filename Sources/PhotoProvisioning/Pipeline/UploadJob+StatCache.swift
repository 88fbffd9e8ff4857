import Foundation
import PhotoJournal
import PhotoModel
import PhotoSources

/// What the stat cache knows about one photo before it is opened (issue 16).
///
/// The rule: a photo whose file has the size, modification time, change time, inode and device recorded when it was
/// last read and hashed, to the SHA-256 of its last upload with the same settings, is `unchanged` without being
/// read. Anything else is read and hashed, and the hash decides. Metadata are not trusted (neither used to skip
/// nor recorded) when they changed within `SourceStat.racyWindow` of the look, when the inode is 0, or on a file
/// system whose inode numbers or change times are not its own (`MountTable`).
struct StatCache: Sendable {
    /// The record of the photo's file, kept only when its SHA-256 is the last upload's with this run's settings;
    /// `nil` when nothing may be skipped (no such upload, `--force`, `--verify-sources`).
    var known: Journal.SourceFile?
    var clock: @Sendable () -> Date
    var mounts: MountTable

    /// Whether `stat` may be compared with a record, or recorded.
    func trusts(_ stat: SourceStat) -> Bool {
        stat.inode != 0 && !stat.isRacy(at: clock()) && mounts.distrust(device: stat.device) == nil
    }
}

/// A photo at its turn, through the stat cache.
enum SourceRead {
    /// Not read: the open file's metadata are the record's.
    case vouched(Journal.SourceFile)
    /// Read and hashed; `record` is the cache's new record, `nil` when the metadata cannot be trusted.
    case read([UInt8], sha256: String, record: Journal.SourceFile?)
}

/// A photo that could not be read at its turn, as the item's failure.
struct PhotoReadFailure: Error {
    let prepared: Prepared
}

extension UploadJob {
    /// How an `unchanged` item's detail says that its photo was not read.
    static let vouchedNote = " (file metadata as when last hashed: not read)"

    /// The stat cache for the photo at `path`, whose key's last upload is `last`.
    ///
    /// - Throws: `JournalError` when the journal cannot be read.
    func statCache(for path: String, last: Journal.LastUpload?, journal: Journal) async throws -> StatCache {
        var known: Journal.SourceFile?
        if !settings.verifySources, let last, last.fingerprint == settings.fingerprint,
            let record = try await journal.sourceFile(at: path), record.sha256 == last.sourceSHA256
        {
            known = record
        }
        return StatCache(known: known, clock: settings.clock, mounts: .system)
    }

    /// The photo at `path`, opened through the planning's path checks (`PathGuard.open`): not read when the stat
    /// cache vouches for the open file, otherwise read once into one buffer (at most the codec's 1 GB) and hashed.
    /// The metadata compared and recorded are the open file's (`fstat`), so they describe the bytes that are read.
    @available(*, noasync, message: "blocking file I/O: run it on the BlockingPool")
    static func readPhoto(_ path: String, photos: PathGuard, cache: StatCache) -> Result<SourceRead, PhotoReadFailure> {
        do throws(SourceProblem.Reason) {
            let file = try photos.open(path)
            let stat = SourceStat(file.info)
            let trusted = cache.trusts(stat)
            if trusted, let known = cache.known, known.stat == stat { return .success(.vouched(known)) }
            let bytes = try PathGuard.read(file).get()
            let sha = Digest.sha256Hex(bytes)
            let record = trusted ? Journal.SourceFile(path: path, stat: stat, sha256: sha) : nil
            return .success(.read(bytes, sha256: sha, record: record))
        } catch {
            let failure: FailureReason = if case .tooLarge = error { .conversionFailed } else { .unreadableSource }
            return .failure(PhotoReadFailure(prepared: .failed(failure, "cannot read \(path): \(error)")))
        }
    }
}

extension Prepared {
    /// The stat cache's new record of the photo's file, when it was read and hashed and its metadata are trusted.
    var record: Journal.SourceFile? {
        switch self {
        case .unchanged(_, _, _, let record), .converted(_, _, _, _, _, let record): record
        case .failed, .skipped: nil
        }
    }
}
