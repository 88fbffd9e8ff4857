import Foundation
import PhotoModel

/// Reads a source (`--csv FILE` or `--dir DIR`) into a validated `SourcePlan`.
///
/// Blocking file I/O: call from a worker thread (the pipeline's `BlockingPool`), never from async code directly.
public enum SourceReader {
    /// Header names recognised for the key column, per key kind, compared without case, spaces, `_` or `-`.
    static func keyColumnNames(_ kind: MatchKey) -> [String] {
        switch kind {
        case .upn: ["upn", "userPrincipalName", "mail", "email", "emailAddress"]
        case .mail: ["mail", "email", "emailAddress", "upn", "userPrincipalName"]
        case .employeeId: ["employeeId", "employeeNumber", "employee", "empId"]
        case .id: ["id", "objectId", "userId", "groupId", "teamId"]
        case .email: ["email", "emailAddress", "mail", "address", "upn"]
        case .contactId: ["id", "contactId"]
        }
    }

    /// Header names recognised for the photo column.
    static let photoColumnNames = ["photo", "image", "file", "path", "picture", "photoPath", "imagePath", "fileName"]

    /// Header names recognised for the optional display-name column (shown in reports and the journal).
    static let nameColumnNames = ["displayName", "name", "fullName"]

    /// The image extensions folder sources take, compared without case: every format the codec reads (it tells
    /// them apart by content, so a mislabelled file still converts).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "heic", "heif", "avif", "webp"]

