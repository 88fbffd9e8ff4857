/// Reads CSV bytes record by record (RFC 4180 quoting), remembering the physical line each record starts on.
///
/// Hand-written because neither Foundation nor the system offers a CSV reader. Lenient where spreadsheets
/// are sloppy: a quote inside an unquoted field is kept as a character, and text after a closing quote is
/// appended to the field. One record at a time, so a long source never exists as rows all at once.
struct CSVReader: IteratorProtocol, Sendable {
    /// One record: its fields and the 1-based physical line where it starts.
    struct Record: Equatable {
        var line: Int
        var fields: [String]
    }

    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var index = 0
    private var line = 1
    private var finished = false
    /// The line of a quoted field that never closed; set once `next()` has reached the end of the bytes.
    private(set) var unterminatedQuoteLine: Int?

    /// A reader over `bytes` (UTF-8 without BOM).
    init(_ bytes: [UInt8], delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
    }

    /// The delimiter of the first line (outside quotes): the most frequent of `,` `;` and tab; `,` if none.
    static func detectDelimiter(_ bytes: [UInt8]) -> UInt8 {
        let candidates = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        for byte in bytes {
            if byte == quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == newline || byte == carriageReturn { break }
                if let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
            }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
        return counts[best] > 0 ? candidates[best] : candidates[0]
    }

    /// The next record; blank lines and rows of only empty fields are skipped. After a quoted field that never
    /// closes, the rest of the bytes is not read as records and `unterminatedQuoteLine` says where it opened.
    mutating func next() -> Record? {
        while !finished {
            if let record = nextRecord(), record.fields.contains(where: { !$0.allSatisfy(\.isWhitespace) }) {
                return record
            }
        }
        return nil
    }

    /// The next physical record, blank or not; `nil` at the end.
    private mutating func nextRecord() -> Record? {
        var fields: [String] = []
        var field: [UInt8] = []
        let recordLine = line
        var inQuotes = false
        var fieldStarted = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }

        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            index += 1
            if inQuotes {
                if byte == Self.quote {
                    if next == Self.quote {
                        field.append(Self.quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else if byte == Self.carriageReturn {
                    // CRLF or a lone CR inside a quoted field: one line break, kept as \n.
                    if next == Self.newline { index += 1 }
                    field.append(Self.newline)
                    line += 1
                } else {
                    if byte == Self.newline { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case Self.quote where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case delimiter:
                endField()
            case Self.newline, Self.carriageReturn:
                if byte == Self.carriageReturn && next == Self.newline { index += 1 }
                endField()
                line += 1
                return Record(line: recordLine, fields: fields)
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
        finished = true
        if inQuotes {
            unterminatedQuoteLine = recordLine
            return nil
        }
        guard fieldStarted || !field.isEmpty || !fields.isEmpty else { return nil }
        endField()
        return Record(line: recordLine, fields: fields)
    }
}
