import Foundation
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
    static func run(page: String, arguments: [String], in folder: ReportTemporaryFolder, stdout: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--hide-scrollbars", "--user-data-dir=\(folder.file("chromium-profile"))", "--window-size=1280,1600",
            "--virtual-time-budget=5000",
        ] + arguments + [URL(fileURLWithPath: page).absoluteString]
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
        let (_, extra) = ReportBenchmark.sampleRun(count: 30)
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
        let (width, height) = try PNGHeader.size(of: bytes)
        #expect(width == 1280)
        #expect(height == 1600)
        // A blank or text-only 1280×1600 page compresses to roughly 5–15 KB; the header band, colours and
        // photo thumbnails of a rendered report take several hundred KB.
        #expect(bytes.count > 120_000, "screenshot is only \(bytes.count) bytes: is the page blank?")
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
        #expect(dom.components(separatedBy: "<script").count - 1 == 2)
        #expect(dom.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!dom.contains("<img src=\"x\""))
        #expect(!dom.contains(" onerror=\""))
        // Previews became images with data: URIs and alt text.
        #expect(dom.contains("alt=\"Original photo of"))
        #expect(dom.contains("src=\"data:image/jpeg;base64,"))
    }
}

/// The width and height from a PNG's IHDR chunk.
enum PNGHeader {
    struct Malformed: Error {}

    static func size(of bytes: [UInt8]) throws -> (Int, Int) {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count > 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw Malformed()
        }
        func big(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (big(16), big(20))
    }
}
