import Foundation
import PhotoModel
import PhotoSources

extension UploadJob {
    /// A readable command key: the absolute source path, target (with the mailbox and folder of contacts), match
    /// and settings fingerprint.
    ///
    /// Two invocations with the same key are "the same command": an unfinished run of one is resumed by the
    /// other. Flags that do not change what is uploaded (`--concurrency`, `--quiet`) stay out of it.
    public static func commandKey(
        source: String, target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil, settingsFingerprint: String
    ) -> String {
        let absolute = PathGuard.absolute(source, base: FileManager.default.currentDirectoryPath)
        let scope = mailbox.map { " mailbox=\($0.user)" + ($0.folder.map { " folder=\($0)" } ?? "") } ?? ""
        return "\(absolute) target=\(target.rawValue)\(scope) match=\(match.rawValue) settings=\(settingsFingerprint)"
    }
}
