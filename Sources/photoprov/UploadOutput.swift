import Foundation
import PhotoProvisioning
import Synchronization

/// Renders an upload's events: a progress bar on a terminal, timestamped lines under cron, JSON lines for
/// log collectors; `--quiet` keeps only failures and the summary.
final class UploadOutput: Sendable {
    enum Format: Sendable {
        case text
        case json
    }

    private struct State {
        var total = 0
        var done = 0
        var byState: [Journal.ItemState: Int] = [:]
        var started = Date()
        var lastDraw = Date.distantPast
        var barShown = false
    }

    private let format: Format
    private let quiet: Bool
    private let bar: Bool
    private let state = Mutex(State())

    /// Creates the renderer; `interactive` means standard error is a terminal (progress bar).
    init(format: Format, quiet: Bool, interactive: Bool) {
        self.format = format
        self.quiet = quiet
        self.bar = interactive && format == .text && !quiet
    }

    /// Handles one event; safe to call from any task.
    func handle(_ event: UploadEvent) {
        state.withLock { state in
            switch event {
            case .planned(let plan):
                state.total = plan.toDo
                state.started = Date()
                var text = "run \(plan.runID): \(plan.toDo) item(s) to do"
                if plan.resumed { text += ", resuming (\(plan.alreadyDone) already done)" }
                if plan.total > plan.toDo + plan.alreadyDone {
                    text += ", \(plan.total - plan.toDo - plan.alreadyDone) not to do"
                }
                line(
                    &state, text,
                    fields: [
                        "event": "planned", "run": plan.runID, "to_do": plan.toDo,
                        "resumed": plan.resumed, "already_done": plan.alreadyDone, "total": plan.total,
                    ])
            case .note(let text):
                if !quiet { line(&state, text, fields: ["event": "note", "message": text]) }
            case .stopping(let reason):
                line(
                    &state, "stopping (\(reason.rawValue)): no new items; uploads in flight finish",
                    fields: ["event": "stopping", "reason": reason.rawValue])
            case .item(let item):
                if item.state != .invalid { state.done += 1 }
                state.byState[item.state, default: 0] += 1
                let failed = item.state == .failed || item.state == .invalid
                if !quiet || failed {
                    let location = item.location.map { " (\($0))" } ?? ""
                    var fields: [String: any Sendable] = [
                        "event": "item", "key": item.key, "state": item.state.rawValue,
                        "detail": item.detail,
                    ]
                    if let location = item.location { fields["location"] = location }
                    line(
                        &state, "\(item.state.rawValue) \(item.key)\(location): \(item.detail)", fields: fields,
                        keepBar: true)
                }
                drawBar(&state, force: false)
            }
        }
    }

