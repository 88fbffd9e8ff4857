import PhotoCodec
import PhotoProvisioning

extension ReportItem {
    /// Copies what the codec reports about a conversion: source and output facts, flags, the source preview
    /// (`ConvertOptions.previewSide` makes one) and, when `previewSide` is above zero, a small copy of the output.
    ///
    /// Test and benchmark code only: the pipeline records these facts in the journal, and reports read them there.
    @available(*, noasync, message: "blocking CPU work when previewSide > 0: run it on a worker")
    package mutating func record(_ photo: ConvertedPhoto, previewSide: Int = 80) {
        if previewSide > 0 { outputPreview = Self.preview(ofJPEG: photo.jpeg, side: previewSide) }
        sourceWidth = photo.sourceWidth
        sourceHeight = photo.sourceHeight
        sourceFormat = photo.sourceFormat.rawValue
        outputBytes = photo.jpeg.count
        outputWidth = photo.width
        outputHeight = photo.height
        outputQuality = photo.quality
        orientation = photo.orientation
        cropFraction = photo.cropFraction
        qualityLowered = photo.qualityLowered
        dimensionsLowered = photo.dimensionsLowered
        upscaleAvoided = photo.upscaleAvoided
        if let preview = photo.preview { sourcePreview = preview }
    }

    /// A small JPEG (longest side `side`, quality 70) of an encoded image; nil when it cannot be made.
    @available(*, noasync, message: "blocking CPU work: run it on a worker, not the cooperative pool")
    package static func preview(ofJPEG bytes: [UInt8], side: Int = 80) -> [UInt8]? {
        let options = ConvertOptions(maxSide: max(16, side), crop: .none, quality: 70, maxBytes: 64 * 1024)
        return try? PhotoCodec.convert(bytes, options: options).jpeg
    }
}
