import Foundation
import PhotoModel

/// report.html: one self-contained page that is at once HTML5 and well-formed XML.
///
/// The summary (verdict, counts, duration, throughput, command) is static markup, so it shows and prints without
/// JavaScript. The people are data: a `<script type="application/json">` block with `<`, `>` and `&` escaped as
/// `\u003c`, `\u003e`, `\u0026`, rendered by the embedded script page by page (cards or table rows, more as the
/// reader scrolls) through `textContent` only, so nothing from a name or file can become markup. Previews are
/// `data:` URIs in a `<script type="text/plain">` block of their own; the page references nothing outside itself.
enum ReportHTML {
    /// The page up to its data block: everything before the items' JSON (`scriptSafe`), which `dataEnd`, the
    /// previews (`previewLines`), `previewsEnd`, the photos from the backups (`previousLine`) and `tail` follow.
    static func head(run: ReportRun, summary: ReportSummary, generatedAt: Date) -> String {
        var head = ""
        head.reserveCapacity(24_000)
        let counts = summary.outcomes
        let people = summary.count
        let title = "\(run.label) report · \(grouped(people)) \(people == 1 ? "person" : "people")"
        head += """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="color-scheme" content="light dark"/>
            <meta name="generator" content="photoprov \(Release.version)"/>
            <title>\(escape("Profile photos: \(title) · run \(run.id)"))</title>
            <style>/*<![CDATA[*/

            """
        head += stylesheet
        head += "\n/*]]>*/</style>\n</head>\n<body>\n"
        head += "<a class=\"skip\" href=\"#people\">Skip to the people</a>\n"

        // Header band.
        head += "<header class=\"top\"><div class=\"wrap\">\n"
        head += "<p class=\"eyebrow\">photoprov · profile photos</p>\n"
        head += "<h1>\(escape(title))<span class=\"kind\">\(escape(run.label))</span></h1>\n"
        head += "<p class=\"meta\">"
        head += "<span>Run <code>\(escape(run.id))</code></span>"
        head += "<span>Started \(escape(display(run.startedAt)))</span>"
        if let ended = run.endedAt { head += "<span>Ended \(escape(display(ended)))</span>" }
        if let tenant = run.tenant { head += "<span>Tenant \(escape(tenant))</span>" }
        if let host = run.graphHost { head += "<span>Graph \(escape(host))</span>" }
        head += "</p>\n</div></header>\n"

        head += "<main id=\"main\" class=\"wrap\">\n<div class=\"overview\">\n"

        // Policy verdict.
        let verdictTone = run.policyAllowsUploads.map { $0 ? "good" : "bad" } ?? "neutral"
        head += "<section class=\"panel verdict tone-\(verdictTone)\" aria-labelledby=\"policy-h\">\n"
        head += "<h2 id=\"policy-h\">Tenant photo policy</h2>\n"
        head += "<p class=\"answer\">\(escape(run.policyVerdict))</p>\n"
        if !run.policyExplanation.isEmpty { head += "<p>\(escape(run.policyExplanation))</p>\n" }
        head += "</section>\n"

        // Figures and counts.
        head += "<section class=\"panel summary\" aria-labelledby=\"summary-h\">\n"
        head += "<h2 id=\"summary-h\" class=\"visually-hidden\">Summary</h2>\n<dl class=\"stats\">"
        head += "<div><dt>People</dt><dd>\(grouped(people))</dd></div>"
        head += "<div><dt>Duration</dt><dd>\(escape(run.duration.map(TimeSpan.format) ?? "–"))</dd></div>"
        let throughput = run.throughput(itemCount: people).map { String(format: "%.1f/s", $0) } ?? "–"
        head += "<div><dt>Throughput</dt><dd>\(escape(throughput))</dd></div>"
        head += "</dl>\n<ul class=\"counts\" aria-label=\"Counts by outcome\">"
        for outcome in Outcome.allCases where (counts[outcome] ?? 0) > 0 {
            head += "<li class=\"tone-\(outcome.tone.rawValue)\"><span class=\"n\">\(grouped(counts[outcome]!))</span>"
            head += " <span>\(escape(outcome.label))</span></li>"
        }
        if people == 0 { head += "<li class=\"tone-neutral\">No items in this run</li>" }
        head += "</ul>\n"
        let flagCounts = summary.flags
        if !flagCounts.isEmpty {
            head += "<p class=\"flagline\">Worth a look:"
            for flag in ReportFlag.allCases {
                guard let count = flagCounts[flag] else { continue }
                head += " <span class=\"flag\" title=\"\(escape(flag.explanation))\">"
                head += "\(escape(flag.label)) \(grouped(count))</span>"
            }
            head += "</p>\n"
        }
        head += "</section>\n</div>\n"

        // The command line, secrets already masked by ReportRun.
        if !run.arguments.isEmpty {
            let command = (["photoprov"] + run.arguments.map(shellQuoted)).joined(separator: " ")
            head += "<details class=\"panel command\"><summary>Command line</summary>"
            head += "<pre><code>\(escape(command))</code></pre></details>\n"
        }

        // The people: controls (shown by the script), cards, table.
        head += """
            <section id="people" aria-labelledby="people-h">
            <div id="controls" class="panel toolbar" hidden="hidden">
            <div class="row">
            <h2 id="people-h">People</h2>
            <label for="q" class="visually-hidden">Search by name, UPN or file</label>
            <input id="q" type="search" placeholder="Search name, UPN or file" title="Press / to search" autocomplete="off"/>
            <span class="spacer"></span>
            <label for="order">Order</label>
            <select id="order"><option value="attention">Needs attention first</option><option value="input">Input order</option><option value="name">Name</option></select>
            <div id="views" class="seg" role="group" aria-label="View"><button type="button" data-view="cards" aria-pressed="true">Contact sheet</button><button type="button" data-view="table" aria-pressed="false">Table</button></div>
            </div>
            <div class="row">
            <div id="filters" class="seg" role="group" aria-label="Filter by outcome"></div>
            <label class="check"><input id="flagged" type="checkbox"/> Flagged only</label>
            </div>
            </div>
            <p id="status" class="status"></p>
            <p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
            <noscript><p class="noscript">The contact sheet needs JavaScript. The same data is in report.csv and report.json beside this file.</p></noscript>
            <div id="cards" class="sheet"></div>
            <div id="tablewrap" class="tablewrap panel" hidden="hidden"><table>
            <caption class="visually-hidden">Every item of the run</caption>
            <thead><tr><th scope="col">Line</th><th scope="col">Name</th><th scope="col">UPN or id</th><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col">Source</th><th scope="col">Output</th><th scope="col">Flags</th><th scope="col">File</th></tr></thead>
            <tbody id="rows"></tbody>
            </table></div>
            <p class="more"><button id="more" type="button" hidden="hidden">Show more</button></p>
            <div id="sentinel"></div>
            </section>

            """

        // Flag legend.
        head += "<section class=\"panel legend\" aria-labelledby=\"legend-h\">\n"
        head += "<h2 id=\"legend-h\">What the flags mean</h2>\n<dl>"
        for flag in ReportFlag.allCases {
            head += "<dt><span class=\"flag\">\(escape(flag.label))</span></dt><dd>\(escape(flag.explanation))</dd>"
        }
        head += "</dl>\n</section>\n</main>\n"
        head += "<footer class=\"wrap\"><p>Written by photoprov \(escape(Release.version)) on "
        head += "\(escape(display(generatedAt))). This page is self-contained and needs no network.</p></footer>\n"
        head += "<script type=\"application/json\" id=\"report-data\">"
        return head
    }

