import Foundation
import PhotoProvisioning

/// A journal holding one made-up run of `ReportSampleRun` items, with a preview pair per photo item under its
/// own SHA-256, as a real run of that many people leaves it: what `photoprov report` reads in the memory test
/// and in `scripts/bench-report`.
package enum ReportSampleJournal {
    /// Fills the journal at `path` (created) with a run of `count` items and returns the run's id.
    package static func fill(path: String, count: Int, kind: RunKind = .upload) async throws -> Int64 {
        let journal = try await Journal.open(at: path)
        let run = try await journal.startRun(kind: kind, commandKey: "bench \(UUID())", arguments: ["upload"]).run
        let (_, items) = ReportSampleRun.make(count: count, kind: kind)
        let fingerprint = "bench-fp"
        var index = 0
        for chunk in stride(from: 0, to: items.count, by: 512).map({ items[$0..<min($0 + 512, items.count)] }) {
            let records = chunk.map { item -> Journal.NewItem in
                var record = item.record
                record.fingerprint = fingerprint
                record.action = item.outcome == .removed || item.outcome == .wouldRemove ? .remove : .upload
                record.state = item.outcome == .invalid ? .invalid : .pending
                return record
            }
            let stored = try await journal.addItems(records, run: run.id)
            for (item, row) in zip(chunk, stored) {
                defer { index += 1 }
                guard let state = state(of: item.outcome) else { continue }
                var photo = item.record.photo
                if item.sourcePreview != nil || item.outputPreview != nil { photo.sourceSHA256 = "sample-\(index)" }
                var update = Journal.ItemUpdate(
                    state, reason: item.record.reason, photo: photo, reply: item.record.reply)
                if state == .failed { update.failure = .unexpected }
                try await journal.record(update, item: row.id)
                guard let sha = photo.sourceSHA256 else { continue }
                if let original = item.sourcePreview {
                    try await journal.storeOriginalPreview(Data(original), sourceSHA256: sha)
                }
                if let output = item.outputPreview {
                    try await journal.storeOutputPreview(Data(output), sourceSHA256: sha, fingerprint: fingerprint)
                }
            }
        }
        try await journal.finishRun(run.id, status: .completed)
        return run.id
    }

    /// The journal state an outcome is recorded as; `nil` for the states items are added in.
    private static func state(of outcome: Outcome) -> Journal.ItemState? {
        switch outcome {
        case .uploaded: .uploaded
        case .unchanged: .unchanged
        case .failed, .wouldFail: .failed
        case .skipped: .skipped
        case .wouldUpload: .wouldUpload
        case .removed: .removed
        case .wouldRemove: .wouldRemove
        case .kept: .kept
        case .wouldReplace: .wouldReplace
        case .wouldAdd: .wouldAdd
        case .restored: .restored
        case .invalid, .pending: nil
        }
    }
}
