import Foundation
import PhotoProvisioning

extension Command {
    /// Hidden test aid: walks N fake items through the journal's upload states so a test can SIGKILL it at
    /// random moments and check the file stays sound and the run resumes. Not listed in `--help`.
    static let journalStress = Command(
        name: "__journal-stress",
        summary: "Test aid: write N items through the journal (hidden).",
        usage: "__journal-stress [--full-sync] PATH N [DELAY_MICROSECONDS]",
        options: [.flag("full-sync", "open the journal with synchronous=FULL (to compare commit costs)")]
    ) { arguments in
        let positionals = arguments.positionals
        guard (2...3).contains(positionals.count), let count = Int(positionals[1]), count > 0,
            let delay = positionals.count == 3 ? UInt64(positionals[2]) : 0
        else {
            throw UsageError("usage: photoprov __journal-stress [--full-sync] PATH N [DELAY_MICROSECONDS]")
        }
        let began = Date()
        let journal = try await Journal.open(
            at: arguments.positionals[0], durability: arguments.has("full-sync") ? .full : .normal)
        let start = try await journal.startRun(
            kind: .upload, commandKey: "stress:\(count)", arguments: ["__journal-stress"])
        let planned = (0..<count).map {
            Journal.NewItem(
                target: .users, match: .upn, key: "user\($0)@stress.test", line: $0 + 2, sourcePath: "p\($0).jpg",
                fingerprint: "fp1")
        }
        let items = try await journal.addItems(planned, run: start.run.id)
        for item in items where item.state.needsWork {
            let sha = String(repeating: String(item.id % 10), count: 64)
            var converted = Journal.ItemUpdate(.converted)
            converted.sourceSHA256 = sha
            converted.outputBytes = 1000 + Int(item.id)
            try await journal.record(converted, item: item.id)
            try await journal.storeOriginalPreview(
                Data(repeating: UInt8(item.id & 0xFF), count: 512), sourceSHA256: sha)
            try await journal.record(Journal.ItemUpdate(.uploading), item: item.id)
            // Stands in for the PUT: a kill now leaves the item `uploading`, to be retried on resume.
            if delay > 0 { try await Task.sleep(nanoseconds: delay * 1000) }
            var uploaded = Journal.ItemUpdate(.uploaded)
            uploaded.httpStatus = 200
            uploaded.requestID = "req-\(item.id)"
            try await journal.record(uploaded, item: item.id)
        }
        try await journal.finishRun(start.run.id, status: .completed)
        let seconds = Date().timeIntervalSince(began)
        let work = items.count
        print(
            "run \(start.run.id) resumed \(start.resumed) items \(work) seconds \(String(format: "%.3f", seconds)) "
                + "per-item-ms \(String(format: "%.3f", seconds * 1000 / Double(max(work, 1))))")
        return .success
    }
}
