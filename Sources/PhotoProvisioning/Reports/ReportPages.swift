import PhotoModel

/// A report's items, handed to the writer a page at a time in report order, so that writing a report of any size
/// holds one page in memory, not the run.
///
/// The writer reads the pages more than once (the figures at the top of the page come before the items), so
/// `pages` must give the same items in the same order each time it is called.
public struct ReportPages {
    /// Calls `body` with each page in turn; `previews` says whether the items need their previews.
    public typealias Reader = (_ previews: Bool, _ body: ([ReportItem]) throws -> Void) throws -> Void

    private let read: Reader

    /// Pages read by `read`.
    public init(_ read: @escaping Reader) {
        self.read = read
    }

    /// The items of an array, in pages of `size`.
    public static func array(_ items: [ReportItem], size: Int = 512) -> ReportPages {
        ReportPages { _, body in
            for start in stride(from: 0, to: items.count, by: size) {
                try body(Array(items[start..<min(start + size, items.count)]))
            }
        }
    }

    /// Calls `body` with each page in report order.
    ///
    /// - Throws: what `body` throws, or what reading the items throws (e.g. a `JournalError`).
    package func forEach(previews: Bool, _ body: ([ReportItem]) throws -> Void) throws {
        try read(previews, body)
    }
}
