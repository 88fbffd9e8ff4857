import Foundation
import PhotoJournal
import PhotoModel
import PhotoSources

/// `--max-removals N|P%`: how many photos one run of `--remove-missing` may delete, as a count or as a share of
/// the photos this tool set for the source. Above it the run deletes none of them (as rsync's `--max-delete`).
public enum RemovalLimit: Sendable, Equatable, CustomStringConvertible {
    /// At most this many.
    case count(Int)
    /// At most this percentage (0–100) of the photos this tool set for the source, rounded down.
    case percent(Double)

    /// 10% of the photos this tool set for the source.
    public static let standard = RemovalLimit.percent(10)

    /// Parses `25` or `10%` (`0`–`100%`); `nil` for anything else.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let share = Double(trimmed.dropLast()), share.isFinite, (0...100).contains(share) else { return nil }
            self = .percent(share)
        } else {
            guard let count = Int(trimmed), count >= 0 else { return nil }
            self = .count(count)
        }
    }

    /// The most removals allowed when the source set `photos` photos.
    public func allowed(outOf photos: Int) -> Int {
        switch self {
        case .count(let count): count
        case .percent(let share): Int((Double(photos) * share / 100).rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .count(let count): "\(count)"
        case .percent(let share): (share == share.rounded() ? "\(Int(share))" : "\(share)") + "%"
        }
    }
}

extension UploadJob {
    /// Finds the photos this source set for keys no longer in it and, with `--remove-missing`, plans their
    /// removal, unless the source may not be whole or too many would go: then none is removed, each is recorded
    /// `skipped` with the reason, and `summary.removalsRefused` says why.
    ///
    /// - Parameter problems: the source's refused rows, as the plan found them.
    func planRemovals(_ summary: inout UploadSummary, problems: [SourceProblem], journal: Journal) async throws {
        let options = settings.sourceOptions
        let mailbox = settings.mailbox
        let scope = Self.sourceScope(
            source: settings.source.path, target: options.target, match: options.keyKind, mailbox: mailbox)
        let missing = try await journal.keysWithPhotos(
            target: options.target, match: options.keyKind, mailbox: mailbox, commandKeyPrefix: scope,
            notIn: summary.runID)
        summary.missingFromSource = missing.map(\.key)
        guard !missing.isEmpty else { return }
        let listed = missing.prefix(10).map(\.key).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
        guard settings.removeMissing else {
            events(
                .note(
                    "\(missing.count) \(options.target.noun)(s) have a photo from an earlier run but are not in the "
                        + "source; left untouched ("
                        + (options.target.canDeletePhoto
                            ? "--remove-missing deletes them" : Self.undeletable(options.target))
                        + "): \(listed)"))
            return
        }
        let photos = try await journal.photoCount(
            target: options.target, match: options.keyKind, mailbox: mailbox, commandKeyPrefix: scope)
        let refusal = removalRefusal(missing: missing.count, photos: photos, problems: problems)
        let reason = refusal.map { "not removed: \($0)" }
        let stored = try await journal.addItems(
            missing.map { last in
                Journal.NewItem(
                    action: .remove, target: last.target, match: last.match, key: last.key, mailbox: last.mailbox,
                    resolvedID: last.resolvedID, state: refusal == nil ? .pending : .skipped, reason: reason)
            },
            run: summary.runID)
        guard let refusal else { return }
        // A resumed run may hold removals planned before the source changed: they are not done either.
        for item in stored where item.state.needsWork {
            try await journal.record(Journal.ItemUpdate(.skipped, reason: reason), item: item.id)
        }
        summary.removalsRefused = refusal
        events(
            .note(
                "--remove-missing \(settings.dryRun ? "would remove" : "removed") nothing: \(refusal); "
                    + "\(missing.count) not in the source: \(listed)"))
    }

    /// Why removing `missing` of the `photos` this source set must not happen, or `nil` when it may: the source
    /// was not read to its end, some rows have no readable key (anyone could be on them), or more would go than
    /// `--max-removals` allows.
    private func removalRefusal(missing: Int, photos: Int, problems: [SourceProblem]) -> String? {
        if let cut = problems.first(where: { $0.reason == .unterminatedQuote }) {
            return "the source was not read to its end (\(cut.location): \(cut.reason))"
        }
        let keyless = problems.filter(\.reason.leavesKeyUnknown)
        if !keyless.isEmpty {
            let lines = keyless.prefix(5).map(\.location).joined(separator: ", ") + (keyless.count > 5 ? ", …" : "")
            return
                "\(keyless.count) row(s) of the source have no readable "
                + "\(settings.sourceOptions.keyKind.displayName) (\(lines)), so who is missing cannot be told"
        }
        let limit = settings.maxRemovals
        let allowed = limit.allowed(outOf: photos)
        guard missing > allowed else { return nil }
        let share = Int((Double(missing) * 100 / Double(max(photos, 1))).rounded())
        return "\(missing) of the \(photos) photos this source set would go (\(share)%), more than --max-removals "
            + "\(limit) allows (\(allowed)); check the source, or raise --max-removals"
    }
}

extension SourceProblem.Reason {
    /// Whether a row refused for this reason names nobody that can be told: its user may be missing from the
    /// source only because the row could not be read.
    var leavesKeyUnknown: Bool {
        switch self {
        case .missingKey, .malformedKey, .unterminatedQuote: true
        default: false
        }
    }
}
