/// What is known about one item's photo: the source file as read, and what the codec made of it.
///
/// The one record of these facts: the pipeline fills it once from the codec's result, the journal stores it, and
/// reports show it. Facts not known yet (an unchanged photo is never converted) are `nil`.
public struct PhotoFacts: Sendable, Hashable, Codable {
    /// The source file's SHA-256, lower-case hex: what sync compares.
    public var sourceSHA256: String?
    /// The source file's size in bytes.
    public var sourceBytes: Int?
    /// The source's pixel size as stored (before EXIF orientation).
    public var sourceWidth: Int?
    public var sourceHeight: Int?
    /// The source's format by content (`jpeg`, `png`, …).
    public var sourceFormat: String?
    /// The JPEG made for Graph: its size in bytes, pixels and quality.
    public var outputBytes: Int?
    public var outputWidth: Int?
    public var outputHeight: Int?
    public var outputQuality: Int?
    /// The EXIF orientation applied, 1–8 (1 = upright).
    public var orientation: Int?
    /// The share (0–1) of the upright source's area the crop cut away.
    public var cropFraction: Double?
    /// Whether the quality was lowered to meet the byte budget.
    public var qualityLowered: Bool
    /// Whether the dimensions were lowered below the box to meet the byte budget.
    public var dimensionsLowered: Bool
    /// Whether the source was smaller than the box and so not enlarged.
    public var upscaleAvoided: Bool
    /// What face framing found and did (`--crop auto`); nil when the photo was framed without it.
    public var framing: FaceFraming?

    /// Creates facts; everything unknown by default.
    public init(
        sourceSHA256: String? = nil, sourceBytes: Int? = nil, sourceWidth: Int? = nil, sourceHeight: Int? = nil,
        sourceFormat: String? = nil, outputBytes: Int? = nil, outputWidth: Int? = nil, outputHeight: Int? = nil,
        outputQuality: Int? = nil, orientation: Int? = nil, cropFraction: Double? = nil, qualityLowered: Bool = false,
        dimensionsLowered: Bool = false, upscaleAvoided: Bool = false, framing: FaceFraming? = nil
    ) {
        self.sourceSHA256 = sourceSHA256
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
        self.framing = framing
    }
}

/// Graph's answer to an item's last request, kept for people and for Microsoft support.
public struct GraphReply: Sendable, Hashable, Codable {
    /// The HTTP status.
    public var httpStatus: Int?
    /// The Graph error code, e.g. `Request_ResourceNotFound`.
    public var graphCode: String?
    /// The response's `request-id`.
    public var requestID: String?

    /// Creates a reply record.
    public init(httpStatus: Int? = nil, graphCode: String? = nil, requestID: String? = nil) {
        self.httpStatus = httpStatus
        self.graphCode = graphCode
        self.requestID = requestID
    }
}
