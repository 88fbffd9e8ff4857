import Foundation
import PhotoCodec
import PhotoProvisioningTestSupport
import Testing

@testable import PhotoProvisioning

/// A headless Chromium, when one is installed.
enum Chromium {
    /// The first of `chromium`, `chromium-browser`, `google-chrome` found on PATH, or nil.
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in directories {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        print("chromium is not installed: skipping the headless rendering tests of report.html")
        return nil
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs Chromium headless on `page` with `arguments`, its own profile folder, stdout to `stdout`, and a timeout.
    static func run(
        page: String, fragment: String = "", arguments: [String], in folder: ReportTemporaryFolder, stdout: String
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=\(folder.file("chromium-profile"))", "--window-size=1280,1600",
                "--virtual-time-budget=5000",
            ] + arguments + [URL(fileURLWithPath: page).absoluteString + fragment]
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + 120) == .timedOut {
            process.terminate()
            _ = done.wait(timeout: .now() + 10)
            throw Failure(description: "chromium did not finish within 120 s")
        }
    }
}

@Suite("report.html in a browser", .serialized)
struct ReportRenderTests {
    /// The mixed fixture plus enough made-up people to fill the screen.
    private func writeReport(in folder: ReportTemporaryFolder) throws -> (String, [ReportItem]) {
        let (run, fixture) = ReportFixtures.mixedRun()
        let (_, extra) = ReportSampleRun.make(count: 30)
        let items = fixture + extra
        let files = try ReportWriter.write(run: run, items: items, to: folder.file("report"))
        return (files.html, items)
    }

    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed"))
    func rendersToAScreenshotThatIsNotBlank() throws {
        let folder = try ReportTemporaryFolder()
        let (page, _) = try writeReport(in: folder)
        let png = folder.file("report.png")
        try Chromium.run(page: page, arguments: ["--screenshot=\(png)"], in: folder, stdout: folder.file("out.txt"))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        let image = try PhotoCodec.decode(bytes)
        #expect(image.width == 1280)
        #expect(image.height == 1600)
        let look = ScreenshotLook(image)
        print(
            "report screenshot: \(look.distinctColours) colours, colourful \(look.colourfulShare), "
                + "non-background \(look.nonBackgroundShare), band \(look.average(rows: 10..<60))")
        // The stylesheet ran: the header band across the top is dark blue.
        let band = look.average(rows: 10..<60)
        #expect(band.blue > band.red + 30 && band.red < 60, "header band is \(band), not dark blue")
        // Content below it: photos, badges and text give thousands of colours and plenty of non-background
        // pixels. Measured at 1280×1600: blank or plain text ~60 colours; this page without its script ~1,400
        // (header and summary only); without its stylesheet ~1,400 and no dark band; rendered ~7,400.
        #expect(look.distinctColours > 3_000, "only \(look.distinctColours) colours: is the page blank?")
        #expect(look.colourfulShare > 0.05, "only \(look.colourfulShare) of the pixels are colourful")
        #expect(
            look.nonBackgroundShare > 0.15, "only \(look.nonBackgroundShare) of the pixels differ from the background")
        if let keep = ProcessInfo.processInfo.environment["PHOTOPROV_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: png, toPath: keep)
        }
    }

    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed"))
    func scriptRendersCardsWithNamesAsTextOnly() throws {
        let folder = try ReportTemporaryFolder()
        let (page, items) = try writeReport(in: folder)
        let dump = folder.file("dom.html")
        try Chromium.run(page: page, arguments: ["--dump-dom"], in: folder, stdout: dump)
        let dom = try readText(dump)
        // The first batch of cards exists, one per person, and the status line counts everyone.
        let cards = dom.components(separatedBy: "<article class=\"card panel").count - 1
        #expect(cards == min(48, items.count))
        #expect(dom.contains("Showing \(cards) of \(items.count) people"))
        // Filter buttons were built from the data: one per outcome present, plus All.
        #expect(dom.contains("All<span class=\"n\">\(items.count)</span>"))
        // Names that look like markup are text nodes: serialised escaped, and no extra elements appeared.
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(dom.components(separatedBy: "<script").count - 1 == 4, "data, previews, backups' previews, code")
        #expect(dom.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!dom.contains("<img src=\"x\""))
        #expect(!dom.contains(" onerror=\""))
        // Previews became images with data: URIs and alt text.
        #expect(dom.contains("alt=\"Original photo of"))
        #expect(dom.contains("src=\"data:image/jpeg;base64,"))
    }
}

