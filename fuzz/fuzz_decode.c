// libFuzzer entry for the C codec: every input goes through pc_decode and pc_convert (options varied by the input's
// last byte) under AddressSanitizer and UBSan. Build and run with scripts/fuzz-codec.
#include <stddef.h>
#include <stdint.h>

#include "photocodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Small pixel and memory limits keep every run fast; the guards themselves are part of what is tested.
    const long long max_pixels = 1000 * 1000;
    pc_image image;
    pc_decode(data, size, max_pixels, NULL, &image);
    pc_image_free(&image);

    unsigned char knob = size ? data[size - 1] : 0;
    pc_convert_options options;
    pc_convert_options_init(&options);
    options.max_pixels = max_pixels;
    options.max_decoder_memory = 64 * 1024 * 1024;
    options.max_side = 16 + (knob & 0x3f) * 4;
    options.crop = (knob & 0x40) ? PC_CROP_NONE : PC_CROP_SQUARE;
    options.max_bytes = (knob & 0x80) ? 1500 : 4 * 1024 * 1024;
    options.preview_side = (knob & 0x10) ? 32 : 0;
    options.background[0] = knob;
    pc_convert_result result;
    pc_convert(data, size, &options, &result);
    pc_convert_result_free(&result);
    return 0;
}
