import CPhotoCodec

/// What a framing decision sees: the whole upright picture, small, and the coordinates its answer is given in.
public struct FramingView: Sendable {
    /// The whole upright, colour-managed, flattened picture fitting the overview box (never upscaled).
    public let overview: RGBImage
    /// The upright full-resolution size: crops are rectangles of this.
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// What `ConvertOptions.crop` alone would cut (today's rule), in the same coordinates.
    public let defaultCrop: PixelRect
    /// The source's format.
    public let format: ImageFormat

    /// Full-resolution pixels per overview pixel: multiply an overview position by it to get a source position.
    public var scale: Double { Double(sourceWidth) / Double(max(1, overview.width)) }
}

extension PhotoCodec {
    /// Converts with a caller's framing: decodes and orients once, hands `framing` a small upright copy, then crops
    /// the rectangle it returns (nil: the options' own framing, byte-identical to `convert(_:options:)`), resamples
    /// and encodes. The decode keeps enough pixels for the default frame; a rectangle that would get fewer than
    /// the output needs from them is decoded again at a larger scale (`ConvertedPhoto.decodedTwice`).
    ///
    /// - Parameters:
    ///   - bytes: the whole encoded image.
    ///   - options: as for `convert`; `crop` is the fallback framing.
    ///   - overviewSide: the longest side of the picture `framing` sees (default 512).
    ///   - framing: the decision; runs once, on this thread.
    /// - Throws: `CodecError` naming the reason; a rectangle outside the picture is `.failed`.
    @available(*, noasync, message: "blocking CPU work: run it on a worker, not the cooperative pool")
    public static func convert(
        _ bytes: [UInt8], options: ConvertOptions = ConvertOptions(), overviewSide: Int = 512,
        framing: (FramingView) -> PixelRect?
    ) throws(CodecError) -> ConvertedPhoto {
        var settings = options.cOptions
        let session = DecodeSession()
        // The session may decode the bytes again: everything happens while they are borrowed.
        return try bytes.withUnsafeBufferPointer { (buffer) throws(CodecError) -> ConvertedPhoto in
            _ = pc_session_open(
                buffer.baseAddress, buffer.count, &settings, Int32(clamping: overviewSide), &session.raw,
                &session.info)
            return try frame(session, overviewSide: overviewSide, framing: framing)
        }
    }

    /// `convert(_:options:overviewSide:framing:)` for the file at `path` (read in pieces); errors carry the path.
    @available(*, noasync, message: "blocking file and CPU work: run it on a worker, not the cooperative pool")
    public static func convert(
        contentsOf path: String, options: ConvertOptions = ConvertOptions(), overviewSide: Int = 512,
        framing: (FramingView) -> PixelRect?
    ) throws(CodecError) -> ConvertedPhoto {
        var settings = options.cOptions
        let session = DecodeSession()
        _ = pc_session_open_file(path, &settings, Int32(clamping: overviewSide), &session.raw, &session.info)
        do {
            return try frame(session, overviewSide: overviewSide, framing: framing)
        } catch {
            var named = error
            named.file = path
            throw named
        }
    }

    private static func frame(
        _ session: DecodeSession, overviewSide: Int, framing: (FramingView) -> PixelRect?
    ) throws(CodecError) -> ConvertedPhoto {
        try CodecError.check(session.info.status, session.info.message)
        let image = DecodedImage()
        _ = pc_session_overview(session.raw, Int32(clamping: overviewSide), &image.raw)
        let info = session.info
        let view = FramingView(
            overview: try rgbImage(from: image), sourceWidth: Int(info.upright_width),
            sourceHeight: Int(info.upright_height),
            defaultCrop: PixelRect(
                x: Int(info.crop_x), y: Int(info.crop_y), width: Int(info.crop_width), height: Int(info.crop_height)),
            format: ImageFormat(code: info.format) ?? .jpeg)
        let result = ConvertResult()
        if let rect = framing(view) {
            var crop = pc_crop(
                x: Int32(clamping: rect.x), y: Int32(clamping: rect.y), width: Int32(clamping: rect.width),
                height: Int32(clamping: rect.height))
            _ = pc_session_render(session.raw, &crop, &result.raw)
        } else {
            _ = pc_session_render(session.raw, nil, &result.raw)
        }
        return try photo(from: result)
    }
}
