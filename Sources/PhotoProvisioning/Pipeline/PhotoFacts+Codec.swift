import PhotoCodec
import PhotoModel

extension PhotoFacts {
    /// The facts of one conversion: the one place the codec's result becomes the shared record.
    package init(
        sourceSHA256: String?, sourceBytes: Int?, converted photo: ConvertedPhoto, framing: FaceFraming? = nil
    ) {
        self.init(
            sourceSHA256: sourceSHA256, sourceBytes: sourceBytes, sourceWidth: photo.sourceWidth,
            sourceHeight: photo.sourceHeight, sourceFormat: photo.sourceFormat.rawValue, outputBytes: photo.jpeg.count,
            outputWidth: photo.width, outputHeight: photo.height, outputQuality: photo.quality,
            orientation: photo.orientation, cropFraction: photo.cropFraction, qualityLowered: photo.qualityLowered,
            dimensionsLowered: photo.dimensionsLowered, upscaleAvoided: photo.upscaleAvoided, framing: framing)
    }
}

extension GraphReply {
    /// What Graph answered, as an item records it.
    init(_ outcome: GraphOutcome) {
        self.init(httpStatus: outcome.httpStatus, graphCode: outcome.graphCode, requestID: outcome.requestID)
    }
}
