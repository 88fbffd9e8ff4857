/// Splits CSV bytes into records (RFC 4180 quoting), remembering the physical line each record starts on.
///
/// Hand-written because neither Foundation nor the system offers a CSV reader. Lenient where spreadsheets
/// are sloppy: a quote inside an unquoted field is kept as a character, and text after a closing quote is
/// appended to the field.
struct CSVReader {
    /// One record: its fields and the 1-based physical line where it starts.
    struct Record: Equatable {
        var line: Int
        var fields: [String]
    }

    /// Everything read: the records, and the line of a quoted field that never closed (if one did not).
    struct Result: Equatable {
        var records: [Record]
        var unterminatedQuoteLine: Int?
    }

    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

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

    /// Parses `bytes` (UTF-8 without BOM) into records; blank lines and rows of only empty fields are skipped.
    static func parse(_ bytes: [UInt8], delimiter: UInt8) -> Result {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var fieldStarted = false
        var index = 0

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        func endRecord() {
            endField()
            if fields.contains(where: { !$0.allSatisfy(\.isWhitespace) }) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            index += 1
            if inQuotes {
                if byte == quote {
                    if next == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else if byte == carriageReturn {
                    // CRLF or a lone CR inside a quoted field: one line break, kept as \n.
                    if next == newline { index += 1 }
                    field.append(newline)
                    line += 1
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case delimiter:
                endField()
            case newline, carriageReturn:
                if byte == carriageReturn && next == newline { index += 1 }
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
        if inQuotes {
            return Result(records: records, unterminatedQuoteLine: recordLine)
        }
        if fieldStarted || !field.isEmpty || !fields.isEmpty { endRecord() }
        return Result(records: records, unterminatedQuoteLine: nil)
    }
}
