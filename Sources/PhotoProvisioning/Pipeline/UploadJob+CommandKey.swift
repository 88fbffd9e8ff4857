import Foundation
import PhotoModel
import PhotoSources

extension UploadJob {
    /// A readable command key: the absolute source path, target, match and settings fingerprint.
    ///
    /// Two invocations with the same key are "the same command": an unfinished run of one is resumed by the
    /// other. Flags that do not change what is uploaded (`--concurrency`, `--quiet`) stay out of it.
    public static func commandKey(
        source: String, target: TargetKind, match: MatchKey, settingsFingerprint: String
    ) -> String {
        sourceScope(source: source, target: target, match: match) + "settings=\(settingsFingerprint)"
    }

    /// The start every command key of one source has, whatever its codec settings: the absolute source path,
    /// target and match. `--remove-missing` deletes only photos last set by runs whose key starts with it, so a
    /// second CSV on the same journal never looks like a source from which the first one's users vanished.
    public static func sourceScope(source: String, target: TargetKind, match: MatchKey) -> String {
        let absolute = PathGuard.absolute(source, base: FileManager.default.currentDirectoryPath)
        return "\(absolute) target=\(target.rawValue) match=\(match.rawValue) "
    }
}
