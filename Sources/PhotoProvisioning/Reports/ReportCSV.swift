import PhotoModel

/// report.csv: one row per item, RFC 4180, with text that a spreadsheet would run as a formula neutralised.
///
/// Every text cell (anything that came from a source file, a user or Graph, and our own words) that starts with
/// `=`, `+`, `-`, `@`, tab, CR or LF (or their full-width forms) gets a leading `'`, so Excel, LibreOffice and
/// Google Sheets show it as text instead of evaluating it. Numbers written by photoprov itself (sizes, pixels,
/// statuses, the crop fraction) are never prefixed: they are plain decimal literals, which no spreadsheet treats as
/// a formula, and a prefix would turn them into text. The file is UTF-8 with a byte-order mark (so Excel reads
/// accents right) and CRLF line ends.
enum ReportCSV {
    /// The header, in column order; the same names as the item fields of report.json.
    static let columns = [
        "runId", "line", "targetKind", "key", "displayName", "outcome", "reason", "httpStatus", "requestId",
        "sourcePath", "sourceBytes", "sourceWidth", "sourceHeight", "sourceFormat", "outputBytes", "outputWidth",
        "outputHeight", "outputQuality", "orientation", "cropFraction", "qualityLowered", "dimensionsLowered",
        "upscaleAvoided", "flags", "mailbox", "contactFolder", "hadPhoto", "previousBytes", "faceCount", "faceX",
        "faceY", "faceWidth", "faceHeight",
    ]

    /// The first characters that make a cell a formula (or DDE payload) in common spreadsheets.
    static let formulaStarts: Set<Character> = [
        "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}",
    ]

    /// The byte-order mark and the header line.
    static var header: String { "\u{FEFF}" + columns.joined(separator: ",") + "\r\n" }

    /// One line per item, each ending in CRLF.
    static func rows(run: ReportRun, items: [ReportItem]) -> String {
        var out = ""
        out.reserveCapacity(items.count * 200)
        for item in items {
            let record = item.record
            let photo = record.photo
            let cells: [String] =
                [
                    text(run.id), number(record.line), text(record.target.noun), text(record.key),
                    text(item.displayName), text(item.outcome.rawValue), text(record.reason),
                    number(record.reply.httpStatus), text(record.reply.requestID), text(record.sourcePath),
                    number(photo.sourceBytes), number(photo.sourceWidth), number(photo.sourceHeight),
                    text(photo.sourceFormat), number(photo.outputBytes), number(photo.outputWidth),
                    number(photo.outputHeight), number(photo.outputQuality), number(photo.orientation),
                    fraction(photo.cropFraction), flag(photo.qualityLowered), flag(photo.dimensionsLowered),
                    flag(photo.upscaleAvoided), text(item.flags.map(\.rawValue).joined(separator: ";")),
                    text(record.mailbox?.user), text(record.mailbox?.folder),
                    item.previous.map { flag($0.hadPhoto) } ?? "", number(item.previous?.bytes),
                ] + framingCells(photo.framing)
            out += cells.joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    /// `faceCount` and the face box (upright full-resolution pixels, one decimal): empty when not framed on a face.
    static func framingCells(_ framing: FaceFraming?) -> [String] {
        let face = framing?.face
        let box: [Double?] = [face?.x, face?.y, face?.width, face?.height]
        let cells: [String] = box.map { value in
            guard let value, let rounded = ReportDocument.finite(value, places: 1) else { return "" }
            return String(rounded)
        }
        return [number(framing?.faceCount)] + cells
    }

    /// A text cell: neutralised, then quoted when it holds a comma, quote or line break.
    static func text(_ value: String?) -> String {
        guard var value, !value.isEmpty else { return "" }
        if let first = value.first, formulaStarts.contains(first) {
            value = "'" + value
        }
        return quoted(value)
    }

    /// RFC 4180 quoting: wrap in quotes and double inner quotes when needed.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number written by photoprov: plain decimal, empty when unknown.
    static func number(_ value: Int?) -> String {
        value.map(String.init) ?? ""
    }

    /// A fraction with up to four decimals, empty when unknown or not finite.
    static func fraction(_ value: Double?) -> String {
        guard let value, let rounded = ReportDocument.finite(value, places: 4) else { return "" }
        return String(rounded)
    }

    /// `true` or `false`.
    static func flag(_ value: Bool) -> String { value ? "true" : "false" }
}
