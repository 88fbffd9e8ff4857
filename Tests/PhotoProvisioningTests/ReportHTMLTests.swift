import Foundation
import PhotoCodec
import Testing

@testable import PhotoProvisioning
@testable import PhotoReports

@Suite("report.html")
struct ReportHTMLTests {
    /// Writes the mixed run (plus control characters in the static text) and returns the page's bytes.
    private func mixedPage(in folder: ReportTemporaryFolder) throws -> Data {
        var (run, items) = ReportFixtures.mixedRun()
        run.policyExplanation += " \u{1}\u{FFFE} <b>bold?</b>"
        run.tenant = "contoso\u{7}.example"
        let files = try ReportWriter.write(run: run, items: items, to: folder.path)
        return try Data(contentsOf: URL(fileURLWithPath: files.html))
    }

    @Test func pageIsWellFormedXMLAndReferencesNothingOutsideItself() throws {
        let folder = try ReportTemporaryFolder()
        let data = try mixedPage(in: folder)
        let inventory = try #require(XMLInventory.parse(data), "\(XMLInventory.parseError(data))")
        #expect(inventory.elements.first == "html")

        // No http:// or https:// anywhere: attributes, text, CDATA (the CSS and the script), nor the raw bytes.
        let raw = String(decoding: data, as: UTF8.self).lowercased()
        #expect(!raw.contains("http://"))
        #expect(!raw.contains("https://"))
        for attribute in inventory.attributes {
            let value = attribute.value.lowercased()
            #expect(!value.contains("http://") && !value.contains("https://"), "\(attribute)")
            if ["src", "href", "action", "srcset", "poster", "data", "formaction", "xlink:href"].contains(
                attribute.name)
            {
                #expect(value.hasPrefix("#") || value.hasPrefix("data:"), "\(attribute) points outside the page")
            }
        }
        #expect(!inventory.text.lowercased().contains("http://"))
        #expect(!inventory.text.lowercased().contains("https://"))
        // Nothing that loads a resource: no links, frames, objects, base, imports or url() in the CSS.
        for element in ["link", "iframe", "frame", "object", "embed", "base", "img", "video", "audio", "source"] {
            #expect(!inventory.elements.contains(element), "<\(element)> in the static page")
        }
        #expect(!raw.contains("@import"))
        #expect(!raw.contains("url("))
        // Four scripts: the data, the thumbnails, the backups' thumbnails and the page's own code, none loaded from
        // anywhere.
        #expect(inventory.scripts.map(\.type) == ["application/json", "text/plain", "text/plain", nil])
        #expect(!inventory.attributes.contains { $0.element == "script" && $0.name == "src" })
    }

