#ifndef PHOTOCODEC_FIXTURES_H
#define PHOTOCODEC_FIXTURES_H
// Test-only image writers: fixtures are made by code with the real encoders (libjpeg, libpng), never checked in.
// Kept out of the CPhotoCodec product; only Tests/PhotoCodecTests links them (through PhotoCodecTestSupport).
#include <stddef.h>

#include "photocodec.h"

/// Flags for pcfix_write_jpeg.
enum {
    PCFIX_PROGRESSIVE = 1,
    PCFIX_ARITHMETIC = 2,
    PCFIX_YCCK = 4,        // 4-component input stored as YCCK instead of CMYK (both with an Adobe marker)
    PCFIX_SCAN_FLOOD = 8,  // grey only: a valid progressive file with 631 scans (one per coefficient and bit)
};

// In C because it drives libjpeg's compressor (longjmp errors): components 1 (grey), 3 (RGB) or 4 (CMYK as given:
// Adobe convention is inverted ink), optional flags, no APP1. Release `out` with pc_buffer_free.
int pcfix_write_jpeg(const unsigned char *pixels, int width, int height, int components, int quality, int flags,
                     pc_buffer *out);

// In C because it drives libpng's writer (longjmp errors): PNG's native sample layout (16-bit samples big-endian),
// color_type/bit_depth as in png.h, optional Adam7, eXIf payload (TIFF bytes) and iCCP profile.
int pcfix_write_png(const unsigned char *pixels, int width, int height, int color_type, int bit_depth,
                    int interlaced, const unsigned char *exif, size_t exif_size, const unsigned char *icc,
                    size_t icc_size, pc_buffer *out);

// In C because it drives libwebp's encoder and muxer: RGB (channels 3) or RGBA (4), lossy at `quality` or
// lossless, with optional ICCP and EXIF chunks.
int pcfix_write_webp(const unsigned char *pixels, int width, int height, int channels, int lossless, int quality,
                     const unsigned char *icc, size_t icc_size, const unsigned char *exif, size_t exif_size,
                     pc_buffer *out);

// In C because it drives libwebp's animation encoder: `frames` RGBA frames of width*height, 100 ms each, lossless.
int pcfix_write_animated_webp(const unsigned char *rgba, int width, int height, int frames, pc_buffer *out);

// In C because it drives libheif's encoder: RGB pixels (stored orientation; bits > 8: 16-bit little-endian
// samples of that depth) as HEIC (x265) or AVIF (aom) at `quality`, with irot/imir written for EXIF-style
// `orientation` (1-8), an optional Exif block (TIFF bytes) and ICC.
int pcfix_write_heif(const unsigned char *rgb, int width, int height, int bits, int avif, int quality, int orientation,
                     const unsigned char *exif, size_t exif_size, const unsigned char *icc, size_t icc_size,
                     pc_buffer *out);

// In C because it drives libjpeg/libpng row by row: a large synthetic picture (smooth gradients; JPEGs with a light
// deterministic grain, so they compress like photos) written to `path` without ever holding its pixels: kind 0 PNG, 1 Adam7 RGBA PNG, 2 baseline
// JPEG, 3 progressive JPEG (libjpeg itself holds the coefficients then).
int pcfix_write_large(const char *path, int kind, int width, int height, pc_buffer *status);

// In C because it drives Little CMS: an ICC v4 RGB profile with the given primaries (x, y of red, green, blue),
// a D65 white and the sRGB tone curve — Display P3 with the P3 primaries.
int pcfix_rgb_profile(const double primaries[6], pc_buffer *out);

#endif
