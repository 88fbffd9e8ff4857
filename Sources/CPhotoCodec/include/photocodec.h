#ifndef PHOTOCODEC_H
#define PHOTOCODEC_H
// The C codec over libjpeg-turbo, libpng, libheif, libwebp and Little CMS: sniff, decode (shrink-on-load within a
// memory budget), colour-manage to sRGB, orient, flatten, frame, resample, encode. Every call works on its own
// context (no global mutable state), returns a status code plus a lower-case message, and never lets a library's
// longjmp escape into the caller.
#include <stddef.h>

#define PC_MESSAGE_SIZE 256

/// Outcome of every pc_ call; mirrors CodecError.Reason on the Swift side.
enum {
    PC_OK = 0,
    PC_EMPTY = 1,
    PC_UNSUPPORTED_FORMAT = 2,
    PC_UNSUPPORTED_FEATURE = 3,
    PC_TRUNCATED = 4,
    PC_CORRUPT = 5,
    PC_TOO_MANY_PIXELS = 6,
    PC_BUDGET_UNREACHABLE = 7,
    PC_FAILED = 8,
    PC_UNREADABLE = 9,
    PC_OVER_BUDGET = 10,  // the decode would need more memory than the budget allows
};

/// Source formats, told apart by content.
enum {
    PC_FORMAT_UNKNOWN = 0,
    PC_FORMAT_JPEG = 1,
    PC_FORMAT_PNG = 2,
    PC_FORMAT_HEIF = 3,  // HEIF/HEIC (HEVC)
    PC_FORMAT_AVIF = 4,  // AVIF (AV1 in HEIF)
    PC_FORMAT_WEBP = 5,
};

/// Framing of the output.
enum { PC_CROP_NONE = 0, PC_CROP_SQUARE = 1 };

/// The default memory budget of one image: 256 MiB.
#define PC_DEFAULT_MAX_MEMORY (256LL * 1024 * 1024)

/// What a conversion should produce; fill with pc_convert_options_init, then change fields.
typedef struct pc_convert_options {
    int max_side;                   // longest output side; never upscaled
    int crop;                       // PC_CROP_SQUARE or PC_CROP_NONE
    int quality;                    // starting JPEG quality 1-100
    long long max_bytes;            // byte budget of the output
    unsigned char background[3];    // RGB that transparency is flattened onto
    long long max_pixels;           // declared width*height above this is refused before decoding
    int preview_side;               // > 0: also a preview of the whole upright source fitting this box
    long long max_memory;           // memory budget of the whole conversion (bytes), checked from the header
} pc_convert_options;

/// The result of pc_convert; release with pc_convert_result_free.
typedef struct pc_convert_result {
    int status;                     // PC_OK or an error code
    char message[PC_MESSAGE_SIZE];  // lower-case reason when status != PC_OK
    char warning[PC_MESSAGE_SIZE];  // lower-case problem that did not stop the conversion, or empty
    unsigned char *jpeg;            // the output JPEG (malloc'd)
    size_t jpeg_size;
    unsigned char *preview;         // the preview JPEG or NULL
    size_t preview_size;
    int width, height, quality;
    int format;                     // PC_FORMAT_*
    int source_width, source_height; // as stored, before orientation
    int orientation;                // EXIF orientation applied, 1-8
    double crop_fraction;
    int quality_lowered, dimensions_lowered, upscale_avoided;
    int crop_x, crop_y, crop_width, crop_height;  // the part of the upright source shown, in its pixels
    int redecoded;                  // the caller's crop needed a second, larger decode
} pc_convert_result;

/// Upright, flattened 8-bit RGB pixels; release with pc_image_free.
typedef struct pc_image {
    int status;
    char message[PC_MESSAGE_SIZE];
    char warning[PC_MESSAGE_SIZE];
    unsigned char *pixels;          // width*height*3, RGB interleaved (malloc'd)
    int width, height;
    int format, orientation;
} pc_image;

