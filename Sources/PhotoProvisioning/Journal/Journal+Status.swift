extension Journal {
    /// What `photoprov status` shows: the latest run with its counts and the journal's totals.
    public struct Status: Sendable, Equatable {
        /// The most recently started run, or `nil` for a journal with no runs.
        public var latestRun: Run?
        /// Item counts of `latestRun` (empty when there is none).
        public var counts: Counts
        /// Runs recorded and keys holding a photo we uploaded.
        public var totals: Totals
    }

    /// The latest run, its counts and the totals, read in one call.
    public func status() throws(JournalError) -> Status {
        let latest = try latestRun()
        let counts = try latest.map { run throws(JournalError) in try self.counts(run: run.id) } ?? Counts()
        return Status(latestRun: latest, counts: counts, totals: try totals())
    }
}
