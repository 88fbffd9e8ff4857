/// A framing decision: the square to cut from the upright picture, the face it was framed on, and the flags.
public struct Framing: Sendable, Hashable {
    /// The square, in the upright picture's pixels.
    public var square: CropSquare
    /// What a person may want to look at.
    public var flags: FramingFlags
    /// The face framed on; nil when the fixed rule framed the picture (`no-face`, `several-faces`).
    public var face: Face?

    /// Share of a portrait's extra height the fixed rule cuts from the top (the codec's `PC_PORTRAIT_TOP`).
    public static let portraitTop = 0.2
    /// Share of the face box's width or height that may lie outside the picture before the face counts as cut:
    /// dlib's box overshoots a little on some uncut faces.
    public static let cutTolerance = 0.05

    /// Decides the square for a picture from the faces found in it.
    ///
    /// With one clear face (others narrower than `companionShare` of it are background), the square is sized so
    /// the face box is `faceShare` of its side, centred on the box with the eyes `eyeLine` below the top; then it
    /// is shifted, never shrunk, to lie inside the picture, and kept at least `minimumSide` (or the whole short
    /// side), so the face is never upscaled. A face cut by the picture's edge (more than `cutTolerance` of its box
    /// outside), or that ends up off-centre by more than `centreTolerance` or with the eyes off the line by more
    /// than `eyeTolerance`, is flagged `face-at-edge`. No face, or several, falls back to `fixedSquare(picture:)`
    /// with `no-face` or `several-faces`.
    ///
    /// - Parameters:
    ///   - picture: the upright picture's size.
    ///   - faces: the faces in the picture's coordinates (`Face.mapped(from:to:)` them from the detection copy).
    ///   - options: the framing's numbers.
    public static func frame(picture: PixelSize, faces: [Face], options: FramingOptions = FramingOptions()) -> Framing {
        precondition(picture.width > 0 && picture.height > 0, "cannot frame an empty \(picture) picture")
        let ordered = faces.sorted { a, b in
            if a.box.width != b.box.width { return a.box.width > b.box.width }
            return a.box.x != b.box.x ? a.box.x < b.box.x : a.box.y < b.box.y
        }
        guard let face = ordered.first else {
            return Framing(square: fixedSquare(picture: picture), flags: .noFace, face: nil)
        }
        if ordered.dropFirst().contains(where: { $0.box.width >= options.companionShare * face.box.width }) {
            return Framing(square: fixedSquare(picture: picture), flags: .severalFaces, face: nil)
        }

        let shortest = min(picture.width, picture.height)
        let wanted = Int((face.box.width / options.faceShare).rounded())
        let side = min(shortest, max(wanted, min(options.minimumSide, shortest), 1))
        let idealX = face.box.midX - Double(side) / 2
        let idealY = face.eyeLineY - options.eyeLine * Double(side)
        let visible = face.box.clipped(to: picture)
        let x = place(idealX, side: side, keeping: visible.x..<visible.maxX, within: picture.width)
        let y = place(idealY, side: side, keeping: visible.y..<visible.maxY, within: picture.height)

        let cut =
            face.box.width - visible.width > cutTolerance * face.box.width
            || face.box.height - visible.height > cutTolerance * face.box.height
        let moved =
            abs(Double(x) - idealX) > options.centreTolerance * Double(side)
            || abs(Double(y) - idealY) > options.eyeTolerance * Double(side)
        return Framing(square: CropSquare(x: x, y: y, side: side), flags: cut || moved ? .faceAtEdge : [], face: face)
    }

    /// Today's fixed rule, exactly as the codec's `--crop square`: the largest centred square of a landscape (or
    /// square) picture; a portrait's keeps `portraitTop` of the extra height above it, the rest below.
    public static func fixedSquare(picture: PixelSize) -> CropSquare {
        let side = min(picture.width, picture.height)
        if picture.width >= picture.height {
            return CropSquare(x: Int((Double(picture.width - side) / 2).rounded(.down)), y: 0, side: side)
        }
        return CropSquare(x: 0, y: Int((Double(picture.height - side) * portraitTop).rounded(.down)), side: side)
    }

    /// The square's start on one axis: nearest `ideal`, inside 0..<length, holding `keeping` whole when it fits.
    private static func place(_ ideal: Double, side: Int, keeping: Range<Double>, within length: Int) -> Int {
        var start = Int(ideal.rounded())
        if keeping.upperBound - keeping.lowerBound <= Double(side) {
            start = min(start, Int(keeping.lowerBound.rounded(.down)))
            start = max(start, Int(keeping.upperBound.rounded(.up)) - side)
        }
        return min(max(start, 0), length - side)
    }
}