    /// Reads and validates the CSV at `path` (a header row, then one row per user; photo paths relative to its
    /// folder) into a plan holding every item at once. `scanCSV` does the same without holding the items.
    ///
    /// - Throws: `SourceError` when the file cannot be read, is not UTF-8, has no header, or lacks the key
    ///   or photo column. Row problems are returned in the plan instead.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    public static func readCSV(at path: String, options: SourceOptions) throws(SourceError) -> SourcePlan {
        try scanCSV(at: path, options: options).plan
    }

    /// Reads and validates the folder at `path` into a plan holding every item at once.
    ///
    /// - Throws: `SourceError` when the folder cannot be listed or `options.domain` is not a domain.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    public static func readFolder(at path: String, options: SourceOptions) throws(SourceError) -> SourcePlan {
        try scanFolder(at: path, options: options).plan
    }

    /// Reads and validates the CSV at `path`: a header row, then one row per user; photo paths relative to its
    /// folder. The scan keeps the file's bytes and hands the items out one at a time.
    ///
    /// - Throws: `SourceError` when the file cannot be read, is not UTF-8, has no header, or lacks the key
    ///   or photo column. Row problems are returned in the scan instead.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    public static func scanCSV(at path: String, options: SourceOptions) throws(SourceError) -> SourceScan {
        var bytes: [UInt8]
        do {
            bytes = try ReadableFile(path).readAll()
        } catch {
            throw .cannotRead(path, error.description)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let encoding = utf16Encoding(bytes) {
            throw SourceError("source \(path) is \(encoding), not UTF-8; save it as CSV UTF-8")
        }
        if let badLine = firstNonUTF8Line(bytes) {
            throw SourceError("source \(path) is not UTF-8 text (line \(badLine)); save it as CSV UTF-8")
        }
        let delimiter = CSVReader.detectDelimiter(bytes)
        var headerReader = CSVReader(bytes, delimiter: delimiter)
        guard let header = headerReader.next() else {
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
        // The name column is optional: looked for by its usual names, never one already taken by the key or photo.
        var nameIndex = column(in: names, explicit: options.nameColumn, candidates: nameColumnNames)
        if options.nameColumn == nil, nameIndex == keyIndex || nameIndex == photoIndex { nameIndex = nil }
        if let name = options.nameColumn, nameIndex == nil { missing.append("no column '\(name)' (--name-column)") }
        guard let keyIndex, let photoIndex, missing.isEmpty else {
            throw SourceError(
                "source \(path): \(missing.joined(separator: "; ")); header is: \(names.joined(separator: ", "))")
        }

        let folder = (PathGuard.absolute(path, base: FileManager.default.currentDirectoryPath) as NSString)
            .deletingLastPathComponent
        let rows = SourceRows.csv(
            bytes: bytes, delimiter: delimiter, keyColumn: keyIndex, photoColumn: photoIndex, nameColumn: nameIndex)
        return scan(rows, guardian: PathGuard(folder: folder, allowOutside: options.allowOutside), kind: keyKind)
    }

    /// Reads and validates the folder at `path`: each image named `<key>.<ext>`, or `<alias>.<ext>` with
    /// `options.domain`. The scan keeps the image names and hands the items out one at a time.
    ///
    /// - Throws: `SourceError` when the folder cannot be listed or `options.domain` is not a domain.
    @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
    public static func scanFolder(at path: String, options: SourceOptions) throws(SourceError) -> SourceScan {
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
        var images: [String] = []
        var ignored: [String] = []
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            let stem = (name as NSString).deletingPathExtension
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: guardian.root + "/" + name, isDirectory: &isFolder)
            if imageExtensions.contains(ext), !stem.isEmpty, !isFolder.boolValue {
                images.append(name)
            } else {
                ignored.append(name)
            }
        }
        let rows = SourceRows.folder(names: images, keyKind: keyKind, domain: options.domain)
        return scan(rows, guardian: guardian, kind: keyKind, ignored: ignored)
    }

    /// One row after its own checks, before duplicates are looked for.
    private struct Row {
        var line: Int?
        var rawKey: String
        var written: String
        var displayName: String?
        /// The normalised key when it is valid (even if the file is not, for duplicate detection).
        var key: String?
        var result: Result<PathGuard.Checked, SourceProblem.Reason>

        var location: String { line.map { "line \($0)" } ?? written }

        func problem(_ reason: SourceProblem.Reason) -> SourceProblem {
            let trimmedKey = rawKey.trimmingCharacters(in: .whitespacesAndNewlines)
            return SourceProblem(
                line: line, key: trimmedKey.isEmpty ? nil : trimmedKey, path: written.isEmpty ? nil : written,
                reason: reason, displayName: displayName)
        }
    }

    private static func row(_ raw: SourceRows.Raw, kind: MatchKey, guardian: PathGuard) -> Row {
        let written = raw.written.trimmingCharacters(in: .whitespacesAndNewlines)
        switch KeyRule.normalize(raw.key, as: kind) {
        case .failure(let reason):
            return Row(
                line: raw.line, rawKey: raw.key, written: written, displayName: raw.displayName, key: nil,
                result: .failure(reason))
        case .success(let key):
            let result = written.isEmpty ? .failure(.missingPath) : guardian.check(written)
            return Row(
                line: raw.line, rawKey: raw.key, written: written, displayName: raw.displayName, key: key,
                result: result)
        }
    }

    /// Checks every row, then applies the duplicate rule, keeping only what is needed to hand the items out later:
    /// the problems, and a hash per distinct key while looking for duplicates.
    ///
    /// Rows sharing a key are all refused, unless every one of them is valid and names the same file (after
    /// symlinks): then the first is kept and the rest are reported as merged.
    private static func scan(
        _ rows: SourceRows, guardian: PathGuard, kind: MatchKey, ignored: [String] = []
    ) -> SourceScan {
        var problems: [SourceProblem] = []
        var excluded = Set<Int>()
        var seenHashes = Set<Int>()
        var sharedHashes = Set<Int>()
        var cursor = rows.makeCursor()
        var count = 0
        while let raw = cursor.next() {
            let row = row(raw, kind: kind, guardian: guardian)
            if case .failure(let reason) = row.result {
                problems.append(row.problem(reason))
                excluded.insert(count)
            }
            if let hash = row.key?.hashValue, !seenHashes.insert(hash).inserted {
                sharedHashes.insert(hash)
            }
            count += 1
        }
        seenHashes = []

        // Only rows whose key hash another row shares can be duplicates: read those again, grouped by exact key.
        var merged: [SourceProblem] = []
        if !sharedHashes.isEmpty {
            var candidates: [(position: Int, row: Row)] = []
            var groups: [String: [Int]] = [:]
            var again = rows.makeCursor()
            var position = 0
            while let raw = again.next() {
                defer { position += 1 }
                guard case .success(let key) = KeyRule.normalize(raw.key, as: kind),
                    sharedHashes.contains(key.hashValue)
                else { continue }
                groups[key, default: []].append(candidates.count)
                candidates.append((position, row(raw, kind: kind, guardian: guardian)))
            }
            let refused = excluded
            func realPath(_ index: Int) -> String? {
                guard !refused.contains(candidates[index].position),
                    case .success(let checked) = candidates[index].row.result
                else { return nil }
                return checked.realPath
            }
            for (index, candidate) in candidates.enumerated() {
                guard let key = candidate.row.key, let group = groups[key], group.count > 1,
                    !refused.contains(candidate.position)
                else { continue }
                let mine = realPath(index)
                let sameFile = mine != nil && group.allSatisfy { realPath($0) == mine }
                if !sameFile {
                    let others = group.filter { $0 != index }.map { candidates[$0].row.location }
                    problems.append(candidate.row.problem(.duplicateKey(others: others)))
                    excluded.insert(candidate.position)
                } else if group.first != index {
                    merged.append(candidate.row.problem(.sameAsEarlier(candidates[group[0]].row.location)))
                    excluded.insert(candidate.position)
                }
            }
        }
        problems.sort { ($0.line ?? 0, $0.path ?? "") < ($1.line ?? 0, $1.path ?? "") }
        if let line = cursor.unterminatedQuoteLine {
            problems.append(SourceProblem(line: line, key: nil, path: nil, reason: .unterminatedQuote))
        }
        return SourceScan(
            problems: problems, merged: merged, ignored: ignored, itemCount: count - excluded.count, rows: rows,
            guardian: guardian, keyKind: kind, excluded: excluded)
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

    /// How UTF-16 text announces itself: a byte-order mark, or (without one) a zero byte beside most characters of
    /// the first line, as every ASCII character is in UTF-16. `nil` for anything else; NUL bytes elsewhere in a
    /// UTF-8 file are left to the row checks.
    private static func utf16Encoding(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16 text (little-endian, with a byte-order mark)" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16 text (big-endian, with a byte-order mark)" }
        let head = bytes.prefix(512)
        guard head.count >= 4 else { return nil }
        let evenZeros = stride(from: 0, to: head.count - 1, by: 2).filter { head[head.startIndex + $0] == 0 }.count
        let oddZeros = stride(from: 1, to: head.count, by: 2).filter { head[head.startIndex + $0] == 0 }.count
        let pairs = head.count / 2
        if oddZeros * 2 > pairs && evenZeros * 4 < pairs { return "UTF-16 text (little-endian, no byte-order mark)" }
        if evenZeros * 2 > pairs && oddZeros * 4 < pairs { return "UTF-16 text (big-endian, no byte-order mark)" }
        return nil
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
            return SystemError.describe(Int32(underlying.code))
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
