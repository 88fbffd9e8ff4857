import Foundation
import PhotoProvisioningTestSupport

@testable import PhotoProvisioning

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A temporary folder removed when the test is done with it.
final class ReportTemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "photoprov-report-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        // Chromium's helper processes may still be flushing its profile here for a moment after it exits.
        for _ in 0..<5 {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
            usleep(200_000)
        }
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// Fixtures shared by the report tests.
enum ReportFixtures {
    static let started = Date(timeIntervalSince1970: 1_795_000_000)

    /// Spreadsheet formula payloads that must come out neutralised.
    static let injections = [
        "=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\tlead-tab", "\rlead-cr", "=HYPERLINK(\"x\",\"y\")",
        "＝1+1",
    ]

    /// Names and paths that would be markup if pasted into HTML unescaped.
    static let markup = [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "Tom & Jerry ]]> <!-- -->",
        "</script><script>alert(2)</script>",
    ]

    /// A run with every outcome: outcome number `i` (in `allCases` order) occurs `i + 1` times, so swapped
    /// counts show. Names include formula and markup payloads, non-ASCII text and characters XML forbids.
    static func mixedRun(kind: RunKind = .upload) -> (ReportRun, [ReportItem]) {
        let run = ReportRun(
            id: "run-test-1", kind: kind, startedAt: started, endedAt: started.addingTimeInterval(90),
            policyVerdict: "Allowed <for now>", policyExplanation: "source is cloud & allowedRoles is empty",
            policyAllowsUploads: true,
            arguments: ["upload", "--csv", "people.csv", "--client-secret", "hunter2", "--token=s3cr3t-value"],
            tenant: "contoso.onmicrosoft.com", graphHost: "127.0.0.1:8443")
        var items: [ReportItem] = []
        var line = 2
        let payloads = injections + markup
        var used = 0
        func nextPayload() -> String {
            defer { used += 1 }
            return payloads[used % payloads.count]
        }
        for (index, outcome) in Outcome.allCases.enumerated() {
            for copy in 0...index {
                var item = ReportItem(
                    line: line, key: "user\(line)@contoso.com", displayName: "Zoë Ærø \(line) \u{1}\u{FFFE}",
                    outcome: outcome,
                    reason: copy == 0 ? "reason for \(outcome.rawValue), with \"quotes\"\nand a line" : nil,
                    httpStatus: outcome == .failed ? 403 : nil, requestID: outcome == .failed ? "req-\(line)" : nil,
                    sourcePath: "photos/\(line).jpg",
                    photo: PhotoFacts(
                        sourceBytes: 120_000 + line, sourceWidth: 200 + line, sourceHeight: 300, sourceFormat: "jpeg",
                        outputBytes: 40_000, outputWidth: 200, outputHeight: 200, outputQuality: 85,
                        orientation: line % 3 == 0 ? 6 : 1, cropFraction: 0.5),
                    sourcePreview: ReportSamples.sources[line % 4], outputPreview: ReportSamples.outputs[line % 4])
                if copy == 1 { item.displayName = nextPayload() }
                if copy == 2 { item.record.key = nextPayload() }
                if copy == 3 { item.record.sourcePath = nextPayload() }
                if copy == 4 { item.displayName = nil }
                items.append(item)
                line += 1
            }
        }
        return (run, items)
    }

    /// The expected count of each outcome in `mixedRun`.
    static func expectedCount(_ outcome: Outcome) -> Int {
        Outcome.allCases.firstIndex(of: outcome)! + 1
    }
}

/// A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF records, line breaks inside quotes.
enum RFC4180 {
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var fieldStarted = false
        var characters = Array(text.unicodeScalars)
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if quoted {
                if c == "\"" {
                    if index + 1 < characters.count && characters[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        quoted = false
                        // After a closing quote only a separator or a record end may follow.
                        if index + 1 < characters.count {
                            let after = characters[index + 1]
                            guard after == "," || after == "\r" || after == "\n" else {
                                throw Malformed(description: "text after a closing quote at \(index)")
                            }
                        }
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                guard !fieldStarted && field.isEmpty else {
                    throw Malformed(description: "quote inside an unquoted field at \(index)")
                }
                quoted = true
                fieldStarted = true
            } else if c == "," {
                row.append(field)
                field = ""
                fieldStarted = false
            } else if c == "\r" || c == "\n" {
                guard c == "\r", index + 1 < characters.count, characters[index + 1] == "\n" else {
                    throw Malformed(description: "bare line break outside quotes at \(index)")
                }
                index += 1
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                fieldStarted = false
            } else {
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
            index += 1
        }
        guard !quoted else { throw Malformed(description: "unterminated quote") }
        if fieldStarted || !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

/// Everything XMLParser sees in a document: element names, attribute values, text and CDATA.
final class XMLInventory: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var attributes: [(element: String, name: String, value: String)] = []
    var text = ""
    var scripts: [(type: String?, body: String)] = []
    var textByID: [String: String] = [:]
    private var stack: [(name: String, id: String?, text: String)] = []
    private(set) var error: (any Error)?

    /// Parses `data`; nil when it is not well-formed XML (see `error`).
    static func parse(_ data: Data) -> XMLInventory? {
        let inventory = XMLInventory()
        let parser = XMLParser(data: data)
        parser.delegate = inventory
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if !ok { inventory.error = parser.parserError ?? inventory.error }
        return ok ? inventory : nil
    }

    /// Like `parse`, but returns the parser's message for failures.
    static func parseError(_ data: Data) -> String {
        let parser = XMLParser(data: data)
        let inventory = XMLInventory()
        parser.delegate = inventory
        _ = parser.parse()
        return "line \(parser.lineNumber) column \(parser.columnNumber): \(String(describing: parser.parserError))"
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(elementName)
        for (name, value) in attributeDict { attributes.append((elementName, name, value)) }
        stack.append((elementName, attributeDict["id"], ""))
        if elementName == "script" { scripts.append((attributeDict["type"], "")) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard let top = stack.popLast() else { return }
        if let id = top.id { textByID[id] = top.text }
        if !stack.isEmpty { stack[stack.count - 1].text += top.text }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { append(string) }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        append(String(decoding: CDATABlock, as: UTF8.self))
    }

    private func append(_ string: String) {
        text += string
        if !stack.isEmpty { stack[stack.count - 1].text += string }
        if stack.last?.name == "script", !scripts.isEmpty { scripts[scripts.count - 1].body += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { error = parseError }
}

/// Reads a written file as text.
func readText(_ path: String) throws -> String {
    String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
}
