/// What face framing (`--crop auto`) found in one photo and how it framed it.
///
/// Recorded by the pipeline from the detector's and the framing rule's answer, stored by the journal, shown by
/// reports (the face marked on the original, the flags counted under "Worth a look").
public struct FaceFraming: Sendable, Hashable, Codable {
    /// Something about the framing a person should look at.
    public enum Flag: String, Sendable, Hashable, Codable, CaseIterable {
        /// No face found: framed by the fixed rule (`--crop square`).
        case noFace = "no-face"
        /// Two or more faces of comparable size: framed by the fixed rule, not on one of them.
        case severalFaces = "several-faces"
        /// The face is cut by the picture's edge, or too near it to sit where the framing wants it.
        case faceAtEdge = "face-at-edge"
    }

    /// How many faces the detector kept.
    public var faceCount: Int
    /// The face the square was framed on, in the upright picture's full-resolution pixels (it may reach past the
    /// picture's edges when the face is cut by them); nil when the fixed rule framed the picture.
    public var face: FaceBox?
    /// The flags, in `Flag.allCases` order.
    public var flags: [Flag]

    /// Creates a record; `flags` are kept in `Flag.allCases` order.
    public init(faceCount: Int, face: FaceBox?, flags: [Flag]) {
        self.faceCount = faceCount
        self.face = face
        self.flags = Flag.allCases.filter(flags.contains)
    }
}

/// A face's box in the upright picture's full-resolution pixels, origin at the top left.
public struct FaceBox: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    /// Creates a box.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}
