#ifndef PHOTOCODEC_INTERNAL_H
#define PHOTOCODEC_INTERNAL_H
// Internal interfaces between the codec's C files; nothing here is exported to Swift. All of it is C because it
// runs inside libjpeg/libpng's setjmp scopes or works on their pixel buffers; the functions are hidden from the
// shared-object symbol table (PC_INTERNAL) so only the pc_ API in photocodec.h is visible.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "photocodec.h"

#define PC_INTERNAL __attribute__((visibility("hidden")))

/// A status code with its message, written once: the first failure wins.
typedef struct pc_status {
    int code;
    char message[PC_MESSAGE_SIZE];
} pc_status;

// ---- common.c: shared by every codec file ---------------------------------------------------------------------

/// Records a failure (lower-casing the first letter) unless one is already recorded.
PC_INTERNAL void pc_fail(pc_status *status, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// Multiplies without overflow; 0 when the product does not fit.
PC_INTERNAL size_t pc_mul3(size_t a, size_t b, size_t c);

/// A growable byte buffer (encoder output, assembled ICC profiles).
typedef struct pc_bytes {
    unsigned char *data;
    size_t size, capacity;
} pc_bytes;

/// Makes room for at least `capacity` bytes (growing geometrically). Returns 0, or -1 out of memory.
PC_INTERNAL int pc_bytes_reserve(pc_bytes *bytes, size_t capacity);

/// Appends `count` bytes. Returns 0, or -1 out of memory.
PC_INTERNAL int pc_bytes_append(pc_bytes *bytes, const void *data, size_t count);

/// Frees the bytes and empties the buffer.
PC_INTERNAL void pc_bytes_free(pc_bytes *bytes);

// ---- exif.c ---------------------------------------------------------------------------------------------------

/// Reads the orientation tag (1-8) from TIFF-structured EXIF bytes (with or without "Exif\0\0"); 1 if absent.
PC_INTERNAL int pc_exif_orientation(const unsigned char *data, size_t size);

/// Decoded pixels in stored orientation, possibly DCT-scaled: RGB8, alpha already flattened.
typedef struct pc_pixels {
    unsigned char *rgb;
    int width, height;          // of rgb
    int source_width, source_height; // full declared size
    int orientation;            // EXIF 1-8
} pc_pixels;

/// Where encoded bytes come from: a memory buffer or an open file (read in pieces).
typedef struct pc_source {
    const unsigned char *data;  // memory input, or NULL
    FILE *file;                 // file input, or NULL
    size_t size;                // total bytes
    unsigned char head[64];     // the first bytes, for sniffing and header checks
    size_t head_size;
} pc_source;

/// Chooses the libjpeg scale numerator (1-8, denominator 8) once the header and orientation are known.
typedef int (*pc_scale_chooser)(void *context, int width, int height, int orientation);

/// Decodes a JPEG; `choose` may be NULL for full size. Returns PC_OK or the code recorded in `status`.
PC_INTERNAL int pc_jpeg_decode(const pc_source *source, long long max_pixels, long long max_memory,
                   pc_scale_chooser choose, void *choose_context, pc_pixels *out, pc_status *status);

/// Decodes a PNG to RGB flattened onto `background`.
PC_INTERNAL int pc_png_decode(const pc_source *source, long long max_pixels, const unsigned char background[3],
                  pc_pixels *out, pc_status *status);

/// Encodes RGB8 as a baseline, 4:2:0, optimised-Huffman JPEG into `out` (replacing its contents).
PC_INTERNAL int pc_jpeg_encode(const unsigned char *rgb, int width, int height, int quality, pc_bytes *out,
                               pc_status *status);

/// A rectangle in continuous pixel coordinates.
typedef struct pc_rect {
    double x, y, w, h;
} pc_rect;

/// Maps a rectangle of the upright image (size uw×uh) to stored coordinates for `orientation`.
PC_INTERNAL pc_rect pc_rect_to_stored(pc_rect upright, int uw, int uh, int orientation);

/// Lanczos3 resample of `region` of src (sw×sh RGB8) to dst (dw×dh RGB8). Returns 0, or -1 out of memory.
PC_INTERNAL int pc_resample(const unsigned char *src, int sw, int sh, pc_rect region, unsigned char *dst, int dw,
                            int dh);

/// Turns stored-orientation pixels (w×h, RGB8) into upright ones in dst (w*h*3 bytes; upright size is h×w for
/// orientations 5-8).
PC_INTERNAL void pc_orient(const unsigned char *src, int w, int h, int orientation, unsigned char *dst);

#endif
