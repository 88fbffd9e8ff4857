import Foundation
import PhotoModel

/// Writes a run's report.html, report.csv and report.json into a folder.
///
/// Each file is written to a temporary name in the same folder and renamed into place (`ReportFile`), so a reader
/// (or a second run writing the same folder) sees either the old file or the new one, never half of one.
public enum ReportWriter {
    /// Choices that change what the files hold.
    public struct Options: Sendable {
        /// Previews larger than this many bytes are left out of the HTML (the card shows "no preview").
        public var maxPreviewBytes: Int
        /// Whether report.json carries the previews as base64 (`sourcePreview`, `outputPreview`); off by default.
        public var jsonIncludesPreviews: Bool
        /// The time stamped as "written on"; now by default.
        public var generatedAt: Date

        /// Creates options; the defaults suit reports of any size.
        public init(maxPreviewBytes: Int = 48 * 1024, jsonIncludesPreviews: Bool = false, generatedAt: Date = Date()) {
            self.maxPreviewBytes = maxPreviewBytes
            self.jsonIncludesPreviews = jsonIncludesPreviews
            self.generatedAt = generatedAt
        }
    }

    /// Where the three files were written.
    public struct Files: Sendable, Hashable {
        /// The folder's report.html.
        public let html: String
        /// The folder's report.csv.
        public let csv: String
        /// The folder's report.json.
        public let json: String
    }

    /// Writes report.html, report.csv and report.json for `run` and `items` into `directory` (created if missing).
    ///
    /// - Parameters:
    ///   - run: the run's facts; counts are derived from `items`.
    ///   - items: one entry per person (or group/team), in the order the report should list them.
    ///   - directory: the output folder.
    ///   - options: preview limits, JSON previews, time stamp.
    /// - Returns: the three paths.
    /// - Throws: `ReportError` naming the folder or file that could not be written.
    @available(*, noasync, message: "blocking file I/O: run it on a worker, not the cooperative pool")
    @discardableResult
    public static func write(
        run: ReportRun, items: [ReportItem], to directory: String, options: Options = Options()
    ) throws(ReportError) -> Files {
        do {
            return try write(run: run, pages: .array(items), to: directory, options: options)
        } catch let error as ReportError {
            throw error
        } catch {
            preconditionFailure("items in memory cannot fail to be read: \(error)")
        }
    }

    /// Writes report.html, report.csv and report.json for `run` into `directory` (created if missing), reading
    /// the items a page at a time: what the writer holds is one page and a buffer per file, however long the run.
    ///
    /// The items are read four times: for the figures (the HTML shows them above the items), for the items of
    /// all three files, for the HTML's previews and for its photos from the backups.
    ///
    /// - Parameters:
    ///   - run: the run's facts; counts are derived from the items.
    ///   - pages: the items, in the order the report should list them.
    ///   - directory: the output folder.
    ///   - options: preview limits, JSON previews, time stamp.
    /// - Returns: the three paths.
    /// - Throws: `ReportError` naming the folder or file that could not be written, or what reading `pages` threw.
    @available(*, noasync, message: "blocking file I/O: run it on a worker, not the cooperative pool")
    @discardableResult
    public static func write(
        run: ReportRun, pages: ReportPages, to directory: String, options: Options = Options()
    ) throws -> Files {
        // Free text comes from Graph errors and exceptions; mask anything shaped like a secret once, for all files.
        var run = run
        run.policyVerdict = Redaction.text(run.policyVerdict)
        run.policyExplanation = Redaction.text(run.policyExplanation)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError(
                .cannotCreateDirectory, path: directory, "cannot create the report folder: \(reason(error))")
        }
        let folder = URL(fileURLWithPath: directory)
        let files = Files(
            html: folder.appendingPathComponent("report.html").path,
            csv: folder.appendingPathComponent("report.csv").path,
            json: folder.appendingPathComponent("report.json").path)

        var summary = ReportSummary()
        try pages.forEach(previews: false) { summary.add($0) }

        let json = try ReportFile(files.json)
        let csv = try ReportFile(files.csv)
        let html = try ReportFile(files.html)
        var jsonDocument = ReportDocument(
            mode: .file(previews: options.jsonIncludesPreviews), generatedAt: options.generatedAt)
        var htmlDocument = ReportDocument(mode: .html, generatedAt: options.generatedAt)
        try json.write(try encoding(files.json) { try jsonDocument.opening() })
        try csv.write(ReportCSV.header)
        try html.write(ReportHTML.head(run: run, summary: summary, generatedAt: options.generatedAt))
        try html.write(ReportHTML.scriptSafe(try encoding(files.html) { try htmlDocument.opening() }))
        try pages.forEach(previews: options.jsonIncludesPreviews) { page in
            let page = page.map(redacted)
            try json.write(try encoding(files.json) { try jsonDocument.page(page) })
            try csv.write(ReportCSV.rows(run: run, items: page))
            try html.write(ReportHTML.scriptSafe(try encoding(files.html) { try htmlDocument.page(page) }))
        }
        try json.write(try encoding(files.json) { try jsonDocument.closing(run: run, summary: summary) })
        try html.write(
            ReportHTML.scriptSafe(try encoding(files.html) { try htmlDocument.closing(run: run, summary: summary) }))
        try html.write(ReportHTML.dataEnd)
        try pages.forEach(previews: true) { page in
            for item in page { try html.write(ReportHTML.previewLines(of: item, maxBytes: options.maxPreviewBytes)) }
        }
        try html.write(ReportHTML.previewsEnd)
        try pages.forEach(previews: true) { page in
            for item in page { try html.write(ReportHTML.previousLine(of: item, maxBytes: options.maxPreviewBytes)) }
        }
        try html.write(ReportHTML.tail)

        try json.commit()
        try csv.commit()
        try html.commit()
        return files
    }

    /// The item with its reason's secrets masked.
    private static func redacted(_ item: ReportItem) -> ReportItem {
        guard let reason = item.record.reason else { return item }
        var copy = item
        copy.record.reason = Redaction.text(reason)
        return copy
    }

    /// What `encode` returns, its failure named as an encoding error of the file at `path`.
    private static func encoding(_ path: String, _ encode: () throws -> [UInt8]) throws(ReportError) -> [UInt8] {
        do {
            return try encode()
        } catch {
            throw ReportError(.cannotEncode, path: path, "cannot encode the report: \(reason(error))")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).localizedDescription
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
