// The codec's entry points: sniff, decode, plan the frame, resample, encode within the byte budget.
// Kept in C because it drives libjpeg/libpng, whose errors longjmp and must never cross Swift frames.
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/// Share of a portrait's extra height cut from the top (the rest from the bottom): faces sit high in portraits.
#define PC_PORTRAIT_TOP 0.2
/// Lowest quality the byte budget may push to before the dimensions shrink instead.
#define PC_MIN_QUALITY 20
/// Quality of the preview image.
#define PC_PREVIEW_QUALITY 80
/// Cap on libjpeg's working memory (progressive coefficients of a 100-megapixel image fit).
#define PC_DEFAULT_DECODER_MEMORY (1024LL * 1024 * 1024)
/// Each dimension step for the byte budget keeps this share of the side.
#define PC_SHRINK_STEP 0.8

int pc_sniff(const unsigned char *data, size_t size) {
    static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) return PC_FORMAT_JPEG;
    if (size >= 8 && memcmp(data, png_signature, 8) == 0) return PC_FORMAT_PNG;
    return PC_FORMAT_UNKNOWN;
}

void pc_convert_options_init(pc_convert_options *options) {
    memset(options, 0, sizeof *options);
    options->max_side = 648;
    options->crop = PC_CROP_SQUARE;
    options->quality = 85;
    options->max_bytes = 4 * 1024 * 1024;
    options->background[0] = options->background[1] = options->background[2] = 255;
    options->max_pixels = 100000000;
    options->preview_side = 0;
    options->max_decoder_memory = PC_DEFAULT_DECODER_MEMORY;
}

/// What to cut from the upright source and how big the result is.
typedef struct frame {
    pc_rect crop;  // in upright full-resolution pixels
    int width, height;
    int upscale_avoided;
    double crop_fraction;
} frame;

static frame plan_frame(int uw, int uh, int max_side, int crop) {
    frame f = {{0, 0, uw, uh}, uw, uh, 0, 0};
    if (crop == PC_CROP_SQUARE) {
        int side = uw < uh ? uw : uh;
        if (uw >= uh) {
            f.crop = (pc_rect){floor((uw - side) / 2.0), 0, side, side};
        } else {
            f.crop = (pc_rect){0, floor((uh - side) * PC_PORTRAIT_TOP), side, side};
        }
        f.width = f.height = side < max_side ? side : max_side;
        f.upscale_avoided = side < max_side;
        f.crop_fraction = 1.0 - (double)side * side / ((double)uw * uh);
    } else {
        int longest = uw > uh ? uw : uh;
        f.upscale_avoided = longest < max_side;
        if (longest > max_side) {
            double scale = (double)max_side / longest;
            f.width = (int)lround(uw * scale);
            f.height = (int)lround(uh * scale);
            if (f.width < 1) f.width = 1;
            if (f.height < 1) f.height = 1;
        }
    }
    return f;
}

typedef struct convert_job {
    const pc_convert_options *options;
} convert_job;

/// Smallest DCT scale m/8 leaving at least twice the output (and the preview) for the Lanczos pass.
static int choose_scale(void *context, int width, int height, int orientation) {
    const pc_convert_options *o = ((convert_job *)context)->options;
    int uw = orientation >= 5 ? height : width, uh = orientation >= 5 ? width : height;
    frame f = plan_frame(uw, uh, o->max_side, o->crop);
    frame p = plan_frame(uw, uh, o->preview_side > 0 ? o->preview_side : 1, PC_CROP_NONE);
    for (int m = 1; m < 8; m++) {
        if (floor(f.crop.w * m / 8) >= 2.0 * f.width && floor(f.crop.h * m / 8) >= 2.0 * f.height &&
            floor(uw * m / 8.0) >= 2.0 * p.width && floor(uh * m / 8.0) >= 2.0 * p.height) {
            return m;
        }
    }
    return 8;
}

/// Files larger than this are refused before reading: no photo needs a gigabyte.
#define PC_MAX_FILE_BYTES (1LL << 30)

