import CFaceDetect
import Foundation

/// Finds frontal faces with dlib's HOG detector (built into libdlib, no model file), optionally with dlib's
/// 68-point landmark model for the eye centres.
///
/// One detector serves every task of a run: see the `Sendable` proof below. Loading takes about 0.25 s of CPU
/// (0.8 s with landmarks, which also hold about 65 MB), so make one per run, not one per photo.
///
/// `@unchecked Sendable`: the C model's filters and landmarks are immutable after `fd_model_create`; each call scans
/// with a copy of dlib's detector (whose scratch state lives in the detector object) that no other call holds,
/// taken from and given back to the model's pool under a mutex, and dlib's landmark fit is `const`. So concurrent
/// `detect` calls share nothing unguarded; the pointer is freed only in `deinit`, after the last use.
public final class FaceDetector: @unchecked Sendable {
    /// Where the eye positions come from.
    public enum Landmarks: Sendable, Hashable {
        /// No landmark model: eyes estimated from the box (`Face.estimatedEyeLine`); no extra memory.
        case none
        /// The landmark model where the distribution installs it (`installedLandmarkPaths`).
        case installed
        /// The landmark model file at this path (dlib's `shape_predictor_68_face_landmarks.dat`).
        case file(String)
    }

    /// Where distributions install dlib's 68-point model: Debian's libdlib-data (Homebrew's dlib ships none).
    public static let installedLandmarkPaths = ["/usr/share/dlib/shape_predictor_68_face_landmarks.dat"]

    /// The longest side faces are looked for at: the README's measurement found every labelled face at 512 with
    /// no false one, at about 12 ms of CPU per photo. Faces smaller than about 80 pixels at this size are missed.
    public static let defaultDetectionSide = 512

    /// Boxes dlib scores below this are dropped. 0.5: on ../shared/corpus every real face scored 0.88 to 2.06 and
    /// the only false boxes above dlib's own threshold of 0 scored 0.06 (a badge on the astronaut's suit).
    public static let defaultMinimumConfidence = 0.5

    /// The longest side detection runs at; larger images are shrunk first.
    public let detectionSide: Int
    /// The lowest score a face is reported with.
    public let minimumConfidence: Double
    /// Whether faces carry eye centres.
    public let hasLandmarks: Bool
    /// Whether dlib's two filters for tilted heads run too.
    public let findsTiltedFaces: Bool
    /// Whether the scan runs the detector's AVX2 and FMA build (the CPU has both and `vectorized` was asked for):
    /// the same boxes as the portable build in about two thirds of its CPU.
    public let isVectorized: Bool
    private let model: OpaquePointer

    /// Loads the detector.
    ///
    /// - Parameters:
    ///   - landmarks: where the eye positions come from.
    ///   - detectionSide: images whose longest side is larger are shrunk to it before detection.
    ///   - minimumConfidence: boxes scored lower are dropped (dlib's own boundary is 0).
    ///   - tiltedFaces: also run dlib's filters for heads tilted sideways (of its five: ahead, left, right, and
    ///     ahead tilted either way); without them detection takes about 20% less CPU.
    ///   - vectorized: scan with the AVX2 and FMA build when the CPU has both; false always runs the portable one.
    /// - Throws: `FaceDetectionError` when the landmark model is missing or unreadable.
    public init(
        landmarks: Landmarks = .none, detectionSide: Int = FaceDetector.defaultDetectionSide,
        minimumConfidence: Double = FaceDetector.defaultMinimumConfidence, tiltedFaces: Bool = true,
        vectorized: Bool = true
    ) throws(FaceDetectionError) {
        precondition(detectionSide > 0, "detectionSide must be positive")
        let path: String?
        switch landmarks {
        case .none: path = nil
        case .file(let file): path = file
        case .installed:
            let installed = FaceDetector.installedLandmarkPaths
            guard let found = installed.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw FaceDetectionError(
                    .modelMissing,
                    "dlib's landmark model is not installed (looked for "
                        + installed.joined(separator: ", ")
                        + "); on Debian install libdlib-data, or detect without landmarks")
            }
            path = found
        }
        var status = fd_status()
        guard let model = fd_model_create(path, tiltedFaces ? 1 : 0, vectorized ? 1 : 0, &status) else {
            try FaceDetectionError.check(status)
            throw FaceDetectionError(.failed, "the face detector could not be made")
        }
        self.model = model
        self.detectionSide = detectionSide
        self.minimumConfidence = minimumConfidence
        self.hasLandmarks = path != nil
        self.findsTiltedFaces = tiltedFaces
        self.isVectorized = fd_model_vectorized(model) != 0
    }

    deinit { fd_model_free(model) }

    /// The faces in `image`, largest first, in its pixel coordinates.
    ///
    /// - Parameter image: upright RGB pixels, ideally already about `detectionSide` on the longest side.
    /// - Throws: `FaceDetectionError` when dlib fails (out of memory).
    @available(*, noasync, message: "blocking CPU work: run it on a worker, not the cooperative pool")
    public func detect(in image: SmallImage) throws(FaceDetectionError) -> [Face] {
        var result = fd_result()
        defer { fd_result_free(&result) }
        image.rgb.withUnsafeBufferPointer { pixels in
            _ = fd_detect(
                model, pixels.baseAddress, pixels.count, Int32(clamping: image.width), Int32(clamping: image.height),
                Int32(clamping: detectionSide), minimumConfidence, &result)
        }
        try FaceDetectionError.check(result.status)
        return (0..<Int(result.count)).map { index in
            let face = result.faces[index]
            let eyes =
                face.has_eyes != 0
                ? Face.Eyes(
                    left: PixelPoint(x: face.left_eye_x, y: face.left_eye_y),
                    right: PixelPoint(x: face.right_eye_x, y: face.right_eye_y))
                : nil
            return Face(
                box: PixelRect(x: face.x, y: face.y, width: face.width, height: face.height), eyes: eyes,
                confidence: face.confidence)
        }
    }
}
