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
        let absolute = PathGuard.absolute(source, base: FileManager.default.currentDirectoryPath)
        return "\(absolute) target=\(target.rawValue) match=\(match.rawValue) settings=\(settingsFingerprint)"
    }
}
