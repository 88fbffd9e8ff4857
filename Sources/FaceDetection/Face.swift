/// A face found in a picture: the detector's box, the eye centres when the landmark model gave them, the score.
public struct Face: Sendable, Hashable {
    /// The centres of both eyes.
    public struct Eyes: Sendable, Hashable {
        /// The eye on the image's left (the person's right eye).
        public var left: PixelPoint
        /// The eye on the image's right.
        public var right: PixelPoint

        /// Creates the pair.
        public init(left: PixelPoint, right: PixelPoint) {
            self.left = left
            self.right = right
        }
    }

    /// dlib's face box: roughly brows to chin and cheek to cheek; it may reach past the picture's edges when the
    /// face is cut by them.
    public var box: PixelRect
    /// The eye centres, when detected with landmarks.
    public var eyes: Eyes?
    /// The detector's score: above 0, higher is clearer (real portraits score about 1 to 2).
    public var confidence: Double

    /// Where the eyes sit in dlib's box without landmarks, as a share of its height from its top: the median of
    /// the 68-point landmark model's eye centres on the faces of ../shared/corpus (0.22 to 0.40, 9 faces).
    public static let estimatedEyeLine = 0.31

    /// Creates a face.
    public init(box: PixelRect, eyes: Eyes? = nil, confidence: Double = 1) {
        self.box = box
        self.eyes = eyes
        self.confidence = confidence
    }

    /// The height of the eyes: their mean, or the box's `estimatedEyeLine` without landmarks.
    public var eyeLineY: Double {
        guard let eyes else { return box.y + Face.estimatedEyeLine * box.height }
        return (eyes.left.y + eyes.right.y) / 2
    }

    /// The same face in a picture of another size: detection runs on a small copy, framing on the picture.
    public func mapped(from small: PixelSize, to picture: PixelSize) -> Face {
        let fx = Double(picture.width) / Double(small.width), fy = Double(picture.height) / Double(small.height)
        func point(_ p: PixelPoint) -> PixelPoint { PixelPoint(x: p.x * fx, y: p.y * fy) }
        return Face(
            box: PixelRect(x: box.x * fx, y: box.y * fy, width: box.width * fx, height: box.height * fy),
            eyes: eyes.map { Eyes(left: point($0.left), right: point($0.right)) },
            confidence: confidence
        )
    }
}
