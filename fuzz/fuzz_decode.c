// libFuzzer entry for the C codec: every input goes through pc_decode, pc_convert and the staged API (options and
// crop varied by the input's last byte) under AddressSanitizer and UBSan: JPEG, PNG, HEIF/AVIF and WebP, with their
// ICC profiles through Little CMS. Build and run with scripts/fuzz-codec.
#include <stddef.h>
#include <stdint.h>

#include "photocodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // Small pixel and memory limits keep every run fast; the guards themselves are part of what is tested.
    const long long max_pixels = 1000 * 1000;
    const long long max_memory = 64 * 1024 * 1024;
    pc_image image;
    pc_decode(data, size, max_pixels, max_memory, NULL, &image);
    pc_image_free(&image);

    unsigned char knob = size ? data[size - 1] : 0;
    pc_convert_options options;
    pc_convert_options_init(&options);
    options.max_pixels = max_pixels;
    options.max_memory = max_memory;
    options.max_side = 16 + (knob & 0x3f) * 4;
    options.crop = (knob & 0x40) ? PC_CROP_NONE : PC_CROP_SQUARE;
    options.max_bytes = (knob & 0x80) ? 1500 : 4 * 1024 * 1024;
    options.preview_side = (knob & 0x10) ? 32 : 0;
    options.background[0] = knob;
    pc_convert_result result;
    if (knob & 0x20) {
        pc_convert(data, size, &options, &result);
        pc_convert_result_free(&result);
        return 0;
    }
    // Staged: open, overview, then a caller's crop (a small one forces the second decode).
    pc_session *session = NULL;
    pc_session_info info;
    if (pc_session_open(data, size, &options, 64, &session, &info) == PC_OK) {
        pc_session_overview(session, 64, &image);
        pc_image_free(&image);
        int side = info.upright_width < info.upright_height ? info.upright_width : info.upright_height;
        side = side * (1 + (knob & 7)) / 8;
        pc_crop crop = {(info.upright_width - side) / 2, 0, side > 0 ? side : 1, side > 0 ? side : 1};
        pc_session_render(session, &crop, &result);
        pc_convert_result_free(&result);
        pc_session_free(session);
    }
    return 0;
}
