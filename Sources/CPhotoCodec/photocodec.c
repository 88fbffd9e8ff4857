// The codec's entry points: sniff, decode once within the memory budget, plan the frame, resample, encode within the
// byte budget. Kept in C because it drives libjpeg/libpng/libheif/libwebp, whose errors must never cross Swift frames.
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
/// Each dimension step for the byte budget keeps this share of the side.
#define PC_SHRINK_STEP 0.8
/// Decoded side / output side the JPEG shrink-on-load keeps for the Lanczos pass. Chosen by its result (issue 16):
/// at 1.9 a 2560-wide photo decodes at 4/8 (1280 px for a 648 output, 1.975x), where libjpeg-turbo's IDCT is SIMD,
/// instead of 5/8, and the benchmark corpus's SSIM stays within the rule (README "Benchmarks").
#define PC_DCT_MARGIN 1.9
/// The same for block averaging (PNG, HEIF, WebP): a box is a cruder low-pass than the DCT, so it keeps 2x.
#define PC_BLOCK_MARGIN 2.0
/// A caller's crop is decoded again, larger, when the held pixels give it less than this share of the output side.
#define PC_REDECODE_BELOW 1.0
/// Files larger than this are refused before reading: no photo needs a gigabyte.
#define PC_MAX_FILE_BYTES (1LL << 30)

int pc_sniff(const unsigned char *data, size_t size) {
    static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) return PC_FORMAT_JPEG;
    if (size >= 8 && memcmp(data, png_signature, 8) == 0) return PC_FORMAT_PNG;
    if (size >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) return PC_FORMAT_WEBP;
    if (size >= 12 && memcmp(data + 4, "ftyp", 4) == 0) {
        // ISO base media: the major brand, then the compatible brands of the ftyp box (as far as the head goes).
        size_t box = (size_t)data[0] << 24 | (size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3];
        if (box > size) box = size;
        int heif = 0;
        for (size_t at = 8; at + 4 <= box; at += at == 8 ? 8 : 4) {  // skip minor_version after the major brand
            const unsigned char *b = data + at;
            if (!memcmp(b, "avif", 4) || !memcmp(b, "avis", 4)) return PC_FORMAT_AVIF;
            if (!memcmp(b, "heic", 4) || !memcmp(b, "heix", 4) || !memcmp(b, "hevc", 4) || !memcmp(b, "hevx", 4) ||
                !memcmp(b, "heim", 4) || !memcmp(b, "heis", 4) || !memcmp(b, "mif1", 4) || !memcmp(b, "msf1", 4)) {
                heif = 1;
            }
        }
        if (heif) return PC_FORMAT_HEIF;
    }
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
    options->max_memory = PC_DEFAULT_MAX_MEMORY;
}

/// What to cut from the upright source and how big the result is.
typedef struct frame {
    pc_rect crop;  // in upright full-resolution pixels
    int width, height;
    int upscale_avoided;
    double crop_fraction;
} frame;

/// Fits a w×h rectangle into a max_side box, never upscaling.
static void fit(double w, double h, int max_side, int *out_w, int *out_h, int *upscale_avoided) {
    double longest = w > h ? w : h;
    *out_w = (int)w;
    *out_h = (int)h;
    *upscale_avoided = longest < max_side;
    if (longest > max_side) {
        double scale = max_side / longest;
        *out_w = (int)lround(w * scale);
        *out_h = (int)lround(h * scale);
        if (*out_w < 1) *out_w = 1;
        if (*out_h < 1) *out_h = 1;
    }
}

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
        fit(uw, uh, max_side, &f.width, &f.height, &f.upscale_avoided);
    }
    return f;
}

/// The frame of a caller's crop rectangle: the rectangle itself, fitted to the box.
static frame crop_frame(pc_crop c, int uw, int uh, int max_side) {
    frame f = {{c.x, c.y, c.width, c.height}, 0, 0, 0, 0};
    fit(c.width, c.height, max_side, &f.width, &f.height, &f.upscale_avoided);
    f.crop_fraction = 1.0 - (double)c.width * c.height / ((double)uw * uh);
    return f;
}

/// What the shrink-on-load must keep: the frame's crop and (if any) the preview and overview of the whole picture.
typedef struct scale_needs {
    const pc_convert_options *options;
    const pc_crop *crop;  // a caller's crop, or NULL for the options' own frame
    int overview_side;    // > 0: an overview of this size will be asked for
} scale_needs;

