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
// color_type/bit_depth as in png.h, optional Adam7 and eXIf payload (TIFF bytes).
int pcfix_write_png(const unsigned char *pixels, int width, int height, int color_type, int bit_depth,
                    int interlaced, const unsigned char *exif, size_t exif_size, pc_buffer *out);

#endif