/// A source over memory; the head is copied for sniffing.
static pc_source memory_source(const unsigned char *data, size_t size) {
    pc_source source;
    memset(&source, 0, sizeof source);
    source.data = data;
    source.size = data ? size : 0;
    source.head_size = source.size < sizeof source.head ? source.size : sizeof source.head;
    if (source.head_size) memcpy(source.head, data, source.head_size);
    return source;
}

/// The system's reason for errno, lower-case to match the codec's messages.
static const char *reason_for_errno(int error, char *buffer, size_t size) {
    snprintf(buffer, size, "%s", strerror(error));
    buffer[0] = (char)tolower((unsigned char)buffer[0]);
    return buffer;
}

/// Opens a regular file as a source; on failure records why (naming nothing: Swift adds the path).
static int file_source(const char *path, pc_source *source, pc_status *status) {
    memset(source, 0, sizeof *source);
    char reason[128];
    FILE *file = fopen(path, "rb");
    if (!file) {
        pc_fail(status, PC_UNREADABLE, "cannot open file (%s)", reason_for_errno(errno, reason, sizeof reason));
        return status->code;
    }
    struct stat info;
    if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
        fclose(file);
        pc_fail(status, PC_UNREADABLE, "not a regular file");
        return status->code;
    }
    if ((long long)info.st_size > PC_MAX_FILE_BYTES) {
        fclose(file);
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "file of %lld bytes is larger than 1 GB", (long long)info.st_size);
        return status->code;
    }
    source->file = file;
    source->size = (size_t)info.st_size;
    source->head_size = fread(source->head, 1, sizeof source->head, file);
    if (ferror(file) || fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        source->file = NULL;
        pc_fail(status, PC_UNREADABLE, "cannot read file (%s)", reason_for_errno(errno, reason, sizeof reason));
        return status->code;
    }
    return PC_OK;
}

static int decode_any(const pc_source *source, long long max_pixels, long long max_memory,
                      const unsigned char background[3], pc_scale_chooser choose, void *context, pc_pixels *px,
                      int *format, pc_status *status) {
    *format = PC_FORMAT_UNKNOWN;
    if (source->head_size == 0) {
        pc_fail(status, PC_EMPTY, "file is empty");
        return status->code;
    }
    *format = pc_sniff(source->head, source->head_size);
    if (*format == PC_FORMAT_JPEG) {
        return pc_jpeg_decode(source, max_pixels, max_memory, choose, context, px, status);
    }
    if (*format == PC_FORMAT_PNG) return pc_png_decode(source, max_pixels, background, px, status);
    unsigned char head[4] = {0};
    memcpy(head, source->head, source->head_size < 4 ? source->head_size : 4);
    pc_fail(status, PC_UNSUPPORTED_FORMAT, "not a jpeg or png image (starts with %02x %02x %02x %02x)", head[0],
            head[1], head[2], head[3]);
    return status->code;
}

/// Resamples `crop` (upright full-resolution coordinates) of the decoded pixels to an upright w×h image.
static int render(const pc_pixels *px, pc_rect crop, int w, int h, unsigned char *scratch, unsigned char *out) {
    int o = px->orientation;
    int transposed = o >= 5;
    int uw = transposed ? px->source_height : px->source_width;
    int uh = transposed ? px->source_width : px->source_height;
    pc_rect r = pc_rect_to_stored(crop, uw, uh, o);
    double fx = (double)px->width / px->source_width, fy = (double)px->height / px->source_height;
    r.x *= fx;
    r.w *= fx;
    r.y *= fy;
    r.h *= fy;
    int sw = transposed ? h : w, sh = transposed ? w : h;
    if (o < 2 || o > 8) return pc_resample(px->rgb, px->width, px->height, r, out, sw, sh);
    if (pc_resample(px->rgb, px->width, px->height, r, scratch, sw, sh)) return -1;
    pc_orient(scratch, sw, sh, o, out);
    return 0;
}

static void copy_status(const pc_status *status, int *code, char *message) {
    *code = status->code;
    memcpy(message, status->message, PC_MESSAGE_SIZE);
}

static void swap_bytes(pc_bytes *a, pc_bytes *b) {
    pc_bytes t = *a;
    *a = *b;
    *b = t;
}

static int convert_source(const pc_source *source, const pc_convert_options *options, pc_convert_result *result,
                          pc_status status);

