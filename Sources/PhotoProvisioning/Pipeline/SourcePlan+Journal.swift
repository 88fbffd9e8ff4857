import PhotoJournal
import PhotoSources

extension SourcePlan {
    /// The plan as journal items, in source order: valid rows `pending`, refused rows `invalid` with their
    /// reason. Rows merged into an earlier identical one are not items.
    ///
    /// - Parameters:
    ///   - options: the options the plan was read with (they give the target and the key kind).
    ///   - mailbox: contacts: the mailbox (and folder) every item lives in.
    ///   - fingerprint: the codec settings fingerprint of this run, recorded on every valid item.
    public func journalItems(
        options: SourceOptions, mailbox: Mailbox? = nil, fingerprint: String
    ) -> [Journal.NewItem] {
        let valid = items.map { item in
            Journal.NewItem(
                target: options.target, match: options.keyKind, key: item.key, mailbox: mailbox,
                displayName: item.displayName, line: item.line, sourcePath: item.photoPath, fingerprint: fingerprint)
        }
        let refused = problems.map { problem in
            Journal.NewItem(
                target: options.target, match: options.keyKind, key: problem.key ?? "", mailbox: mailbox,
                displayName: problem.displayName, line: problem.line, sourcePath: problem.path, state: .invalid,
                reason: problem.detail)
        }
        return (valid + refused).sorted { ($0.line ?? 0, $0.sourcePath ?? "") < ($1.line ?? 0, $1.sourcePath ?? "") }
    }
}
