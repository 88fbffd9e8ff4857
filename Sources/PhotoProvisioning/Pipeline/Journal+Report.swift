import Foundation
import PhotoJournal
import PhotoModel
import PhotoReports

extension Journal {
    /// The report of run `id` (the latest run when nil): the run's facts and every item with its previews.
    ///
    /// - Throws: `JournalError` when the journal has no such run (or no run at all).
    public func report(run id: Int64? = nil) throws(JournalError) -> (run: ReportRun, items: [ReportItem]) {
        let found: Run?
        if let id { found = try self.run(id: id) } else { found = try latestRun() }
        guard let run = found else {
            let detail = id.map { "no run \($0) in this journal" } ?? "the journal holds no run yet"
            throw JournalError(.unknownRecord, path: path, detail: detail)
        }
        var items: [ReportItem] = []
        for item in try self.items(run: run.id) {
            let previews = try previews(item: item.id)
            let backup = try backupWithPreview(item: item.id)
            items.append(
                ReportItem(
                    item, outcome: Outcome(item.state, run: run.kind),
                    sourcePreview: previews.original.map { [UInt8]($0) },
                    outputPreview: previews.output.map { [UInt8]($0) },
                    previous: backup.map {
                        PreviousPhoto(
                            hadPhoto: $0.backup.hadPhoto, bytes: $0.backup.bytes, contentType: $0.backup.contentType)
                    },
                    previousPreview: backup?.preview.map { [UInt8]($0) }))
        }
        var report = ReportRun(
            id: String(run.id), kind: run.kind, startedAt: run.startedAt, endedAt: run.endedAt,
            policyVerdict: run.verdictText, policyAllowsUploads: run.verdict?.allowsUploads, arguments: run.arguments)
        report.restoresRun = run.restoresRun.map(String.init)
        return (report, items)
    }
}
