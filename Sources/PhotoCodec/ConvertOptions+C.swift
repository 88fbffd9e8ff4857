import CPhotoCodec

extension ConvertOptions {
    /// The options as the C codec takes them (its own defaults for anything Swift does not set).
    var cOptions: pc_convert_options {
        var settings = pc_convert_options()
        pc_convert_options_init(&settings)
        settings.max_side = Int32(clamping: maxSide)
        settings.crop = crop == .square ? Int32(PC_CROP_SQUARE) : Int32(PC_CROP_NONE)
        settings.quality = Int32(clamping: quality)
        settings.max_bytes = Int64(maxBytes)
        settings.background = (background.red, background.green, background.blue)
        settings.max_pixels = Int64(maxPixels)
        settings.preview_side = Int32(clamping: previewSide)
        settings.max_memory = Int64(maxMemory)
        return settings
    }
}
