import Foundation
import PhotoModel

/// A source read and validated, whose valid items are handed out one at a time, in source order.
///
/// Every check has run when a scan exists: `problems`, `merged` and `itemCount` are final. The items themselves
/// are not held: iterating reads them again from the source's bytes (or file names), so a source of any length
/// costs a few bytes per row rather than whole rows.
public struct SourceScan: Sequence, Sendable {
    /// Refused rows or files, each with its line (or file name) and reason, in source order.
    public let problems: [SourceProblem]
    /// Rows dropped because an earlier row names the same user and the same file (kept once); not errors.
    public let merged: [SourceProblem]
    /// Folder sources: names of files that are not images (`SourceReader.imageExtensions`) and were skipped.
    public let ignored: [String]
    /// How many items iterating yields.
    public let itemCount: Int

    let rows: SourceRows
    /// Checks the photo paths while planning, and again when each photo is read (`PathGuard.read`).
    package let guardian: PathGuard
    let keyKind: MatchKey
    /// Positions (0-based, among the source's rows) of rows that are not items: refused or merged.
    let excluded: Set<Int>

    /// Every item and problem at once; for small sources and tests.
    public var plan: SourcePlan {
        SourcePlan(items: Array(self), problems: problems, merged: merged, ignored: ignored)
    }

    public func makeIterator() -> Iterator {
        Iterator(scan: self, cursor: rows.makeCursor())
    }

    /// Yields the valid items in source order. Each step checks the row's file: blocking I/O.
    public struct Iterator: IteratorProtocol, Sendable {
        let scan: SourceScan
        var cursor: SourceRows.Cursor
        var position = 0

        /// Up to `count` more items; fewer (or none) at the end of the source.
        @available(*, noasync, message: "blocking file I/O: run it on a worker thread")
        public mutating func next(_ count: Int) -> [SourceItem] {
            var items: [SourceItem] = []
            items.reserveCapacity(count)
            while items.count < count, let item = next() { items.append(item) }
            return items
        }

        public mutating func next() -> SourceItem? {
            while let raw = cursor.next() {
                defer { position += 1 }
                guard !scan.excluded.contains(position),
                    case .success(let key) = KeyRule.normalize(raw.key, as: scan.keyKind)
                else { continue }
                let written = raw.written.trimmingCharacters(in: .whitespacesAndNewlines)
                return SourceItem(
                    line: raw.line, key: key, photoPath: scan.guardian.resolve(written), writtenPath: written,
                    displayName: raw.displayName)
            }
            return nil
        }
    }
}

/// A source's rows before any check, readable from the start as often as needed.
enum SourceRows: Sendable {
    /// CSV bytes (UTF-8, no BOM); the first record is the header.
    case csv(bytes: [UInt8], delimiter: UInt8, keyColumn: Int, photoColumn: Int, nameColumn: Int?)
    /// A folder's image file names, sorted; keys are the names without extension, plus `@domain` when given.
    case folder(names: [String], keyKind: MatchKey, domain: String?)

    /// One row as written: its line (CSV only), key cell, photo cell and display-name cell.
    struct Raw {
        var line: Int?
        var key: String
        var written: String
        var name: String = ""

        /// The display name, trimmed; nil when empty.
        var displayName: String? {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    func makeCursor() -> Cursor {
        switch self {
        case .csv(let bytes, let delimiter, let keyColumn, let photoColumn, let nameColumn):
            var reader = CSVReader(bytes, delimiter: delimiter)
            _ = reader.next()  // the header
            return Cursor(
                source: .csv(reader, columns: Cursor.Columns(key: keyColumn, photo: photoColumn, name: nameColumn)))
        case .folder(let names, let keyKind, let domain):
            return Cursor(source: .folder(names[...], keyKind: keyKind, domain: domain))
        }
    }

    /// Reads rows in order.
    struct Cursor: Sendable {
        fileprivate struct Columns: Sendable {
            var key: Int
            var photo: Int
            var name: Int?
        }
        fileprivate enum Source: Sendable {
            case csv(CSVReader, columns: Columns)
            case folder(ArraySlice<String>, keyKind: MatchKey, domain: String?)
        }
        fileprivate var source: Source

        /// CSV only: the line of a quoted field that never closed, once the cursor has reached the end.
        var unterminatedQuoteLine: Int? {
            if case .csv(let reader, _) = source { reader.unterminatedQuoteLine } else { nil }
        }

        mutating func next() -> Raw? {
            switch source {
            case .csv(var reader, let columns):
                let record = reader.next()
                source = .csv(reader, columns: columns)
                guard let record else { return nil }
                let fields = record.fields
                func cell(_ index: Int?) -> String {
                    guard let index, fields.indices.contains(index) else { return "" }
                    return fields[index]
                }
                return Raw(
                    line: record.line, key: cell(columns.key), written: cell(columns.photo), name: cell(columns.name))
            case .folder(var names, let keyKind, let domain):
                guard let name = names.popFirst() else { return nil }
                source = .folder(names, keyKind: keyKind, domain: domain)
                let stem = (name as NSString).deletingPathExtension
                var key = stem
                if [.upn, .mail, .email].contains(keyKind), !stem.contains("@"), let domain {
                    key = stem + "@" + domain
                }
                return Raw(line: nil, key: key, written: name)
            }
        }
    }
}