    /// Between the data block and the previews.
    static let dataEnd = "</script>\n<script type=\"text/plain\" id=\"report-previews\">"

    /// Between the previews and the photos from the backups (one line per item, `previousLine`), in a block of
    /// their own beside the two above.
    static let previewsEnd = "</script>\n<script type=\"text/plain\" id=\"report-previous\">"

    /// An item's line in the block of photos from the backups: a `data:` URI or an empty line.
    static func previousLine(of item: ReportItem, maxBytes: Int) -> String {
        (dataURI(item.previousPreview, limit: maxBytes) ?? "") + "\n"
    }

    /// After the previews: the page's script and the end of the page.
    static var tail: String { "</script>\n<script>//<![CDATA[\n" + script + "\n//]]></script>\n</body>\n</html>\n" }

    /// An item's two thumbnail lines in the previews block (original, then output): a `data:` URI or an empty
    /// line each.
    ///
    /// They live outside the JSON so neither the encoder here nor `JSON.parse` in the browser scans megabytes of
    /// base64, and they need no escaping: a `data:` URI of base64 holds no `<`, `>`, `&` or `]]>`.
    static func previewLines(of item: ReportItem, maxBytes: Int) -> String {
        let original = dataURI(item.sourcePreview, limit: maxBytes) ?? ""
        return original + "\n" + (dataURI(item.outputPreview, limit: maxBytes) ?? "") + "\n"
    }

    /// A `data:` URI for a JPEG or PNG preview no larger than `limit` bytes; nil for anything else.
    static func dataURI(_ bytes: [UInt8]?, limit: Int) -> String? {
        guard let bytes, !bytes.isEmpty, bytes.count <= limit else { return nil }
        let mime: String
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            mime = "image/jpeg"
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            mime = "image/png"
        } else {
            return nil
        }
        return "data:\(mime);base64," + Data(bytes).base64EncodedString()
    }

    /// JSON made safe inside a script element of a page that is both HTML and XML: `<`, `>` and `&` (which only
    /// occur inside JSON strings) become `\u003c`, `\u003e`, `\u0026`, so the block can hold no tag, no `]]>` and
    /// no entity, and `JSON.parse` reads the same text back. U+FFFE and U+FFFF, which XML forbids, are escaped too.
    static func scriptSafe(_ json: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 64)
        Array(json).withUnsafeBufferPointer { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "<"): out.append(contentsOf: #"\u003c"#.utf8)
                case UInt8(ascii: ">"): out.append(contentsOf: #"\u003e"#.utf8)
                case UInt8(ascii: "&"): out.append(contentsOf: #"\u0026"#.utf8)
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE:
                    // U+FFFE and U+FFFF are not allowed in XML, even inside a script.
                    out.append(contentsOf: (bytes[index + 2] == 0xBE ? #"\ufffe"# : #"\uffff"#).utf8)
                    index += 2
                default: out.append(byte)
                }
                index += 1
            }
        }
        return out
    }

    /// Text for element content or a quoted attribute: `& < > " '` escaped, and characters XML 1.0 forbids
    /// (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return number < 0 ? "-" + out : out
    }

    /// A date as `2026-11-22 06:01:02 UTC`.
    static func display(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    /// An argument as a POSIX shell would need it, for the "Command line" panel.
    static func shellQuoted(_ argument: String) -> String {
        let plain = argument.unicodeScalars.allSatisfy { scalar in
            CharacterSet.alphanumerics.contains(scalar) || "-_./=:@%+,".unicodeScalars.contains(scalar)
        }
        if plain && !argument.isEmpty { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
