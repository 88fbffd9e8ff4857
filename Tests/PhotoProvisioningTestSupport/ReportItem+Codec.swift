import PhotoCodec
import PhotoProvisioning

extension ReportItem {
    /// A row built from loose facts, as test fixtures and the benchmark's sample run describe them.
    package init(
        line: Int? = nil, targetKind: TargetKind = .users, key: String, displayName: String? = nil,
        outcome: Outcome, reason: String? = nil, httpStatus: Int? = nil, requestID: String? = nil,
        sourcePath: String? = nil, photo: PhotoFacts = PhotoFacts(), sourcePreview: [UInt8]? = nil,
        outputPreview: [UInt8]? = nil
    ) {
        let record = ItemRecord(
            target: targetKind, key: key, line: line, sourcePath: sourcePath, photo: photo,
            reply: GraphReply(httpStatus: httpStatus, requestID: requestID), reason: reason)
        self.init(
            record, outcome: outcome, displayName: displayName, sourcePreview: sourcePreview,
            outputPreview: outputPreview)
    }

    /// Takes the facts of a conversion the way the pipeline records them, the source preview the codec made
    /// (`ConvertOptions.previewSide`), and, when `previewSide` is above zero, a small copy of the output.
    @available(*, noasync, message: "blocking CPU work when previewSide > 0: run it on a worker")
    package mutating func take(_ photo: ConvertedPhoto, previewSide: Int = 80) {
        if previewSide > 0 { outputPreview = Self.preview(ofJPEG: photo.jpeg, side: previewSide) }
        record.photo = PhotoFacts(
            sourceSHA256: record.photo.sourceSHA256, sourceBytes: record.photo.sourceBytes, converted: photo)
        if let preview = photo.preview { sourcePreview = preview }
    }

    /// A small JPEG (longest side `side`, quality 70) of an encoded image; nil when it cannot be made.
    @available(*, noasync, message: "blocking CPU work: run it on a worker, not the cooperative pool")
    package static func preview(ofJPEG bytes: [UInt8], side: Int = 80) -> [UInt8]? {
        let options = ConvertOptions(maxSide: max(16, side), crop: .none, quality: 70, maxBytes: 64 * 1024)
        return try? PhotoCodec.convert(bytes, options: options).jpeg
    }
}
