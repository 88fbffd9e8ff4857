import PhotoModel

/// The figures a report gives over all its items: how many, by outcome and by flag.
struct ReportSummary {
    private(set) var count = 0
    private(set) var outcomes = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0, 0) })
    private(set) var flags: [ReportFlag: Int] = [:]

    /// Counts `items` in.
    mutating func add(_ items: [ReportItem]) {
        count += items.count
        for item in items {
            outcomes[item.outcome, default: 0] += 1
            for flag in item.flags { flags[flag, default: 0] += 1 }
        }
    }
}
