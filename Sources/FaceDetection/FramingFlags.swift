/// What a person may want to look at in a framing decision.
public struct FramingFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// No face found: framed by the fixed rule.
    public static let noFace = FramingFlags(rawValue: 1 << 0)
    /// Two or more faces of comparable size: framed by the fixed rule, not on one of them.
    public static let severalFaces = FramingFlags(rawValue: 1 << 1)
    /// The face is cut by the picture's edge, or too near it to sit where the framing wants it.
    public static let faceAtEdge = FramingFlags(rawValue: 1 << 2)

    private static let named: [(FramingFlags, String)] = [
        (.noFace, "no-face"), (.severalFaces, "several-faces"), (.faceAtEdge, "face-at-edge"),
    ]

    /// The flags as reports print them (`no-face`, `several-faces`, `face-at-edge`), always in that order.
    public var names: [String] { FramingFlags.named.filter { contains($0.0) }.map(\.1) }
}
