#ifndef PHOTOCODEC_H
#define PHOTOCODEC_H
// The C codec over libjpeg-turbo and libpng: sniff, decode (shrink-on-load), orient, flatten, resample, encode.
// Every call works on its own context (no global mutable state), returns a status code plus a lower-case message,
// and never lets a libjpeg/libpng longjmp escape into the caller.
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
};

/// Source formats, told apart by content.
enum { PC_FORMAT_UNKNOWN = 0, PC_FORMAT_JPEG = 1, PC_FORMAT_PNG = 2 };

/// Framing of the output.
enum { PC_CROP_NONE = 0, PC_CROP_SQUARE = 1 };

/// What a conversion should produce; fill with pc_convert_options_init, then change fields.
typedef struct pc_convert_options {
    int max_side;                   // longest output side; never upscaled
    int crop;                       // PC_CROP_SQUARE or PC_CROP_NONE
    int quality;                    // starting JPEG quality 1-100
    long long max_bytes;            // byte budget of the output
    unsigned char background[3];    // RGB that transparency is flattened onto
    long long max_pixels;           // declared width*height above this is refused before decoding
    int preview_side;               // > 0: also a preview of the whole upright source fitting this box
    long long max_decoder_memory;   // cap on libjpeg's working memory (bytes)
} pc_convert_options;

/// The result of pc_convert; release with pc_convert_result_free.
typedef struct pc_convert_result {
    int status;                     // PC_OK or an error code
    char message[PC_MESSAGE_SIZE];  // lower-case reason when status != PC_OK
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
} pc_convert_result;

/// Upright, flattened 8-bit RGB pixels; release with pc_image_free.
typedef struct pc_image {
    int status;
    char message[PC_MESSAGE_SIZE];
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

// In C because libjpeg/libpng report errors by longjmp, which must not cross Swift frames.
int pc_decode(const unsigned char *data, size_t size, long long max_pixels, const unsigned char background[3],
              pc_image *image);

// In C so libjpeg/libpng read the file through stdio in pieces (see pc_convert_file).
int pc_decode_file(const char *path, long long max_pixels, const unsigned char background[3], pc_image *image);

// In C because it frees buffers the C codec allocated.
void pc_image_free(pc_image *image);

// In C because it drives libjpeg's compressor, whose errors longjmp. Baseline 4:2:0 optimised JPEG of RGB pixels.
int pc_encode_jpeg(const unsigned char *rgb, int width, int height, int quality, pc_buffer *out);

// In C because it frees buffers the C codec allocated.
void pc_buffer_free(pc_buffer *buffer);

// In C because it reads raw header bytes the same way the decoders do; PC_FORMAT_* of the data.
int pc_sniff(const unsigned char *data, size_t size);

#endif
