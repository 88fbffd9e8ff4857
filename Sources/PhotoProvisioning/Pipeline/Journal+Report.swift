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
        let dryRun = run.kind == .dryRun
        var items: [ReportItem] = []
        for item in try self.items(run: run.id) {
            let previews = try previews(item: item.id)
            items.append(
                ReportItem(
                    line: item.line, targetKind: item.target, key: item.key,
                    outcome: Outcome(item.state, run: run.kind), reason: item.reason,
                    httpStatus: item.httpStatus, requestID: item.requestID, sourcePath: item.sourcePath,
                    sourceBytes: item.sourceBytes, sourceWidth: item.sourceWidth, sourceHeight: item.sourceHeight,
                    sourceFormat: item.sourceFormat, outputBytes: item.outputBytes, outputWidth: item.outputWidth,
                    outputHeight: item.outputHeight, outputQuality: item.outputQuality, orientation: item.orientation,
                    cropFraction: item.cropFraction, qualityLowered: item.qualityLowered,
                    dimensionsLowered: item.dimensionsLowered, upscaleAvoided: item.upscaleAvoided,
                    sourcePreview: previews.original.map { [UInt8]($0) }, outputPreview: previews.output.map { [UInt8]($0) }
                ))
        }
        let verdict = run.verdict ?? "not checked"
        let allows: Bool? =
            verdict.hasPrefix("allowed") ? true : verdict.hasPrefix("blocked") ? false : nil
        let report = ReportRun(
            id: String(run.id), kind: dryRun ? .dryRun : .upload, startedAt: run.startedAt, endedAt: run.endedAt,
            policyVerdict: verdict, policyAllowsUploads: allows, arguments: run.arguments)
        return (report, items)
    }
}
