/// Whether this identity may write photos under the tenant's photo policy, as the preflight judged it.
public enum Verdict: String, Sendable, Hashable, Codable {
    /// Uploads should work.
    case allowed
    /// The policy or a missing permission forbids uploads (exit 3).
    case blocked
    /// The settings could not be read; uploads may or may not work (exit 1).
    case unknown
    /// Not checked at all: an offline dry run, or `--skip-policy-check`.
    case notChecked = "not-checked"

    /// Whether the verdict lets uploads go ahead: true, false, or nil when unknown or not checked.
    public var allowsUploads: Bool? {
        switch self {
        case .allowed: true
        case .blocked: false
        case .unknown, .notChecked: nil
        }
    }

    /// The verdict for people, with the first reason: `allowed`, `blocked: …`, `unknown: …`, `not checked (…)`.
    public func text(detail: String?) -> String {
        switch self {
        case .notChecked: "not checked" + (detail.map { " (\($0))" } ?? "")
        case .allowed, .blocked, .unknown: rawValue + (detail.map { ": \($0)" } ?? "")
        }
    }
}
