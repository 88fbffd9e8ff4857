import Foundation

/// Reads a source (`--csv FILE` or `--dir DIR`) into a validated `SourcePlan`.
///
/// Blocking file I/O: call from a worker (e.g. `BlockingWorkers.run`) when on the cooperative pool.
public enum SourceReader {
    /// Header names recognised for the key column, per key kind, compared without case, spaces, `_` or `-`.
    static func keyColumnNames(_ kind: MatchKey) -> [String] {
        switch kind {
        case .upn: ["upn", "userPrincipalName", "mail", "email", "emailAddress"]
        case .mail: ["mail", "email", "emailAddress", "upn", "userPrincipalName"]
        case .employeeId: ["employeeId", "employeeNumber", "employee", "empId"]
        case .id: ["id", "objectId", "userId", "groupId", "teamId"]
        }
    }

    /// Header names recognised for the photo column.
    static let photoColumnNames = ["photo", "image", "file", "path", "picture", "photoPath", "imagePath", "fileName"]

    /// The image extensions folder sources take, compared without case.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Reads the CSV at `path`: a header row, then one row per user; photo paths relative to its folder.
    ///
    /// - Throws: `SourceError` when the file cannot be read, is not UTF-8, has no header, or lacks the key
    ///   or photo column. Row problems are returned in the plan instead.
    public static func readCSV(at path: String, options: SourceOptions) throws(SourceError) -> SourcePlan {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .cannotRead(path, PathGuardMessage.describe(error))
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let badLine = firstNonUTF8Line(bytes) {
            throw SourceError("source \(path) is not UTF-8 text (line \(badLine)); save it as CSV UTF-8")
        }
        let parsed = CSVReader.parse(bytes, delimiter: CSVReader.detectDelimiter(bytes))
        guard let header = parsed.records.first else {
            throw SourceError("source \(path) has no header row")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let keyKind = options.keyKind
        let keyIndex = column(in: names, explicit: options.keyColumn, candidates: keyColumnNames(keyKind))
        let photoIndex = column(in: names, explicit: options.photoColumn, candidates: photoColumnNames)
        var missing: [String] = []
        if keyIndex == nil {
            missing.append(
                options.keyColumn.map { "no column '\($0)' (--upn-column)" }
                    ?? "no \(keyKind.displayName) column (looked for \(keyColumnNames(keyKind).joined(separator: ", ")); name it with --upn-column)"
            )
        }
        if photoIndex == nil {
            missing.append(
                options.photoColumn.map { "no column '\($0)' (--photo-column)" }
                    ?? "no photo column (looked for \(photoColumnNames.joined(separator: ", ")); name it with --photo-column)"
            )
        }
        guard let keyIndex, let photoIndex else {
            throw SourceError(
                "source \(path): \(missing.joined(separator: "; ")); header is: \(names.joined(separator: ", "))")
        }

        let folder = (PathGuard.absolute(path, base: FileManager.default.currentDirectoryPath) as NSString)
            .deletingLastPathComponent
        let guardian = PathGuard(folder: folder, allowOutside: options.allowOutside)
        var rows: [Row] = []
        for record in parsed.records.dropFirst() {
            let key = record.fields.indices.contains(keyIndex) ? record.fields[keyIndex] : ""
            let photo = record.fields.indices.contains(photoIndex) ? record.fields[photoIndex] : ""
            rows.append(row(line: record.line, key: key, written: photo, kind: keyKind, guardian: guardian))
        }
        var plan = assemble(rows)
        if let line = parsed.unterminatedQuoteLine {
            plan.problems.append(SourceProblem(line: line, key: nil, path: nil, reason: .unterminatedQuote))
        }
        return plan
    }

    /// Reads the folder at `path`: each image named `<key>.<ext>`, or `<alias>.<ext>` with `options.domain`.
    ///
    /// - Throws: `SourceError` when the folder cannot be listed or `options.domain` is not a domain.
    public static func readFolder(at path: String, options: SourceOptions) throws(SourceError) -> SourcePlan {
        let keyKind = options.keyKind
        if let domain = options.domain, !KeyRule.isAddress("alias@" + domain) {
            throw SourceError("--domain '\(domain)' is not a domain name such as contoso.com")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .cannotRead(path, "not a folder")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw .cannotRead(path, PathGuardMessage.describe(error))
        }
        let guardian = PathGuard(folder: path, allowOutside: options.allowOutside)
        var rows: [Row] = []
        var ignored: [String] = []
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            let stem = (name as NSString).deletingPathExtension
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: guardian.root + "/" + name, isDirectory: &isFolder)
            guard imageExtensions.contains(ext), !stem.isEmpty, !isFolder.boolValue else {
                ignored.append(name)
                continue
            }
            var key = stem
            if (keyKind == .upn || keyKind == .mail), !stem.contains("@"), let domain = options.domain {
                key = stem + "@" + domain
            }
            rows.append(row(line: nil, key: key, written: name, kind: keyKind, guardian: guardian))
        }
        var plan = assemble(rows)
        plan.ignored = ignored
        return plan
    }

    /// One row after its own checks, before duplicates are looked for.
    private struct Row {
        var line: Int?
        var rawKey: String
        var written: String
        /// The normalised key when it is valid (even if the file is not, for duplicate detection).
        var key: String?
        var result: Result<PathGuard.Checked, SourceProblem.Reason>

        var location: String { line.map { "line \($0)" } ?? written }
    }

    private static func row(
        line: Int?, key rawKey: String, written rawPath: String, kind: MatchKey, guardian: PathGuard
    ) -> Row {
        let written = rawPath.trimmingCharacters(in: .whitespacesAndNewlines)
        switch KeyRule.normalize(rawKey, as: kind) {
        case .failure(let reason):
            return Row(line: line, rawKey: rawKey, written: written, key: nil, result: .failure(reason))
        case .success(let key):
            let result = written.isEmpty ? .failure(.missingPath) : guardian.check(written)
            return Row(line: line, rawKey: rawKey, written: written, key: key, result: result)
        }
    }

    /// Applies the duplicate rule and splits rows into items and problems, in source order.
    ///
    /// Rows sharing a key are all refused, unless every one of them is valid and names the same file (after
    /// symlinks): then the first is kept and the rest are reported as merged.
    private static func assemble(_ rows: [Row]) -> SourcePlan {
        var byKey: [String: [Int]] = [:]
        for (index, row) in rows.enumerated() {
            if let key = row.key { byKey[key, default: []].append(index) }
        }
        var plan = SourcePlan()
        for (index, row) in rows.enumerated() {
            let trimmedKey = row.rawKey.trimmingCharacters(in: .whitespacesAndNewlines)
            let problemKey = trimmedKey.isEmpty ? nil : trimmedKey
            let problemPath = row.written.isEmpty ? nil : row.written
            let checked: PathGuard.Checked
            switch row.result {
            case .failure(let reason):
                plan.problems.append(SourceProblem(line: row.line, key: problemKey, path: problemPath, reason: reason))
                continue
            case .success(let value):
                checked = value
            }
            let group = row.key.flatMap { byKey[$0] } ?? [index]
            if group.count > 1 {
                let sameFile = group.allSatisfy {
                    if case .success(let other) = rows[$0].result { other.realPath == checked.realPath } else { false }
                }
                if !sameFile {
                    let others = group.filter { $0 != index }.map { rows[$0].location }
                    plan.problems.append(
                        SourceProblem(
                            line: row.line, key: problemKey, path: problemPath, reason: .duplicateKey(others: others)))
                    continue
                }
                if group.first != index {
                    plan.merged.append(
                        SourceProblem(
                            line: row.line, key: problemKey, path: problemPath,
                            reason: .sameAsEarlier(rows[group[0]].location)))
                    continue
                }
            }
            plan.items.append(
                SourceItem(
                    line: row.line, key: row.key ?? trimmedKey, photoPath: checked.path, writtenPath: row.written))
        }
        plan.problems.sort { ($0.line ?? 0, $0.path ?? "") < ($1.line ?? 0, $1.path ?? "") }
        return plan
    }

    /// The index of the column named `explicit`, or of the first of `candidates` present.
    private static func column(in header: [String], explicit: String?, candidates: [String]) -> Int? {
        let normalized = header.map(normalize)
        if let explicit {
            return header.firstIndex(of: explicit) ?? normalized.firstIndex(of: normalize(explicit))
        }
        for candidate in candidates {
            if let index = normalized.firstIndex(of: normalize(candidate)) { return index }
        }
        return nil
    }

    private static func normalize(_ name: String) -> String {
        String(name.lowercased().filter { !" _-".contains($0) })
    }

    /// The 1-based line of the first bytes that are not valid UTF-8, or `nil` when all are valid.
    private static func firstNonUTF8Line(_ bytes: [UInt8]) -> Int? {
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var line = 1
        for slice in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: slice, as: UTF8.self) == nil { return line }
            line += 1
        }
        return line
    }
}

/// Short lower-case text for file-system errors from Foundation.
enum PathGuardMessage {
    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if nsError.domain == NSCocoaErrorDomain {
            switch nsError.code {
            case NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            default: break
            }
        }
        return nsError.localizedDescription.lowercased()
    }
}
