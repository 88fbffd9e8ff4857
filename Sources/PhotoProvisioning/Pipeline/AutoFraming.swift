import FaceDetection

/// `--crop auto`: how photos are framed on the face found in them, and how faces are looked for.
///
/// The codec's own crop (`ConvertOptions.crop`, `.square`) stays the fallback for photos without one clear face.
public struct AutoFraming: Sendable, Hashable {
    /// Where the square goes around the face (share, eye line, the group rule, tolerances, the smallest square).
    public var framing: FramingOptions
    /// The longest side of the picture faces are looked for on (the codec's overview).
    public var detectionSide: Int
    /// Faces scored lower by dlib are dropped.
    public var minimumConfidence: Double
    /// Whether dlib's two filters for heads tilted sideways run too (about 20% more detection CPU).
    public var tiltedFaces: Bool

    /// The detection defaults: 512 px, as measured in README "Face detection and framing" (every labelled face of
    /// the corpus found, none false); dlib's boxes under 0.5 dropped; no tilted filters. Without them the corpus's
    /// faces are all still found at the same places (`FaceDetectionTests`) for a fifth less CPU, which issue 17's
    /// budget needs; a head tilted far sideways is then `no-face` and framed by the fixed rule, flagged for a look.
    public static let defaultDetectionSide = FaceDetector.defaultDetectionSide
    public static let defaultMinimumConfidence = FaceDetector.defaultMinimumConfidence
    public static let defaultTiltedFaces = false

    /// Creates the settings.
    ///
    /// - Parameter framing: pass `minimumSide` = the output's side (`--max-side`) so a framed photo is never smaller
    ///   than the fixed rule's (see `AutoFraming.framing(outputSide:)`).
    public init(
        framing: FramingOptions, detectionSide: Int = AutoFraming.defaultDetectionSide,
        minimumConfidence: Double = AutoFraming.defaultMinimumConfidence,
        tiltedFaces: Bool = AutoFraming.defaultTiltedFaces
    ) {
        self.framing = framing
        self.detectionSide = detectionSide
        self.minimumConfidence = minimumConfidence
        self.tiltedFaces = tiltedFaces
    }

    /// The framing's defaults with the square's floor at the output's side: a face-framed photo keeps the size
    /// `--crop square` would give it (the framing shrinks the square to fit the face, never below the output, so it
    /// never costs resolution and never needs upscaling); a picture too tight for that is framed as well as it allows
    /// and flagged `face-at-edge`.
    public static func framing(outputSide: Int) -> FramingOptions { FramingOptions(minimumSide: outputSide) }

    /// What in these settings changes the output, for the journal's fingerprint. The tolerances only change flags,
    /// so they are left out: changing them re-flags photos as they are converted, without uploading them again.
    public var fingerprint: String {
        func share(_ value: Double) -> String { String(format: "%.3f", value) }
        return "faces=share\(share(framing.faceShare)),eye\(share(framing.eyeLine)),"
            + "companion\(share(framing.companionShare)),min\(framing.minimumSide),detect\(detectionSide),"
            + "conf\(share(minimumConfidence)),tilted\(tiltedFaces ? 1 : 0),dlib-hog1"
    }
}
