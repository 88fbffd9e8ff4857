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

// ---- colour.c ---------------------------------------------------------------------------------------------------

/// Pixel layouts a colour transform reads: RGB8, RGBA8 (alpha kept), CMYK8 as plain or Adobe-inverted ink.
enum { PC_COLOUR_RGB = 1, PC_COLOUR_RGBA = 2, PC_COLOUR_CMYK = 3, PC_COLOUR_CMYK_INVERTED = 4 };

/// A transform to sRGB, or none (no profile, an sRGB profile, or a broken one: then `warning` says why).
typedef struct pc_colour {
    void *context;    // cmsContext, one per image
    void *transform;  // cmsHTRANSFORM, or NULL: pixels are sRGB already
    int kind;
    char warning[PC_MESSAGE_SIZE];
} pc_colour;

/// Prepares the transform from an embedded ICC profile for pixels of `kind`; a profile that cannot be used leaves
/// no transform and a warning (the pixels are then taken as sRGB).
PC_INTERNAL void pc_colour_open_icc(pc_colour *colour, const unsigned char *icc, size_t size, int kind);

/// The same from an H.273 (nclx) description, as HEIF and AVIF carry it: primaries and transfer codes.
PC_INTERNAL void pc_colour_open_nclx(pc_colour *colour, int primaries, int transfer, int kind);

/// Transforms `pixels` pixels; out may equal in. RGB and CMYK kinds write RGB8, RGBA writes RGBA8.
PC_INTERNAL void pc_colour_rows(const pc_colour *colour, const unsigned char *in, unsigned char *out,
                                size_t pixels);

/// Frees the transform and its context.
PC_INTERNAL void pc_colour_close(pc_colour *colour);

// ---- decoders -------------------------------------------------------------------------------------------------

/// Decoded pixels in stored orientation, possibly reduced (DCT-scaled or block-averaged): sRGB RGB8, alpha
/// already flattened.
typedef struct pc_pixels {
    unsigned char *rgb;
    int width, height;                // of rgb
    int source_width, source_height;  // full declared size
    double scale_x, scale_y;          // rgb pixels per source pixel
    int orientation;                  // EXIF 1-8 still to apply (1 when the format applied its own transforms)
    char warning[PC_MESSAGE_SIZE];    // a problem that did not stop the decode (a broken colour profile)
} pc_pixels;

/// Where encoded bytes come from: a memory buffer or an open file (read in pieces).
typedef struct pc_source {
    const unsigned char *data;  // memory input, or NULL
    FILE *file;                 // file input, or NULL
    size_t size;                // total bytes
    unsigned char head[64];     // the first bytes, for sniffing and header checks
    size_t head_size;
} pc_source;

/// What the caller asks of a decoder: limits, flattening, and how far to reduce once the header is known.
typedef struct pc_request {
    long long max_pixels;               // declared width*height above this is refused before decoding
    long long max_memory;               // the memory budget of the whole conversion (0: none)
    long long reserved;                 // the part of it the later stages (resampling, encoding) need
    const unsigned char *background;    // RGB that transparency is flattened onto
    /// The libjpeg scale numerator (1-8, denominator 8) for a JPEG of this stored size and orientation.
    int (*dct_scale)(void *context, int width, int height, int orientation);
    /// The block-averaging factor (>= 1) for other formats: the same for either orientation.
    int (*block_factor)(void *context, int width, int height);
    void *context;                      // for both; either may be NULL for full size
} pc_request;

/// Decodes a JPEG. Returns PC_OK or the code recorded in `status`.
PC_INTERNAL int pc_jpeg_decode(const pc_source *source, const pc_request *request, pc_pixels *out,
                               pc_status *status);

/// Decodes a PNG, rows streamed into the reduced image.
PC_INTERNAL int pc_png_decode(const pc_source *source, const pc_request *request, pc_pixels *out,
                              pc_status *status);

/// Decodes the primary image of a HEIF/HEIC/AVIF file through libheif (its transforms applied).
PC_INTERNAL int pc_heif_decode(const pc_source *source, const pc_request *request, pc_pixels *out,
                               pc_status *status);

/// Decodes a WebP (first frame of an animation) through libwebp.
PC_INTERNAL int pc_webp_decode(const pc_source *source, const pc_request *request, pc_pixels *out,
                               pc_status *status);

/// Reads the whole source into memory (for libraries that need it); bytes->data is NULL for memory sources,
/// whose data is used in place. Returns the bytes to read from.
PC_INTERNAL const unsigned char *pc_source_bytes(const pc_source *source, pc_bytes *bytes, pc_status *status);

/// Refuses a declared size above the pixel limit (the same message for every format).
PC_INTERNAL int pc_check_pixels(long long width, long long height, long long max_pixels, pc_status *status);

/// Refuses a decode whose estimated `bytes` (plus the request's reserve) exceed the memory budget, naming the format
/// and what needs the memory.
PC_INTERNAL int pc_check_memory(const char *format, double bytes, const pc_request *request, const char *what,
                                pc_status *status);

// ---- reduce.c: streamed block averaging --------------------------------------------------------------------------

/// Accumulates decoded rows (in any order) into an image `factor` times smaller on each side.
typedef struct pc_reducer {
    int width, height, factor;  // source size and factor
    int out_width, out_height;  // ceil(size / factor)
    int in_order;               // rows arrive top to bottom (one block row of sums suffices)
    int sum_row;                // block row the sums hold (in order)
    unsigned char *rgb;         // out_width*out_height*3
    uint32_t *sums;             // factor > 1: one block row, or the whole image when rows come in any order
} pc_reducer;

/// Bytes a reducer of these dimensions allocates.
PC_INTERNAL double pc_reducer_bytes(int width, int height, int factor, int in_order);

/// Allocates the reducer. Returns 0, or -1 out of memory.
PC_INTERNAL int pc_reducer_start(pc_reducer *r, int width, int height, int factor, int in_order);

/// Adds n RGB8 pixels of source row y at columns x0, x0 + dx, ...
PC_INTERNAL void pc_reducer_put(pc_reducer *r, int y, int x0, int dx, const unsigned char *rgb, int n);

/// Finishes the averages and hands the image to `out` (rgb, sizes, scale); the reducer keeps nothing.
PC_INTERNAL void pc_reducer_finish(pc_reducer *r, pc_pixels *out);

/// Frees whatever the reducer still holds.
PC_INTERNAL void pc_reducer_free(pc_reducer *r);

/// Flattens RGBA8 onto `background` into RGB8 (in may equal out).
PC_INTERNAL void pc_flatten(const unsigned char *rgba, unsigned char *rgb, int width,
                            const unsigned char background[3]);

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

/// pc_resample, block-averaging first down to at least `keep` times the output instead of twice: 1 for the
/// overview face detection looks at, which needs no finer detail and costs a third as much so.
PC_INTERNAL int pc_resample_keeping(const unsigned char *src, int sw, int sh, pc_rect region, unsigned char *dst,
                                    int dw, int dh, double keep);

/// Turns stored-orientation pixels (w×h, RGB8) into upright ones in dst (w*h*3 bytes; upright size is h×w for
/// orientations 5-8).
PC_INTERNAL void pc_orient(const unsigned char *src, int w, int h, int orientation, unsigned char *dst);

#endif
