import Foundation
import Testing

@testable import PhotoProvisioning
@testable import PhotoReports

@Suite("report.csv")
struct ReportCSVTests {
    @Test(arguments: ReportFixtures.injections)
    func formulaInUPNNameFileAndReasonIsNeutralised(payload: String) throws {
        let folder = try ReportTemporaryFolder()
        let item = ReportItem(
            line: 7, key: payload, displayName: payload, outcome: .failed, reason: payload, httpStatus: 400,
            requestID: payload, sourcePath: payload,
            photo: PhotoFacts(
                sourceBytes: 1234, sourceWidth: 100, sourceHeight: 80, outputBytes: 999, cropFraction: 0.2))
        let run = ReportRun(id: payload, kind: .upload, startedAt: ReportFixtures.started)
        let files = try ReportWriter.write(run: run, items: [item], to: folder.path)
        let rows = try RFC4180.parse(try readText(files.csv))
        #expect(rows.count == 2)
        let row = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        for column in ["runId", "key", "displayName", "reason", "requestId", "sourcePath"] {
            #expect(row[column] == "'" + payload, "\(column)")
        }
        // Numbers photoprov wrote are plain numbers, not text.
        #expect(row["line"] == "7")
        #expect(row["httpStatus"] == "400")
        #expect(row["sourceBytes"] == "1234")
        #expect(row["cropFraction"] == "0.2")
        #expect(row["outputWidth"] == "")
        #expect(row["qualityLowered"] == "false")

        // report.json keeps the exact text: neutralising is for spreadsheets only.
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files.json)))
                as? [String: Any])
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items[0]["key"] as? String == payload)
    }

    @Test func everyCellOfAMixedRunIsSafeForASpreadsheet() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportFixtures.mixedRun()
        let files = try ReportWriter.write(run: run, items: items, to: folder.path)
        let rows = try RFC4180.parse(try readText(files.csv))
        let dangerous: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"]
        for (number, row) in rows.enumerated() {
            for cell in row {
                #expect(cell.first.map { !dangerous.contains($0) } ?? true, "row \(number): \(cell.debugDescription)")
            }
        }
        // The fixture put payloads in names, keys and paths; they are all there, neutralised.
        let text = try readText(files.csv)
        #expect(text.contains(",'=cmd|' /C calc'!A0,"))
        #expect(text.contains("\"'\tlead-tab\"") || text.contains(",'\tlead-tab,"))
    }

    @Test func textThatMerelyContainsFormulaCharactersIsLeftAlone() {
        #expect(ReportCSV.text("a=b") == "a=b")
        #expect(ReportCSV.text("jane-doe@contoso.com") == "jane-doe@contoso.com")
        #expect(ReportCSV.text("a,b") == "\"a,b\"")
        #expect(ReportCSV.text("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ReportCSV.text("-x,\"y\"") == "\"'-x,\"\"y\"\"\"")
        #expect(ReportCSV.text(nil) == "")
    }

    @Test func fileStartsWithAByteOrderMarkAndUsesCRLF() throws {
        let (run, items) = ReportFixtures.mixedRun()
        let bytes = Array((ReportCSV.header + ReportCSV.rows(run: run, items: Array(items.prefix(2)))).utf8)
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        #expect(text.components(separatedBy: "\r\n").first == "\u{FEFF}" + ReportCSV.columns.joined(separator: ","))
    }
}
