// make_seeds DIR: writes small seed images for the fuzzer with the test fixture writers (Tests/CPhotoCodecFixtures):
// HEIC (oriented, with Exif, with a Display P3 colr profile, 10-bit), AVIF, WebP (lossy, lossless, alpha, animated,
// ICCP + EXIF), and JPEG/PNG with a Display P3 ICC profile. scripts/fuzz-codec builds and runs it; the output is
// committed in fuzz/seeds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static const char *folder;

static void save(const char *name, pc_buffer *buffer) {
    if (buffer->status) {
        fprintf(stderr, "make_seeds: %s: %s\n", name, buffer->message);
        exit(1);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *file = fopen(path, "wb");
    if (!file || fwrite(buffer->data, 1, buffer->size, file) != buffer->size || fclose(file)) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        exit(1);
    }
    pc_buffer_free(buffer);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    folder = argv[1];
    enum { W = 24, H = 16 };
    unsigned char rgb[W * H * 3], rgba[W * H * 4], second[W * H * 4];
    unsigned short deep[W * H * 3];
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int i = y * W + x;
            unsigned char r = (unsigned char)(x * 255 / (W - 1)), g = (unsigned char)(y * 255 / (H - 1));
            unsigned char b = (unsigned char)((x + y) * 6);
            rgb[i * 3] = r, rgb[i * 3 + 1] = g, rgb[i * 3 + 2] = b;
            rgba[i * 4] = r, rgba[i * 4 + 1] = g, rgba[i * 4 + 2] = b, rgba[i * 4 + 3] = (unsigned char)(x * 10);
            second[i * 4] = b, second[i * 4 + 1] = r, second[i * 4 + 2] = g, second[i * 4 + 3] = 255;
            for (int c = 0; c < 3; c++) deep[i * 3 + c] = (unsigned short)(rgb[i * 3 + c] * 4 + c);
        }
    }
    static const unsigned char exif[] = {'E', 'x', 'i', 'f', 0, 0, 0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
                                         0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    const double p3[6] = {0.680, 0.320, 0.265, 0.690, 0.150, 0.060};
    pc_buffer icc, out;
    if (pcfix_rgb_profile(p3, &icc)) return 1;

    pcfix_write_heif(rgb, W, H, 8, 0, 40, 6, exif, sizeof exif, NULL, 0, &out);
    save("gen-oriented.heic", &out);
    pcfix_write_heif(rgb, W, H, 8, 0, 40, 1, NULL, 0, icc.data, icc.size, &out);
    save("gen-p3.heic", &out);
    pcfix_write_heif((const unsigned char *)deep, W, H, 10, 0, 60, 1, NULL, 0, NULL, 0, &out);
    save("gen-10bit.heic", &out);
    pcfix_write_heif(rgb, W, H, 8, 1, 40, 3, NULL, 0, NULL, 0, &out);
    save("gen-rotated.avif", &out);
    pcfix_write_webp(rgb, W, H, 3, 0, 50, icc.data, icc.size, exif + 6, sizeof exif - 6, &out);
    save("gen-p3-exif.webp", &out);
    pcfix_write_webp(rgba, W, H, 4, 1, 0, NULL, 0, NULL, 0, &out);
    save("gen-alpha-lossless.webp", &out);
    unsigned char frames[2 * sizeof rgba];
    memcpy(frames, rgba, sizeof rgba);
    memcpy(frames + sizeof rgba, second, sizeof second);
    pcfix_write_animated_webp(frames, W, H, 2, &out);
    save("gen-animated.webp", &out);
    pcfix_write_png(rgb, W, H, 2, 8, 1, NULL, 0, icc.data, icc.size, &out);
    save("gen-p3-adam7.png", &out);
    // A JPEG with the profile in one APP2 ICC_PROFILE segment after SOI.
    pcfix_write_jpeg(rgb, W, H, 3, 60, 0, &out);
    size_t segment = 2 + 2 + 14 + icc.size;
    unsigned char *tagged = malloc(out.size + segment);
    memcpy(tagged, out.data, 2);
    unsigned char *p = tagged + 2;
    *p++ = 0xFF, *p++ = 0xE2, *p++ = (unsigned char)((segment - 2) >> 8), *p++ = (unsigned char)(segment - 2);
    memcpy(p, "ICC_PROFILE\0\1\1", 14);
    memcpy(p + 14, icc.data, icc.size);
    memcpy(tagged + 2 + segment, out.data + 2, out.size - 2);
    pc_buffer jpeg = {0, {0}, tagged, out.size + segment};
    pc_buffer_free(&out);
    save("gen-p3.jpg", &jpeg);
    pc_buffer_free(&icc);
    return 0;
}
