/// The head-and-shoulders framing's numbers; README "Face-aware framing" gives their sources.
public struct FramingOptions: Sendable, Hashable {
    /// The face box's width as a share of the square's side. 0.40 puts chin to crown (about 1.5 face-box widths)
    /// near 60% of the side: LinkedIn's "face about 60% of the frame" and the middle of the U.S. passport rule
    /// (head 1 to 1⅜ in of a 2 in square, 50–69%).
    public var faceShare: Double
    /// The eyes' height below the square's top as a share of its side. 0.40: the U.S. passport rule puts the eyes
    /// 1⅛ to 1⅜ in above the bottom of the 2 in square (31–44% from the top), ISO/IEC 19794-5 and ICAO 9303 between
    /// 50% and 70% of the height from the bottom (30–50% from the top).
    public var eyeLine: Double
    /// Another face at least this share of the largest face's width makes `several-faces`; smaller ones are taken
    /// for people in the background and ignored. 0.5: a face half as wide has a quarter of the area.
    public var companionShare: Double
    /// How far the face box's centre may end up from the square's centre, as a share of the side, once the square
    /// was shifted to stay inside the picture, before the photo is flagged `face-at-edge`. 0.05: 32 px of 648.
    public var centreTolerance: Double
    /// How far the eyes may end up above or below `eyeLine`, as a share of the side, before `face-at-edge`. 0.10:
    /// with the default line, the eyes stay within ISO/IEC 19794-5's 30–50% from the top.
    public var eyeTolerance: Double
    /// The square is at least this many pixels when the picture allows (pass the output side: a smaller square
    /// would have to be upscaled); 0 for no floor.
    public var minimumSide: Int

    /// The ranges the options make sense in; a command line checks its values against them.
    public static let faceShareRange = 0.1...0.9
    public static let eyeLineRange = 0.2...0.6
    public static let companionShareRange = 0.0...1.0
    public static let toleranceRange = 0.0...0.5

    /// Creates options; the defaults are the ones documented above.
    public init(
        faceShare: Double = 0.40, eyeLine: Double = 0.40, companionShare: Double = 0.5,
        centreTolerance: Double = 0.05, eyeTolerance: Double = 0.10, minimumSide: Int = 0
    ) {
        precondition(
            FramingOptions.faceShareRange.contains(faceShare), "faceShare outside \(FramingOptions.faceShareRange)")
        precondition(FramingOptions.eyeLineRange.contains(eyeLine), "eyeLine outside \(FramingOptions.eyeLineRange)")
        precondition(FramingOptions.companionShareRange.contains(companionShare), "companionShare outside 0...1")
        precondition(FramingOptions.toleranceRange.contains(centreTolerance), "centreTolerance outside 0...0.5")
        precondition(FramingOptions.toleranceRange.contains(eyeTolerance), "eyeTolerance outside 0...0.5")
        precondition(minimumSide >= 0, "minimumSide must not be negative")
        self.faceShare = faceShare
        self.eyeLine = eyeLine
        self.companionShare = companionShare
        self.centreTolerance = centreTolerance
        self.eyeTolerance = eyeTolerance
        self.minimumSide = minimumSide
    }
}
