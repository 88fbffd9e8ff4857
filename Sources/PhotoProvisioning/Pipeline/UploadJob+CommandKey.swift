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
        sourceScope(source: source, target: target, match: match, mailbox: mailbox)
            + "settings=\(settingsFingerprint)"
    }

    /// The start every command key of one source has, whatever its codec settings: the absolute source path,
    /// target (with the mailbox and folder of contacts) and match. `--remove-missing` deletes only photos last set
    /// by runs whose key starts with it, so a second CSV on the same journal never looks like a source from which
    /// the first one's users vanished.
    public static func sourceScope(
        source: String, target: TargetKind, match: MatchKey, mailbox: Mailbox? = nil
    ) -> String {
        let absolute = PathGuard.absolute(source, base: FileManager.default.currentDirectoryPath)
        let scope = mailbox.map { " mailbox=\($0.user)" + ($0.folder.map { " folder=\($0)" } ?? "") } ?? ""
        return "\(absolute) target=\(target.rawValue)\(scope) match=\(match.rawValue) "
    }
}