int pc_convert(const unsigned char *data, size_t size, const pc_convert_options *options, pc_convert_result *result) {
    pc_source source = memory_source(data, size);
    pc_status status = {0};
    return convert_source(&source, options, result, status);
}

int pc_convert_file(const char *path, const pc_convert_options *options, pc_convert_result *result) {
    pc_source source;
    pc_status status = {0};
    file_source(path, &source, &status);
    int code = convert_source(&source, options, result, status);
    if (source.file) fclose(source.file);
    return code;
}

/// Converts from `source`, unless `status` already holds a failure (from opening the file).
static int convert_source(const pc_source *source, const pc_convert_options *options, pc_convert_result *result,
                          pc_status status) {
    memset(result, 0, sizeof *result);
    if (status.code) {
        copy_status(&status, &result->status, result->message);
        return result->status;
    }
    pc_convert_options o = *options;
    if (o.max_side < 1 || o.quality < 1 || o.quality > 100 || o.max_bytes < 1 || o.preview_side < 0) {
        pc_fail(&status, PC_FAILED, "invalid options (max side %d, quality %d, max bytes %lld)", o.max_side,
                o.quality, o.max_bytes);
        copy_status(&status, &result->status, result->message);
        return result->status;
    }
    convert_job job = {&o};
    pc_pixels px;
    memset(&px, 0, sizeof px);
    int format = PC_FORMAT_UNKNOWN;
    unsigned char *scratch = NULL, *pixels = NULL;
    pc_bytes trial = {0}, best = {0};
    if (decode_any(source, o.max_pixels, o.max_decoder_memory, o.background, choose_scale, &job, &px, &format,
                   &status)) {
        goto finish;
    }
    result->format = format;
    result->source_width = px.source_width;
    result->source_height = px.source_height;
    result->orientation = px.orientation;
    int uw = px.orientation >= 5 ? px.source_height : px.source_width;
    int uh = px.orientation >= 5 ? px.source_width : px.source_height;
    frame f = plan_frame(uw, uh, o.max_side, o.crop);
    frame p = plan_frame(uw, uh, o.preview_side > 0 ? o.preview_side : 1, PC_CROP_NONE);
    // One pair of buffers serves the output and the preview, whichever is bigger.
    size_t biggest = pc_mul3(f.width > p.width ? f.width : p.width, f.height > p.height ? f.height : p.height, 3);
    scratch = malloc(biggest);
    pixels = malloc(biggest);
    if (!scratch || !pixels) {
        pc_fail(&status, PC_FAILED, "out of memory for the output pixels");
        goto finish;
    }
    result->crop_fraction = f.crop_fraction;
    result->upscale_avoided = f.upscale_avoided;

    if (o.preview_side > 0) {
        if (render(&px, p.crop, p.width, p.height, scratch, pixels)) {
            pc_fail(&status, PC_FAILED, "out of memory resampling the preview");
            goto finish;
        }
        if (pc_jpeg_encode(pixels, p.width, p.height, PC_PREVIEW_QUALITY, &best, &status)) goto finish;
        result->preview = best.data;
        result->preview_size = best.size;
        memset(&best, 0, sizeof best);
    }

    int w = f.width, h = f.height;
    for (;;) {
        if (render(&px, f.crop, w, h, scratch, pixels)) {
            pc_fail(&status, PC_FAILED, "out of memory resampling to %dx%d", w, h);
            goto finish;
        }
        int found = 0;
        if (pc_jpeg_encode(pixels, w, h, o.quality, &best, &status)) goto finish;
        if ((long long)best.size <= o.max_bytes) {
            found = o.quality;
        } else {
            // Binary search for the highest quality that fits.
            int low = PC_MIN_QUALITY < o.quality ? PC_MIN_QUALITY : o.quality, high = o.quality - 1;
            while (low <= high) {
                int mid = (low + high) / 2;
                if (pc_jpeg_encode(pixels, w, h, mid, &trial, &status)) goto finish;
                if ((long long)trial.size <= o.max_bytes) {
                    found = mid;
                    swap_bytes(&trial, &best);
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
        }
        if (found) {
            result->quality = found;
            result->quality_lowered = found < o.quality;
            break;
        }
        if (w == 1 && h == 1) {
            pc_fail(&status, PC_BUDGET_UNREACHABLE, "cannot fit the image in %lld bytes even at 1x1 pixel",
                    o.max_bytes);
            goto finish;
        }
        w = (int)floor(w * PC_SHRINK_STEP);
        h = (int)floor(h * PC_SHRINK_STEP);
        if (w < 1) w = 1;
        if (h < 1) h = 1;
        result->dimensions_lowered = 1;
    }
    result->jpeg = best.data;
    result->jpeg_size = best.size;
    result->width = w;
    result->height = h;
    memset(&best, 0, sizeof best);

finish:
    free(px.rgb);
    free(scratch);
    free(pixels);
    free(trial.data);
    free(best.data);
    if (status.code) {
        free(result->preview);
        result->preview = NULL;
        result->preview_size = 0;
    }
    copy_status(&status, &result->status, result->message);
    return result->status;
}

void pc_convert_result_free(pc_convert_result *result) {
    if (!result) return;
    free(result->jpeg);
    free(result->preview);
    result->jpeg = result->preview = NULL;
    result->jpeg_size = result->preview_size = 0;
}

static int decode_source(const pc_source *source, long long max_pixels, const unsigned char background[3],
                         pc_image *image, pc_status status);

int pc_decode(const unsigned char *data, size_t size, long long max_pixels, const unsigned char background[3],
              pc_image *image) {
    pc_source source = memory_source(data, size);
    pc_status status = {0};
    return decode_source(&source, max_pixels, background, image, status);
}

int pc_decode_file(const char *path, long long max_pixels, const unsigned char background[3], pc_image *image) {
    pc_source source;
    pc_status status = {0};
    file_source(path, &source, &status);
    int code = decode_source(&source, max_pixels, background, image, status);
    if (source.file) fclose(source.file);
    return code;
}

/// Decodes from `source`, unless `status` already holds a failure (from opening the file).
static int decode_source(const pc_source *source, long long max_pixels, const unsigned char background[3],
                         pc_image *image, pc_status status) {
    memset(image, 0, sizeof *image);
    static const unsigned char white[3] = {255, 255, 255};
    pc_pixels px;
    memset(&px, 0, sizeof px);
    int format = PC_FORMAT_UNKNOWN;
    const unsigned char *flatten_onto = background ? background : white;
    if (!status.code && !decode_any(source, max_pixels, PC_DEFAULT_DECODER_MEMORY, flatten_onto, NULL, NULL, &px,
                                    &format, &status)) {
        if (px.orientation >= 2 && px.orientation <= 8) {
            unsigned char *upright = malloc(pc_mul3(px.width, px.height, 3));
            if (!upright) {
                pc_fail(&status, PC_FAILED, "out of memory orienting %dx%d pixels", px.width, px.height);
            } else {
                pc_orient(px.rgb, px.width, px.height, px.orientation, upright);
                free(px.rgb);
                px.rgb = upright;
            }
        }
    }
    if (status.code) {
        free(px.rgb);
    } else {
        int transposed = px.orientation >= 5;
        image->pixels = px.rgb;
        image->width = transposed ? px.height : px.width;
        image->height = transposed ? px.width : px.height;
        image->format = format;
        image->orientation = px.orientation;
    }
    copy_status(&status, &image->status, image->message);
    return image->status;
}

void pc_image_free(pc_image *image) {
    if (!image) return;
    free(image->pixels);
    image->pixels = NULL;
}

int pc_encode_jpeg(const unsigned char *rgb, int width, int height, int quality, pc_buffer *out) {
    memset(out, 0, sizeof *out);
    pc_status status = {0};
    pc_bytes bytes = {0};
    if (!rgb) {
        pc_fail(&status, PC_FAILED, "no pixels to encode");
    } else {
        pc_jpeg_encode(rgb, width, height, quality, &bytes, &status);
    }
    copy_status(&status, &out->status, out->message);
    if (status.code) {
        free(bytes.data);
    } else {
        out->data = bytes.data;
        out->size = bytes.size;
    }
    return out->status;
}

void pc_buffer_free(pc_buffer *buffer) {
    if (!buffer) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
}