/// Whether reducing the upright uw×uh source by `r` (reduced pixels per source pixel) keeps `margin` times the
/// frame and the whole-picture images.
static int keeps_enough(const scale_needs *n, int uw, int uh, double r, double margin) {
    const pc_convert_options *o = n->options;
    frame f = n->crop ? crop_frame(*n->crop, uw, uh, o->max_side) : plan_frame(uw, uh, o->max_side, o->crop);
    if (floor(f.crop.w * r) < margin * f.width || floor(f.crop.h * r) < margin * f.height) return 0;
    int sides[2] = {o->preview_side, n->overview_side};
    for (int i = 0; i < 2; i++) {
        if (sides[i] <= 0) continue;
        frame p = plan_frame(uw, uh, sides[i], PC_CROP_NONE);
        if (floor(uw * r) < margin * p.width || floor(uh * r) < margin * p.height) return 0;
    }
    return 1;
}

/// Smallest DCT scale m/8 that keeps enough (see keeps_enough).
static int choose_scale(void *context, int width, int height, int orientation) {
    const scale_needs *n = context;
    int uw = orientation >= 5 ? height : width, uh = orientation >= 5 ? width : height;
    for (int m = 1; m < 8; m++) {
        if (keeps_enough(n, uw, uh, m / 8.0, PC_DCT_MARGIN)) return m;
    }
    return 8;
}

/// Largest block-averaging factor that keeps enough, for either orientation (a PNG's eXIf may follow its pixels).
static int choose_factor(void *context, int width, int height) {
    const scale_needs *n = context;
    int best = 1;
    for (int f = 2; f <= 64; f++) {
        if (!keeps_enough(n, width, height, 1.0 / f, PC_BLOCK_MARGIN) ||
            !keeps_enough(n, height, width, 1.0 / f, PC_BLOCK_MARGIN)) {
            break;
        }
        best = f;
    }
    return best;
}

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

/// Decodes `source` (rewound first when it is a file), dispatching on its content.
static int decode_any(const pc_source *source, const pc_request *request, pc_pixels *px, int *format,
                      pc_status *status) {
    *format = PC_FORMAT_UNKNOWN;
    if (source->head_size == 0) {
        pc_fail(status, PC_EMPTY, "file is empty");
        return status->code;
    }
    if (source->file && fseek(source->file, 0, SEEK_SET) != 0) {
        pc_fail(status, PC_UNREADABLE, "cannot read file (seek failed)");
        return status->code;
    }
    *format = pc_sniff(source->head, source->head_size);
    switch (*format) {
    case PC_FORMAT_JPEG: return pc_jpeg_decode(source, request, px, status);
    case PC_FORMAT_PNG: return pc_png_decode(source, request, px, status);
    case PC_FORMAT_HEIF:
    case PC_FORMAT_AVIF: return pc_heif_decode(source, request, px, status);
    case PC_FORMAT_WEBP: return pc_webp_decode(source, request, px, status);
    default: break;
    }
    unsigned char head[4] = {0};
    memcpy(head, source->head, source->head_size < 4 ? source->head_size : 4);
    pc_fail(status, PC_UNSUPPORTED_FORMAT,
            "unsupported format: not a jpeg, png, heif, avif or webp image (starts with %02x %02x %02x %02x)", head[0],
            head[1], head[2], head[3]);
    return status->code;
}

