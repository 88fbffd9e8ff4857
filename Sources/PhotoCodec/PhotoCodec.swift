import CPhotoCodec

/// Turns JPEG and PNG images into profile-ready JPEGs through the C codec.
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
        throw CodecError(.failed, "codec not implemented yet")
    }

    /// Reads and converts the file at `path`; errors carry the path.
    @available(*, noasync, message: "blocking file and CPU work: run it on a worker, not the cooperative pool")
    public static func convert(contentsOf path: String, options: ConvertOptions = ConvertOptions()) throws(CodecError)
        -> ConvertedPhoto
    {
        throw CodecError(.failed, "codec not implemented yet", file: path)
    }
}