/// A malloc'd byte buffer with a status; release with pc_buffer_free.
typedef struct pc_buffer {
    int status;
    char message[PC_MESSAGE_SIZE];
    unsigned char *data;
    size_t size;
} pc_buffer;

// In C so Swift gets the defaults from the same place as the codec's own callers (fuzzer, tools).
void pc_convert_options_init(pc_convert_options *options);

// In C because libjpeg/libpng report errors by longjmp, which must not cross Swift frames.
int pc_convert(const unsigned char *data, size_t size, const pc_convert_options *options, pc_convert_result *result);

// In C so libjpeg/libpng read the file through stdio in pieces: a big file never sits whole in memory.
int pc_convert_file(const char *path, const pc_convert_options *options, pc_convert_result *result);

// In C because it frees buffers the C codec allocated.
void pc_convert_result_free(pc_convert_result *result);

// In C because libjpeg/libpng report errors by longjmp, which must not cross Swift frames. Full resolution.
int pc_decode(const unsigned char *data, size_t size, long long max_pixels, long long max_memory,
              const unsigned char background[3], pc_image *image);

// In C so libjpeg/libpng read the file through stdio in pieces (see pc_convert_file).
int pc_decode_file(const char *path, long long max_pixels, long long max_memory, const unsigned char background[3],
                   pc_image *image);

// In C because it frees buffers the C codec allocated.
void pc_image_free(pc_image *image);

// In C because it drives libjpeg's compressor, whose errors longjmp. Baseline 4:2:0 optimised JPEG of RGB pixels.
int pc_encode_jpeg(const unsigned char *rgb, int width, int height, int quality, pc_buffer *out);

// In C because it frees buffers the C codec allocated.
void pc_buffer_free(pc_buffer *buffer);

// In C because it reads raw header bytes the same way the decoders do; PC_FORMAT_* of the data.
int pc_sniff(const unsigned char *data, size_t size);

// ---- staged conversion: decode once, let the caller choose the frame, then render -------------------------------

/// One image decoded (and colour-managed) once, held between the stages; release with pc_session_free.
typedef struct pc_session pc_session;

/// What opening a session found.
typedef struct pc_session_info {
    int status;
    char message[PC_MESSAGE_SIZE];
    char warning[PC_MESSAGE_SIZE];
    int format;
    int source_width, source_height;    // as stored
    int orientation;                    // EXIF orientation to apply, 1-8
    int upright_width, upright_height;  // the picture as shown: the coordinate space of crops
    int crop_x, crop_y, crop_width, crop_height;  // the options' own framing, in those coordinates
} pc_session_info;

/// A rectangle of the upright source, in its full-resolution pixels.
typedef struct pc_crop {
    int x, y, width, height;
} pc_crop;

// In C because it decodes (libjpeg/libpng/libheif/libwebp, longjmp errors). Decodes `data` once at the scale the
// options' own frame and an overview of `overview_side` need; `data` must stay valid until pc_session_free (a small
// crop may decode it again).
int pc_session_open(const unsigned char *data, size_t size, const pc_convert_options *options, int overview_side,
                    pc_session **session, pc_session_info *info);

// In C for the same reason; the file stays open until pc_session_free.
int pc_session_open_file(const char *path, const pc_convert_options *options, int overview_side,
                         pc_session **session, pc_session_info *info);

// In C because it resamples the decoded pixels: the whole upright picture fitting a max_side box (never upscaled),
// block-averaged to within one times its size before Lanczos3 (a photo's output keeps twice): for face detection,
// which needs no finer detail.
int pc_session_overview(pc_session *session, int max_side, pc_image *image);

// In C because it resamples and encodes (libjpeg). `crop` NULL: the options' own framing (identical to
// pc_convert); otherwise that rectangle of the upright source, decoded again at a larger scale only when the
// held pixels would give fewer than the output's.
int pc_session_render(pc_session *session, const pc_crop *crop, pc_convert_result *result);

// In C because it frees what the session holds (pixels, the open file).
void pc_session_free(pc_session *session);

#endif