/// Resamples `crop` (upright full-resolution coordinates) of the decoded pixels to an upright w×h image, block-
/// averaging first to no less than `keep` times its size (pc_resample_keeping).
static int render(const pc_pixels *px, pc_rect crop, int w, int h, unsigned char *scratch, unsigned char *out,
                  double keep) {
    int o = px->orientation;
    int transposed = o >= 5;
    int uw = transposed ? px->source_height : px->source_width;
    int uh = transposed ? px->source_width : px->source_height;
    pc_rect r = pc_rect_to_stored(crop, uw, uh, o);
    r.x *= px->scale_x;
    r.w *= px->scale_x;
    r.y *= px->scale_y;
    r.h *= px->scale_y;
    int sw = transposed ? h : w, sh = transposed ? w : h;
    if (o < 2 || o > 8) return pc_resample_keeping(px->rgb, px->width, px->height, r, out, sw, sh, keep);
    if (pc_resample_keeping(px->rgb, px->width, px->height, r, scratch, sw, sh, keep)) return -1;
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

/// Bytes the rendering stages take beside the decoded pixels: two RGB buffers of the largest picture made, the
/// encoder's trial and best outputs, the resampler's kernels and rows.
static double render_bytes(int w, int h) { return 5.0 * w * h * 3 + 1024.0 * 1024.0; }

struct pc_session {
    pc_convert_options options;
    pc_source source;  // kept for a second decode
    pc_pixels px;
    int format;
    double reserved;   // render_bytes of the largest picture this session may make
};

/// Decodes the session's source for `needs`; replaces the held pixels on success.
static int session_decode(pc_session *s, const scale_needs *needs, pc_status *status) {
    pc_request request = {s->options.max_pixels, s->options.max_memory, (long long)s->reserved,
                          s->options.background, choose_scale, choose_factor, (void *)needs};
    pc_pixels px;
    memset(&px, 0, sizeof px);
    if (decode_any(&s->source, &request, &px, &s->format, status)) return status->code;
    free(s->px.rgb);
    s->px = px;
    return PC_OK;
}

static void fill_info(const pc_session *s, const pc_status *status, pc_session_info *info) {
    memset(info, 0, sizeof *info);
    copy_status(status, &info->status, info->message);
    if (status->code) return;
    memcpy(info->warning, s->px.warning, PC_MESSAGE_SIZE);
    info->format = s->format;
    info->source_width = s->px.source_width;
    info->source_height = s->px.source_height;
    info->orientation = s->px.orientation;
    int transposed = s->px.orientation >= 5;
    info->upright_width = transposed ? s->px.source_height : s->px.source_width;
    info->upright_height = transposed ? s->px.source_width : s->px.source_height;
    frame f = plan_frame(info->upright_width, info->upright_height, s->options.max_side, s->options.crop);
    info->crop_x = (int)f.crop.x;
    info->crop_y = (int)f.crop.y;
    info->crop_width = (int)f.crop.w;
    info->crop_height = (int)f.crop.h;
}

/// Opens a session on `source` (taken over), unless `status` already holds a failure (from opening the file).
static int session_open(pc_source source, const pc_convert_options *options, int overview_side,
                        pc_session **session, pc_session_info *info, pc_status status) {
    *session = NULL;
    pc_session *s = calloc(1, sizeof *s);
    if (!s && !status.code) pc_fail(&status, PC_FAILED, "out of memory");
    if (!status.code) {
        const pc_convert_options *o = options;
        if (o->max_side < 1 || o->quality < 1 || o->quality > 100 || o->max_bytes < 1 || o->preview_side < 0) {
            pc_fail(&status, PC_FAILED, "invalid options (max side %d, quality %d, max bytes %lld)", o->max_side,
                    o->quality, o->max_bytes);
        }
    }
    if (status.code) {
        if (source.file) fclose(source.file);
        free(s);
        pc_session_info scratch;
        fill_info(NULL, &status, info ? info : &scratch);
        return status.code;
    }
    s->options = *options;
    s->source = source;
    int biggest = s->options.max_side > s->options.preview_side ? s->options.max_side : s->options.preview_side;
    if (overview_side > biggest) biggest = overview_side;
    s->reserved = render_bytes(biggest, biggest);
    scale_needs needs = {&s->options, NULL, overview_side};
    session_decode(s, &needs, &status);
    if (info) fill_info(s, &status, info);
    if (status.code) {
        pc_session_free(s);
        return status.code;
    }
    *session = s;
    return PC_OK;
}

int pc_session_open(const unsigned char *data, size_t size, const pc_convert_options *options, int overview_side,
                    pc_session **session, pc_session_info *info) {
    pc_status status = {0};
    return session_open(memory_source(data, size), options, overview_side, session, info, status);
}

int pc_session_open_file(const char *path, const pc_convert_options *options, int overview_side,
                         pc_session **session, pc_session_info *info) {
    pc_source source;
    pc_status status = {0};
    file_source(path, &source, &status);
    return session_open(source, options, overview_side, session, info, status);
}

void pc_session_free(pc_session *session) {
    if (!session) return;
    free(session->px.rgb);
    if (session->source.file) fclose(session->source.file);
    free(session);
}

int pc_session_overview(pc_session *s, int max_side, pc_image *image) {
    memset(image, 0, sizeof *image);
    pc_status status = {0};
    int transposed = s->px.orientation >= 5;
    int uw = transposed ? s->px.source_height : s->px.source_width;
    int uh = transposed ? s->px.source_width : s->px.source_height;
    frame p = plan_frame(uw, uh, max_side > 0 ? max_side : 1, PC_CROP_NONE);
    size_t bytes = pc_mul3(p.width, p.height, 3);
    unsigned char *scratch = malloc(bytes), *pixels = malloc(bytes);
    if (!scratch || !pixels || render(&s->px, p.crop, p.width, p.height, scratch, pixels, 1.0)) {
        free(pixels);
        pixels = NULL;
        pc_fail(&status, PC_FAILED, "out of memory for a %dx%d overview", p.width, p.height);
    }
    free(scratch);
    copy_status(&status, &image->status, image->message);
    if (!status.code) {
        image->pixels = pixels;
        image->width = p.width;
        image->height = p.height;
        image->format = s->format;
        image->orientation = s->px.orientation;
        memcpy(image->warning, s->px.warning, PC_MESSAGE_SIZE);
    }
    return image->status;
}

/// Encodes the frame `f` of the held pixels into `result`, meeting the byte budget.
static void encode_frame(const pc_session *s, frame f, pc_convert_result *result, pc_status *status) {
    const pc_convert_options *o = &s->options;
    const pc_pixels *px = &s->px;
    int uw = px->orientation >= 5 ? px->source_height : px->source_width;
    int uh = px->orientation >= 5 ? px->source_width : px->source_height;
    frame p = plan_frame(uw, uh, o->preview_side > 0 ? o->preview_side : 1, PC_CROP_NONE);
    pc_bytes trial = {0}, best = {0};
    // One pair of buffers serves the output and the preview, whichever is bigger.
    size_t biggest = pc_mul3(f.width > p.width ? f.width : p.width, f.height > p.height ? f.height : p.height, 3);
    unsigned char *scratch = malloc(biggest), *pixels = malloc(biggest);
    if (!scratch || !pixels) {
        pc_fail(status, PC_FAILED, "out of memory for the output pixels");
        goto finish;
    }
    result->crop_fraction = f.crop_fraction;
    result->upscale_avoided = f.upscale_avoided;
    result->crop_x = (int)f.crop.x;
    result->crop_y = (int)f.crop.y;
    result->crop_width = (int)f.crop.w;
    result->crop_height = (int)f.crop.h;

    if (o->preview_side > 0) {
        if (render(px, p.crop, p.width, p.height, scratch, pixels, 2.0)) {
            pc_fail(status, PC_FAILED, "out of memory resampling the preview");
            goto finish;
        }
        if (pc_jpeg_encode(pixels, p.width, p.height, PC_PREVIEW_QUALITY, &best, status)) goto finish;
        result->preview = best.data;
        result->preview_size = best.size;
        memset(&best, 0, sizeof best);
    }

    int w = f.width, h = f.height;
    for (;;) {
        if (render(px, f.crop, w, h, scratch, pixels, 2.0)) {
            pc_fail(status, PC_FAILED, "out of memory resampling to %dx%d", w, h);
            goto finish;
        }
        int found = 0;
        if (pc_jpeg_encode(pixels, w, h, o->quality, &best, status)) goto finish;
        if ((long long)best.size <= o->max_bytes) {
            found = o->quality;
        } else {
            // Binary search for the highest quality that fits.
            int low = PC_MIN_QUALITY < o->quality ? PC_MIN_QUALITY : o->quality, high = o->quality - 1;
            while (low <= high) {
                int mid = (low + high) / 2;
                if (pc_jpeg_encode(pixels, w, h, mid, &trial, status)) goto finish;
                if ((long long)trial.size <= o->max_bytes) {
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
            result->quality_lowered = found < o->quality;
            break;
        }
        if (w == 1 && h == 1) {
            pc_fail(status, PC_BUDGET_UNREACHABLE, "cannot fit the image in %lld bytes even at 1x1 pixel",
                    o->max_bytes);
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
    free(scratch);
    free(pixels);
    pc_bytes_free(&trial);
    pc_bytes_free(&best);
}

int pc_session_render(pc_session *s, const pc_crop *crop, pc_convert_result *result) {
    memset(result, 0, sizeof *result);
    pc_status status = {0};
    const pc_convert_options *o = &s->options;
    int transposed = s->px.orientation >= 5;
    int uw = transposed ? s->px.source_height : s->px.source_width;
    int uh = transposed ? s->px.source_width : s->px.source_height;
    frame f;
    if (crop) {
        if (crop->width < 1 || crop->height < 1 || crop->x < 0 || crop->y < 0 || crop->x > uw - crop->width ||
            crop->y > uh - crop->height) {
            pc_fail(&status, PC_FAILED, "crop %dx%d at %d,%d is outside the %dx%d picture", crop->width,
                    crop->height, crop->x, crop->y, uw, uh);
            goto finish;
        }
        f = crop_frame(*crop, uw, uh, o->max_side);
        // Fewer held pixels than the output needs: decode again at the scale this crop needs.
        double held = fmin(f.crop.w * s->px.scale_x, f.crop.h * s->px.scale_y);
        double wanted = PC_REDECODE_BELOW * (f.width < f.height ? f.width : f.height);
        if (held < wanted && (s->px.scale_x < 1 || s->px.scale_y < 1)) {
            scale_needs needs = {o, crop, 0};
            if (session_decode(s, &needs, &status)) goto finish;
            result->redecoded = 1;
        }
    } else {
        f = plan_frame(uw, uh, o->max_side, o->crop);
    }
    encode_frame(s, f, result, &status);

finish:
    if (status.code) {
        pc_convert_result_free(result);
    } else {
        result->format = s->format;
        result->source_width = s->px.source_width;
        result->source_height = s->px.source_height;
        result->orientation = s->px.orientation;
        memcpy(result->warning, s->px.warning, PC_MESSAGE_SIZE);
    }
    copy_status(&status, &result->status, result->message);
    return result->status;
}

/// A one-shot conversion: a session without an overview, rendered with the options' own frame.
static int convert_source(pc_source source, const pc_convert_options *options, pc_convert_result *result,
                          pc_status status) {
    pc_session *s = NULL;
    pc_session_info info;
    if (session_open(source, options, 0, &s, &info, status)) {
        memset(result, 0, sizeof *result);
        result->status = info.status;
        memcpy(result->message, info.message, PC_MESSAGE_SIZE);
        result->format = info.format;
        return result->status;
    }
    pc_session_render(s, NULL, result);
    pc_session_free(s);
    return result->status;
}

int pc_convert(const unsigned char *data, size_t size, const pc_convert_options *options, pc_convert_result *result) {
    pc_status status = {0};
    return convert_source(memory_source(data, size), options, result, status);
}

int pc_convert_file(const char *path, const pc_convert_options *options, pc_convert_result *result) {
    pc_source source;
    pc_status status = {0};
    file_source(path, &source, &status);
    return convert_source(source, options, result, status);
}

void pc_convert_result_free(pc_convert_result *result) {
    if (!result) return;
    free(result->jpeg);
    free(result->preview);
    result->jpeg = result->preview = NULL;
    result->jpeg_size = result->preview_size = 0;
}

/// Decodes from `source` at full size, unless `status` already holds a failure (from opening the file).
static int decode_source(const pc_source *source, long long max_pixels, long long max_memory,
                         const unsigned char background[3], pc_image *image, pc_status status) {
    memset(image, 0, sizeof *image);
    static const unsigned char white[3] = {255, 255, 255};
    pc_pixels px;
    memset(&px, 0, sizeof px);
    int format = PC_FORMAT_UNKNOWN;
    pc_request request = {max_pixels, max_memory, 0, background ? background : white, NULL, NULL, NULL};
    if (!status.code && !decode_any(source, &request, &px, &format, &status)) {
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
        memcpy(image->warning, px.warning, PC_MESSAGE_SIZE);
    }
    copy_status(&status, &image->status, image->message);
    return image->status;
}

int pc_decode(const unsigned char *data, size_t size, long long max_pixels, long long max_memory,
              const unsigned char background[3], pc_image *image) {
    pc_source source = memory_source(data, size);
    pc_status status = {0};
    return decode_source(&source, max_pixels, max_memory, background, image, status);
}

int pc_decode_file(const char *path, long long max_pixels, long long max_memory, const unsigned char background[3],
                   pc_image *image) {
    pc_source source;
    pc_status status = {0};
    file_source(path, &source, &status);
    int code = decode_source(&source, max_pixels, max_memory, background, image, status);
    if (source.file) fclose(source.file);
    return code;
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
        pc_bytes_free(&bytes);
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
