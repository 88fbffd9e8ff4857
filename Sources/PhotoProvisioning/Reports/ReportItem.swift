import PhotoModel

/// One row of a report: who, what happened, and what the photo looked like before and after.
///
/// A plain value filled from the journal (or the pipeline) by whoever writes the report; every fact that may be
/// unknown is optional and shows as empty in the CSV, `null` in the JSON and is left out of the HTML.
public struct ReportItem: Sendable, Hashable {
    /// The 1-based line or row of the source (CSV line, or position in a folder listing), when known.
    public var line: Int?
    /// User, group or team.
    public var targetKind: TargetKind
    /// The UPN or object id the photo is for, as given by the source.
    public var key: String
    /// The person's display name, when the directory or the source gave one.
    public var displayName: String?
    /// What happened.
    public var outcome: Outcome
    /// Why, in words (error message, skip reason); nil when there is nothing to say.
    public var reason: String?
    /// The HTTP status of the last Graph response for this item, when there was one.
    public var httpStatus: Int?
    /// Graph's `request-id` for the last response, for support cases.
    public var requestID: String?

    /// The image file as the source named it.
    public var sourcePath: String?
    /// The image file's size in bytes.
    public var sourceBytes: Int?
    /// The source's width in pixels as stored (before orientation).
    public var sourceWidth: Int?
    /// The source's height in pixels as stored (before orientation).
    public var sourceHeight: Int?
    /// The source's format by content (`jpeg`, `png`).
    public var sourceFormat: String?

    /// The converted JPEG's size in bytes.
    public var outputBytes: Int?
    /// The converted JPEG's width in pixels.
    public var outputWidth: Int?
    /// The converted JPEG's height in pixels.
    public var outputHeight: Int?
    /// The JPEG quality used for the output.
    public var outputQuality: Int?

    /// The EXIF orientation that was applied (1 = upright, 1–8).
    public var orientation: Int?
    /// The share (0–1) of the upright source's area the crop cut away.
    public var cropFraction: Double?
    /// Whether the quality was lowered to meet the byte budget.
    public var qualityLowered: Bool
    /// Whether the dimensions were lowered below the box to meet the byte budget.
    public var dimensionsLowered: Bool
    /// Whether the source was smaller than the box and so not enlarged.
    public var upscaleAvoided: Bool

    /// A small JPEG (or PNG) of the whole upright source, embedded in the HTML; keep it around 64–96 px.
    public var sourcePreview: [UInt8]?
    /// A small JPEG (or PNG) of the photo as uploaded (or as it would be), embedded in the HTML; same size advice.
    public var outputPreview: [UInt8]?

    /// Creates an item; everything but the key and outcome is optional.
    public init(
        line: Int? = nil, targetKind: TargetKind = .users, key: String, displayName: String? = nil,
        outcome: Outcome, reason: String? = nil, httpStatus: Int? = nil, requestID: String? = nil,
        sourcePath: String? = nil, sourceBytes: Int? = nil, sourceWidth: Int? = nil, sourceHeight: Int? = nil,
        sourceFormat: String? = nil, outputBytes: Int? = nil, outputWidth: Int? = nil, outputHeight: Int? = nil,
        outputQuality: Int? = nil, orientation: Int? = nil, cropFraction: Double? = nil, qualityLowered: Bool = false,
        dimensionsLowered: Bool = false, upscaleAvoided: Bool = false, sourcePreview: [UInt8]? = nil,
        outputPreview: [UInt8]? = nil
    ) {
        self.line = line
        self.targetKind = targetKind
        self.key = key
        self.displayName = displayName
        self.outcome = outcome
        self.reason = reason
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.sourcePath = sourcePath
        self.sourceBytes = sourceBytes
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.sourceFormat = sourceFormat
        self.outputBytes = outputBytes
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
        self.outputQuality = outputQuality
        self.orientation = orientation
        self.cropFraction = cropFraction
        self.qualityLowered = qualityLowered
        self.dimensionsLowered = dimensionsLowered
        self.upscaleAvoided = upscaleAvoided
        self.sourcePreview = sourcePreview
        self.outputPreview = outputPreview
    }

    /// The flags worth a human look, in `ReportFlag.allCases` order.
    public var flags: [ReportFlag] {
        ReportFlag.allCases.filter { flag in
            switch flag {
            case .lowResolution:
                guard let width = sourceWidth, let height = sourceHeight else { return false }
                return min(width, height) < ReportFlag.lowResolutionSide
            case .upscaleAvoided: return upscaleAvoided
            case .heavyCrop: return (cropFraction ?? 0) > ReportFlag.heavyCropFraction
            case .qualityLowered: return qualityLowered
            case .dimensionsLowered: return dimensionsLowered
            case .exifRotated: return (orientation ?? 1) != 1
            }
        }
    }

    /// The name people know: the display name when there is one, else the key.
    public var title: String {
        if let displayName, !displayName.isEmpty { return displayName }
        return key
    }
}
