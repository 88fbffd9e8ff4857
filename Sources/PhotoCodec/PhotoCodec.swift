import CPhotoCodec

/// Turns JPEG, PNG, HEIF/HEIC, AVIF and WebP images into profile-ready sRGB JPEGs through the C codec.
public enum PhotoCodec {
    /// Converts encoded image bytes (format sniffed by content).
    ///
    /// - Parameters:
    ///   - bytes: the whole encoded image.
    ///   - options: size, crop, quality, byte budget, background, pixel limit.
    /// - Throws: `CodecError` naming the reason; never crashes on bad input.
    @available(*, noasync, message: "blocking CPU work: run it on a worker, not the cooperative pool")
    public static func convert(_ bytes: [UInt8], options: ConvertOptions = ConvertOptions()) throws(CodecError)
        -> ConvertedPhoto
    {
        var settings = options.cOptions
        let result = ConvertResult()
        bytes.withUnsafeBufferPointer { buffer in
            _ = pc_convert(buffer.baseAddress, buffer.count, &settings, &result.raw)
        }
        return try photo(from: result)
    }

    /// Reads and converts the file at `path` (read in pieces, never whole); errors carry the path.
    @available(*, noasync, message: "blocking file and CPU work: run it on a worker, not the cooperative pool")
    public static func convert(contentsOf path: String, options: ConvertOptions = ConvertOptions()) throws(CodecError)
        -> ConvertedPhoto
    {
        var settings = options.cOptions
        let result = ConvertResult()
        _ = pc_convert_file(path, &settings, &result.raw)
        do {
            return try photo(from: result)
        } catch {
            var named = error
            named.file = path
            throw named
        }
    }

    static func photo(from result: ConvertResult) throws(CodecError) -> ConvertedPhoto {
        try CodecError.check(result.raw.status, result.raw.message)
        let raw = result.raw
        return ConvertedPhoto(
            jpeg: copyBytes(raw.jpeg, raw.jpeg_size), width: Int(raw.width), height: Int(raw.height),
            quality: Int(raw.quality), sourceFormat: ImageFormat(code: raw.format) ?? .jpeg,
            sourceWidth: Int(raw.source_width), sourceHeight: Int(raw.source_height),
            orientation: Int(raw.orientation), cropFraction: raw.crop_fraction,
            qualityLowered: raw.quality_lowered != 0, dimensionsLowered: raw.dimensions_lowered != 0,
            upscaleAvoided: raw.upscale_avoided != 0,
            preview: raw.preview == nil ? nil : copyBytes(raw.preview, raw.preview_size),
            warning: text(raw.warning),
            crop: PixelRect(
                x: Int(raw.crop_x), y: Int(raw.crop_y), width: Int(raw.crop_width), height: Int(raw.crop_height)),
            decodedTwice: raw.redecoded != 0
        )
    }

    /// Decodes an image to upright 8-bit sRGB at full resolution: orientation applied, colour profile converted,
    /// transparency flattened onto white.
    ///
    /// - Parameters:
    ///   - bytes: the whole encoded image.
    ///   - maxPixels: images declaring more pixels are refused before their pixels are allocated.
    ///   - maxMemory: images whose full decode would need more bytes are refused from their header.
    /// - Throws: `CodecError` naming the reason.
    @available(*, noasync, message: "blocking CPU work: run it on a worker, not the cooperative pool")
    public static func decode(
        _ bytes: [UInt8], maxPixels: Int = 100_000_000, maxMemory: Int = ConvertOptions.defaultMaxMemory
    ) throws(CodecError) -> RGBImage {
        let image = DecodedImage()
        bytes.withUnsafeBufferPointer { buffer in
            _ = pc_decode(buffer.baseAddress, buffer.count, Int64(maxPixels), Int64(maxMemory), nil, &image.raw)
        }
        return try rgbImage(from: image)
    }

    static func rgbImage(from image: DecodedImage) throws(CodecError) -> RGBImage {
        try CodecError.check(image.raw.status, image.raw.message)
        let width = Int(image.raw.width), height = Int(image.raw.height)
        return RGBImage(width: width, height: height, pixels: copyBytes(image.raw.pixels, width * height * 3))
    }

    /// Reads and decodes the file at `path` (see `decode(_:maxPixels:maxMemory:)`); errors carry the path.
    @available(*, noasync, message: "blocking file and CPU work: run it on a worker, not the cooperative pool")
    public static func decode(
        contentsOf path: String, maxPixels: Int = 100_000_000, maxMemory: Int = ConvertOptions.defaultMaxMemory
    ) throws(CodecError) -> RGBImage {
        let image = DecodedImage()
        _ = pc_decode_file(path, Int64(maxPixels), Int64(maxMemory), nil, &image.raw)
        do {
            return try rgbImage(from: image)
        } catch {
            var named = error
            named.file = path
            throw named
        }
    }

    /// Encodes pixels as a baseline 4:2:0 JPEG with optimised Huffman tables and no metadata.
    ///
    /// - Parameters:
    ///   - image: the pixels (at least 1×1).
    ///   - quality: JPEG quality 1–100.
    /// - Throws: `CodecError` when the image is empty or the encoder fails.
    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws(CodecError) -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            throw CodecError(.failed, "cannot encode an empty \(image.width)x\(image.height) image")
        }
        let buffer = EncodedBuffer()
        image.pixels.withUnsafeBufferPointer { pixels in
            _ = pc_encode_jpeg(
                pixels.baseAddress, Int32(clamping: image.width), Int32(clamping: image.height),
                Int32(clamping: quality), &buffer.raw)
        }
        try CodecError.check(buffer.raw.status, buffer.raw.message)
        return buffer.bytes
    }

    /// The format of encoded bytes, judged by content; nil when none the codec reads.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        ImageFormat(code: bytes.withUnsafeBufferPointer { pc_sniff($0.baseAddress, $0.count) })
    }
}

extension ImageFormat {
    /// The format for a C `PC_FORMAT_*` code; nil for `PC_FORMAT_UNKNOWN`.
    init?(code: Int32) {
        switch code {
        case Int32(PC_FORMAT_JPEG): self = .jpeg
        case Int32(PC_FORMAT_PNG): self = .png
        case Int32(PC_FORMAT_HEIF): self = .heif
        case Int32(PC_FORMAT_AVIF): self = .avif
        case Int32(PC_FORMAT_WEBP): self = .webp
        default: return nil
        }
    }
}