extension ReportRenderTests {
    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed"))
    func linkedViewFiltersByOutcomeAndShowsTheTable() throws {
        let folder = try ReportTemporaryFolder()
        let (page, items) = try writeReport(in: folder)
        let dump = folder.file("dom.html")
        try Chromium.run(
            page: page, fragment: "#view=table&outcome=failed", arguments: ["--dump-dom"], in: folder, stdout: dump)
        let dom = try readText(dump)
        let failed = items.filter { $0.outcome == .failed }.count
        #expect(failed > 1)
        // One header row plus one row per failed item; no cards.
        #expect(dom.components(separatedBy: "<tr>").count - 1 == failed + 1)
        #expect(dom.components(separatedBy: "<article").count - 1 == 0)
        #expect(dom.contains("Showing \(failed) of \(failed) matching people (\(items.count) in the run)"))
        #expect(dom.contains("<button type=\"button\" data-view=\"table\" aria-pressed=\"true\">"))
    }

    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed"))
    func searchIgnoresCaseAndAccents() throws {
        let folder = try ReportTemporaryFolder()
        let (page, items) = try writeReport(in: folder)
        let dump = folder.file("dom.html")
        try Chromium.run(page: page, fragment: "#q=ZOE", arguments: ["--dump-dom"], in: folder, stdout: dump)
        let dom = try readText(dump)
        let expected = items.filter { item in
            [
                item.title, item.record.key, item.displayName ?? "", item.record.sourcePath ?? "",
                item.record.reason ?? "",
            ].joined(
                separator: " "
            )
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).contains("zoe")
        }.count
        #expect(expected > 5 && expected < items.count)
        #expect(dom.contains("of \(expected) matching people (\(items.count) in the run)"))
        #expect(dom.components(separatedBy: "<article").count - 1 == min(48, expected))
    }
}

/// Simple measures of a screenshot, to tell a rendered report from a blank or unstyled page.
struct ScreenshotLook {
    let image: RGBImage

    init(_ image: RGBImage) { self.image = image }

    /// The mean colour of whole rows.
    func average(rows: Range<Int>) -> (red: Int, green: Int, blue: Int) {
        var sums = (0, 0, 0)
        for y in rows {
            for x in 0..<image.width {
                let at = (y * image.width + x) * 3
                sums.0 += Int(image.pixels[at])
                sums.1 += Int(image.pixels[at + 1])
                sums.2 += Int(image.pixels[at + 2])
            }
        }
        let count = max(1, rows.count * image.width)
        return (sums.0 / count, sums.1 / count, sums.2 / count)
    }

    /// How many different colours appear (at 6 bits per channel).
    var distinctColours: Int {
        var seen = [Bool](repeating: false, count: 1 << 18)
        var count = 0
        for at in stride(from: 0, to: image.pixels.count, by: 3) {
            let key =
                Int(image.pixels[at] >> 2) << 12 | Int(image.pixels[at + 1] >> 2) << 6 | Int(image.pixels[at + 2] >> 2)
            if !seen[key] {
                seen[key] = true
                count += 1
            }
        }
        return count
    }

    /// The share of pixels whose channels differ by more than 40 (not grey, white or black).
    var colourfulShare: Double {
        var count = 0
        for at in stride(from: 0, to: image.pixels.count, by: 3) {
            let r = Int(image.pixels[at]), g = Int(image.pixels[at + 1]), b = Int(image.pixels[at + 2])
            if max(r, g, b) - min(r, g, b) > 40 { count += 1 }
        }
        return Double(count) / Double(max(1, image.width * image.height))
    }

    /// The share of pixels more than 24 levels away from the most common colour (found on every 16th pixel).
    var nonBackgroundShare: Double {
        var histogram: [Int: Int] = [:]
        for at in stride(from: 0, to: image.pixels.count, by: 3 * 16) {
            histogram[
                Int(image.pixels[at]) << 16 | Int(image.pixels[at + 1]) << 8 | Int(image.pixels[at + 2]), default: 0] +=
                1
        }
        let background = histogram.max { $0.value < $1.value }?.key ?? 0
        let (br, bg, bb) = (background >> 16, background >> 8 & 0xFF, background & 0xFF)
        var count = 0
        for at in stride(from: 0, to: image.pixels.count, by: 3) {
            let distance =
                abs(Int(image.pixels[at]) - br) + abs(Int(image.pixels[at + 1]) - bg)
                + abs(Int(image.pixels[at + 2]) - bb)
            if distance > 24 { count += 1 }
        }
        return Double(count) / Double(max(1, image.width * image.height))
    }
}