    @Test func markupInNamesAndFilesStaysText() throws {
        let folder = try ReportTemporaryFolder()
        let data = try mixedPage(in: folder)
        let raw = String(decoding: data, as: UTF8.self)
        for payload in ReportFixtures.markup {
            #expect(!raw.contains(payload), "\(payload) appears verbatim")
        }
        #expect(!raw.contains("<script>alert"))
        #expect(!raw.contains("<img"))
        #expect(!raw.contains("<b>bold?</b>"))
        #expect(raw.contains("&lt;b&gt;bold?&lt;/b&gt;"))

        let inventory = try #require(XMLInventory.parse(data), "\(XMLInventory.parseError(data))")
        #expect(inventory.elements.filter { $0 == "script" }.count == 4)
        #expect(!inventory.elements.contains("b"))
        // The static text reads back exactly (control characters replaced, nothing else changed).
        #expect(inventory.text.contains("Allowed <for now>"))
        #expect(inventory.text.contains("source is cloud & allowedRoles is empty \u{FFFD}\u{FFFD} <b>bold?</b>"))

        // The data block decodes to the exact names, payloads and all.
        let json = try #require(inventory.scripts.first { $0.type == "application/json" }?.body)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        let (_, expected) = ReportFixtures.mixedRun()
        #expect(items.map { $0["title"] as? String } == expected.map(\.title))
        #expect(items.map { $0["key"] as? String } == expected.map(\.record.key))
        #expect(items.map { $0["sourcePath"] as? String } == expected.map(\.record.sourcePath))
        let titles = Set(items.compactMap { $0["title"] as? String })
        for payload in ReportFixtures.markup {
            #expect(
                titles.contains(payload) || items.contains { $0["key"] as? String == payload }
                    || items.contains { $0["sourcePath"] as? String == payload }, "\(payload) lost")
        }
    }

    @Test func embeddedPreviewsAreRealImagesOfTheGivenSize() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportFixtures.mixedRun()
        let files = try ReportWriter.write(run: run, items: items, to: folder.path)
        let previews = try htmlPreviews(try readText(files.html))
        #expect(previews.count == 2 * items.count)
        for (index, item) in items.enumerated() {
            for (offset, expected) in [(0, item.sourcePreview), (1, item.outputPreview)] {
                let uri = previews[2 * index + offset]
                let prefix = "data:image/jpeg;base64,"
                #expect(uri.hasPrefix(prefix))
                let bytes = try #require(Data(base64Encoded: String(uri.dropFirst(prefix.count))).map([UInt8].init))
                #expect(bytes == expected)
                let image = try PhotoCodec.decode(bytes)
                #expect(image.width > 0 && image.width <= 96 && image.height > 0 && image.height <= 96)
            }
        }
    }

    @Test func jsonBlockEscapingKeepsTagsEntitiesAndCDATAEndsOut() {
        let escaped = String(
            decoding: ReportHTML.scriptSafe(Data(#"{"a":"</script><!--]]>&amp;\#u{FFFE}"}"#.utf8)),
            as: UTF8.self)
        #expect(escaped == #"{"a":"\u003c/script\u003e\u003c!--]]\u003e\u0026amp;\ufffe"}"#)
    }

    @Test func embeddedStylesheetAndScriptCannotBreakOutOfTheirElements() {
        for asset in [ReportHTML.stylesheet, ReportHTML.script] {
            #expect(!asset.contains("]]>"))
            #expect(!asset.lowercased().contains("</script"))
            #expect(!asset.lowercased().contains("</style"))
            #expect(!asset.contains("<!--"))
        }
        // The script builds the page through textContent only.
        #expect(!ReportHTML.script.contains("innerHTML"))
        #expect(!ReportHTML.script.contains("outerHTML"))
        #expect(!ReportHTML.script.contains("insertAdjacentHTML"))
        #expect(!ReportHTML.script.contains("document.write"))
    }

    @Test func summaryShowsVerdictDurationAndThroughput() throws {
        let folder = try ReportTemporaryFolder()
        let (run, items) = ReportFixtures.mixedRun()
        let files = try ReportWriter.write(run: run, items: items, to: folder.path)
        let html = try readText(files.html)
        #expect(html.contains("<p class=\"answer\">Allowed &lt;for now&gt;</p>"))
        #expect(html.contains("verdict tone-good"))
        #expect(html.contains("<dt>Duration</dt><dd>1m 30s</dd>"))
        // The fixture has one more item for each later outcome; the run lasted 90 s.
        #expect(html.contains("<dt>Throughput</dt><dd>\(String(format: "%.1f", Double(items.count) / 90))/s</dd>"))
        #expect(html.contains("<dt>People</dt><dd>\(items.count)</dd>"))
        #expect(html.contains("Started 2026-11-18 11:06:40 UTC"))
    }

    @Test func formattingHelpers() {
        #expect(ReportHTML.grouped(5000) == "5,000")
        #expect(ReportHTML.grouped(1_234_567) == "1,234,567")
        #expect(ReportHTML.grouped(12) == "12")
        #expect(ReportHTML.shellQuoted("a b'c") == "'a b'\\''c'")
        #expect(ReportHTML.shellQuoted("--csv=people.csv") == "--csv=people.csv")
    }
}
