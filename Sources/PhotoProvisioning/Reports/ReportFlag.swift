import PhotoModel

/// Something about a photo worth a human look, computed from a `ReportItem`'s facts.
///
/// The raw value is the stable spelling in report.json (`flags` array) and report.csv (`flags` column, `;`-separated).
public enum ReportFlag: String, Sendable, Hashable, CaseIterable, Codable {
    /// Face framing (`--crop auto`) found no face: framed by the fixed rule.
    case noFace = "no-face"
    /// Face framing found several faces of comparable size: framed by the fixed rule, not on one of them.
    case severalFaces = "several-faces"
    /// The face is cut by the picture's edge or too near it to be framed as the rule wants.
    case faceAtEdge = "face-at-edge"
    /// The source's short side is under `lowResolutionSide` pixels: the face will look soft.
    case lowResolution = "low-resolution"
    /// The source was smaller than the output box, so it was kept at its size instead of being enlarged.
    case upscaleAvoided = "upscale-avoided"
    /// The crop cut away more than `heavyCropFraction` of the picture: check the face is still in frame. Not raised
    /// for a photo framed on its detected face, whose crop is tight by design.
    case heavyCrop = "heavy-crop"
    /// The JPEG quality was lowered to fit the byte budget.
    case qualityLowered = "quality-lowered"
    /// The output was made smaller than the box to fit the byte budget.
    case dimensionsLowered = "dimensions-lowered"
    /// The source carried an EXIF orientation other than 1, so it was turned upright.
    case exifRotated = "exif-rotated"

    /// Sources whose shorter side is below this many pixels are flagged `lowResolution`.
    public static let lowResolutionSide = 240
    /// Crops cutting away more than this share of the upright source's area are flagged `heavyCrop`.
    public static let heavyCropFraction = 0.40

    /// The flags `photo` deserves, in `allCases` order.
    public static func flags(of photo: PhotoFacts) -> [ReportFlag] {
        allCases.filter { flag in
            switch flag {
            case .noFace, .severalFaces, .faceAtEdge:  // the same spellings as the framing's own flags
                return photo.framing?.flags.contains { $0.rawValue == flag.rawValue } ?? false
            case .lowResolution:
                guard let width = photo.sourceWidth, let height = photo.sourceHeight else { return false }
                return min(width, height) < lowResolutionSide
            case .upscaleAvoided: return photo.upscaleAvoided
            case .heavyCrop: return photo.framing?.face == nil && (photo.cropFraction ?? 0) > heavyCropFraction
            case .qualityLowered: return photo.qualityLowered
            case .dimensionsLowered: return photo.dimensionsLowered
            case .exifRotated: return (photo.orientation ?? 1) != 1
            }
        }
    }

    /// A short label for people.
    public var label: String {
        switch self {
        case .noFace: "No face"
        case .severalFaces: "Several faces"
        case .faceAtEdge: "Face at edge"
        case .lowResolution: "Low resolution"
        case .upscaleAvoided: "Upscaling avoided"
        case .heavyCrop: "Heavy crop"
        case .qualityLowered: "Quality lowered"
        case .dimensionsLowered: "Size lowered"
        case .exifRotated: "EXIF-rotated"
        }
    }

    /// One sentence saying why the flag matters, shown as the flag's tooltip and in the HTML legend.
    public var explanation: String {
        switch self {
        case .noFace: "No face was found, so the photo was cropped by the fixed rule; check it shows the person."
        case .severalFaces: "Several faces were found, so the photo was cropped by the fixed rule; is it a group photo?"
        case .faceAtEdge: "The face is cut by the picture's edge or too close to it to be centred; check the framing."
        case .lowResolution: "The source's shorter side is under \(Self.lowResolutionSide) px; the photo may look soft."
        case .upscaleAvoided: "The source is smaller than the output size and was not enlarged."
        case .heavyCrop:
            "The crop removed more than \(Int(Self.heavyCropFraction * 100))% of the picture; check the face is in frame."
        case .qualityLowered: "JPEG quality was lowered to fit the byte budget."
        case .dimensionsLowered: "The output was made smaller than asked to fit the byte budget."
        case .exifRotated: "The camera stored the photo sideways; it was turned upright from its EXIF orientation."
        }
    }
}
