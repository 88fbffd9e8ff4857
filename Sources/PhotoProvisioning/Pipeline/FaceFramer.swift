import PhotoCodec
import PhotoModel

// Only what is used: FaceDetection's own PixelRect would make the codec's ambiguous here.
import struct FaceDetection.Face
import struct FaceDetection.FaceDetectionError
import class FaceDetection.FaceDetector
import struct FaceDetection.Framing
import struct FaceDetection.PixelSize
import struct FaceDetection.SmallImage

/// `--crop auto` for one run: one face detector shared by every worker, and the staged conversion around it.
///
/// `Sendable`: the settings are values and `FaceDetector` is safe to share (its filters are immutable; each call
/// scans with a copy of its own from the detector's guarded pool).
public final class FaceFramer: Sendable {
    public let settings: AutoFraming
    private let detector: FaceDetector

    /// Loads the detector (about 0.25 s of CPU): once per run.
    ///
    /// - Throws: `FaceDetectionError` when dlib cannot make it (out of memory).
    @available(*, noasync, message: "blocking CPU work: run it on the BlockingPool")
    public init(_ settings: AutoFraming) throws(FaceDetectionError) {
        self.settings = settings
        detector = try FaceDetector(
            detectionSide: settings.detectionSide, minimumConfidence: settings.minimumConfidence,
            tiltedFaces: settings.tiltedFaces)
    }

    /// The framer for `settings`, loaded on `pool`; nil without settings (`--crop square|none`).
    static func load(_ settings: AutoFraming?, on pool: BlockingPool) async throws -> FaceFramer? {
        guard let settings else { return nil }
        return try await pool.run { try FaceFramer(settings) }
    }

    /// Converts `source` framed on its face: the codec decodes once and hands over its upright overview, faces are
    /// looked for on it, `Framing.frame` decides the square in the full picture, and the codec renders that. With no
    /// face or several, the codec's own crop renders (`options.crop`, byte-identical to converting without faces).
    ///
    /// - Throws: `CodecError` naming the reason; a detector failure (out of memory) is `.failed`.
    @available(*, noasync, message: "blocking file and CPU work: run it on the BlockingPool")
    func convert(_ source: PhotoSource, options: ConvertOptions) throws(CodecError) -> (ConvertedPhoto, FaceFraming) {
        var decision: Framing?
        var found = 0
        var failure: FaceDetectionError?
        func decide(_ view: FramingView) -> PixelRect? {
            let overview = view.overview
            guard overview.width > 0, overview.height > 0 else { return nil }
            let small = SmallImage(width: overview.width, height: overview.height, rgb: overview.pixels)
            let faces: [Face]
            do {
                faces = try detector.detect(in: small)
            } catch {
                failure = error
                return nil
            }
            found = faces.count
            let picture = PixelSize(width: view.sourceWidth, height: view.sourceHeight)
            let framing = Framing.frame(
                picture: picture, faces: faces.map { $0.mapped(from: small.size, to: picture) },
                options: settings.framing)
            decision = framing
            guard framing.face != nil else { return nil }  // the fixed rule is the codec's own square
            let square = framing.square
            return PixelRect(x: square.x, y: square.y, width: square.side, height: square.side)
        }
        let photo: ConvertedPhoto
        switch source {
        case .bytes(let bytes):
            photo = try PhotoCodec.convert(
                bytes, options: options, overviewSide: settings.detectionSide, framing: decide)
        case .file(let path):
            photo = try PhotoCodec.convert(
                contentsOf: path, options: options, overviewSide: settings.detectionSide, framing: decide)
        }
        if let failure { throw CodecError(.failed, "face detection failed: \(failure.message)", file: source.file) }
        let face = decision?.face.map { FaceBox(x: $0.box.x, y: $0.box.y, width: $0.box.width, height: $0.box.height) }
        let flags = (decision?.flags.names ?? []).compactMap(FaceFraming.Flag.init(rawValue:))
        return (photo, FaceFraming(faceCount: found, face: face, flags: flags))
    }
}
