/// A problem with a source as a whole (unreadable file, missing column): nothing can be planned, exit 2.
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    package init(_ description: String) { self.description = description }

    static func cannotRead(_ path: String, _ detail: String) -> SourceError {
        SourceError("cannot read source \(path): \(detail)")
    }
}