    /// Prints the closing summary: counts, where the journal and report are, what to do next.
    func finish(_ summary: UploadSummary) {
        state.withLock { state in
            clearBar(&state)
            let names = summary.counts.summary.filter {
                $0.name != "total" && ($0.count > 0 || ["uploaded", "failed"].contains($0.name))
            }
            let counts = names.map { "\($0.count) \($0.name.replacingOccurrences(of: "_", with: " "))" }
                .joined(separator: ", ")
            if format == .json {
                var fields: [String: any Sendable] = [
                    "event": "summary", "run": summary.runID,
                    "kind": summary.kind.rawValue, "seconds": (summary.seconds * 10).rounded() / 10,
                    "journal": summary.journalPath, "blocked": summary.blocked,
                ]
                fields["counts"] = Dictionary(uniqueKeysWithValues: summary.counts.summary.map { ($0.name, $0.count) })
                if let policy = summary.policy {
                    fields["policy"] = policy.verdict.rawValue
                    if policy.verdict != .allowed {
                        fields["policy_explanation"] = policy.explanation.map { Redaction.text($0) }
                    }
                }
                if summary.blocked {
                    fields["reason"] = Redaction.text(
                        summary.policy?.explanation.first ?? "the photo policy or a missing permission blocks uploads")
                }
                if let report = summary.report { fields["report"] = report.html }
                if let stopped = summary.stoppedBy { fields["stopped"] = stopped.rawValue }
                if let refused = summary.removalsRefused { fields["removals_refused"] = refused }
                print(Terminal.jsonLine(fields))
                return
            }
            if let policy = summary.policy, policy.verdict != .allowed, policy.verdict != .notChecked {
                print("policy: \(policy.verdict.rawValue)")
                for reason in policy.explanation { print("  \(Terminal.printable(reason))") }
                if summary.blocked, summary.kind == .upload {
                    print("nothing was uploaded: fix the policy or permission above, or pass --skip-policy-check")
                } else if summary.blocked {
                    print(
                        "nothing would be uploaded: every photo would be refused until the policy or permission "
                            + "above is fixed")
                }
            }
            let kind = summary.kind == .dryRun ? "dry run" : "run"
            let ended = summary.leftForNextRun > 0 || summary.stoppedBy != nil ? "stopped" : "finished"
            print("\(kind) \(summary.runID) \(ended) in \(TimeSpan.format(summary.seconds)): \(counts)")
            if summary.leftForNextRun > 0 {
                print("\(summary.leftForNextRun) item(s) left: run the same command again to continue")
            }
            if let refused = summary.removalsRefused {
                let verb = summary.kind == .dryRun ? "would remove" : "removed"
                print("--remove-missing \(verb) nothing: \(Terminal.printable(refused))")
            } else if !summary.missingFromSource.isEmpty, summary.counts[.removed] + summary.counts[.wouldRemove] == 0 {
                let kept =
                    summary.target.canDeletePhoto
                    ? "--remove-missing deletes" : "graph cannot delete a \(summary.target.noun)'s photo"
                print("\(summary.missingFromSource.count) earlier upload(s) not in the source (kept; \(kept))")
            }
            print("journal: \(Terminal.printable(summary.journalPath))")
            if let report = summary.report { print("report: \(Terminal.printable(report.html))") }
        }
    }

    private func line(_ state: inout State, _ text: String, fields: [String: any Sendable], keepBar: Bool = false) {
        clearBar(&state)
        switch format {
        case .json:
            let masked = fields.mapValues { value -> any Sendable in
                (value as? String).map { Redaction.text($0) } ?? value
            }
            print(Terminal.jsonLine(masked))
        case .text:
            // One event, one line: a CSV field or a file name cannot start a forged line or move the cursor.
            let text = Terminal.printable(text)
            print(bar ? text : "\(Terminal.timestamp(Date())) \(text)")
        }
        fflush(nil)  // nil flushes every stream; cron logs stay in order with stderr
        if keepBar { drawBar(&state, force: true) }
    }

    private func drawBar(_ state: inout State, force: Bool) {
        guard bar, state.total > 0 else { return }
        let now = Date()
        guard force || now.timeIntervalSince(state.lastDraw) > 0.1 || state.done == state.total else { return }
        state.lastDraw = now
        let fraction = min(1, Double(state.done) / Double(state.total))
        let width = 24
        let filled = Int(fraction * Double(width))
        let elapsed = now.timeIntervalSince(state.started)
        let rate = elapsed > 0 ? Double(state.done) / elapsed : 0
        let eta = rate > 0 ? TimeSpan.format(Double(state.total - state.done) / rate) : "…"
        let counts = [
            Journal.ItemState.uploaded, .restored, .unchanged, .kept, .failed, .wouldUpload, .wouldReplace, .wouldAdd,
        ]
        .compactMap { key in state.byState[key].map { "\($0) \(key.rawValue)" } }.joined(separator: " ")
        let text =
            "[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
            + "\(state.done)/\(state.total) \(counts) · \(String(format: "%.1f", rate))/s · ETA \(eta)"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        state.barShown = true
    }

    private func clearBar(_ state: inout State) {
        guard state.barShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        state.barShown = false
    }
}
