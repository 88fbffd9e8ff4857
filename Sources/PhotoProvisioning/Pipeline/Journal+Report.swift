import Foundation
import PhotoJournal
import PhotoModel
import PhotoReports

extension Journal {
    /// Items read per page when a report is written.
    static let reportPageSize = 500

    /// Writes the report of run `id` (the latest run when nil) into `directory`, on the journal's own queue: the
    /// writer reads the run's items from the journal a page at a time, so memory stays flat however long the run.
    ///
    /// - Parameters:
    ///   - endedAt: the end time to show, for a run that is still being finished (its own report).
    /// - Throws: `JournalError` when the journal has no such run (or no run at all) or cannot be read,
    ///   `ReportError` when a file cannot be written.
    public func writeReport(
        run id: Int64? = nil, to directory: String, endedAt: Date? = nil,
        options: ReportWriter.Options = ReportWriter.Options()
    ) throws -> ReportWriter.Files {
        var (report, pages) = try reportPages(run: id)
        if let endedAt { report.endedAt = endedAt }
        return try ReportWriter.write(run: report, pages: pages, to: directory, options: options)
    }

    /// The report of run `id` (the latest run when nil) held whole: the run's facts and every item with its
    /// previews.
    ///
    /// - Throws: `JournalError` when the journal has no such run (or no run at all).
    public func report(run id: Int64? = nil) throws(JournalError) -> (run: ReportRun, items: [ReportItem]) {
        let (report, pages) = try reportPages(run: id)
        var items: [ReportItem] = []
        do {
            try pages.forEach(previews: true) { items += $0 }
        } catch let error as JournalError {
            throw error
        } catch {
            preconditionFailure("reading a journal's items throws only JournalError: \(error)")
        }
        return (report, items)
    }

    /// Run `id`'s facts, and its items as pages read from this journal when the writer asks for them.
    private func reportPages(run id: Int64?) throws(JournalError) -> (ReportRun, ReportPages) {
        let found: Run?
        if let id { found = try self.run(id: id) } else { found = try latestRun() }
        guard let run = found else {
            let detail = id.map { "no run \($0) in this journal" } ?? "the journal holds no run yet"
            throw JournalError(.unknownRecord, path: path, detail: detail)
        }
        var report = ReportRun(
            id: String(run.id), kind: run.kind, startedAt: run.startedAt, endedAt: run.endedAt,
            policyVerdict: run.verdictText, policyAllowsUploads: run.verdict?.allowsUploads, arguments: run.arguments)
        report.restoresRun = run.restoresRun.map(String.init)
        let pages = ReportPages { previews, body in
            guard let last = try self.lastItemID(run: run.id) else { return }
            var after: Int64 = 0
            while true {
                let page = try self.itemsWithPreviews(
                    run: run.id, after: after, through: last, limit: Self.reportPageSize, previews: previews)
                guard let last = page.last else { return }
                after = last.item.id
                var items: [ReportItem] = []
                items.reserveCapacity(page.count)
                for (item, stored) in page {
                    // The photo the item replaced (its backup), with that photo's preview when previews are read.
                    let backup =
                        previews
                        ? try self.backupWithPreview(item: item.id)
                        : try self.backup(item: item.id).map { ($0, nil) }
                    items.append(
                        ReportItem(
                            item, outcome: Outcome(item.state, run: run.kind),
                            sourcePreview: stored.original.map { [UInt8]($0) },
                            outputPreview: stored.output.map { [UInt8]($0) },
                            previous: backup.map {
                                PreviousPhoto(
                                    hadPhoto: $0.backup.hadPhoto, bytes: $0.backup.bytes,
                                    contentType: $0.backup.contentType)
                            },
                            previousPreview: backup?.preview.map { [UInt8]($0) }))
                }
                try body(items)
            }
        }
        return (report, pages)
    }
}
