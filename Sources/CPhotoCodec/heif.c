// HEIF (HEIC) and AVIF through libheif: the primary image, grids assembled, transforms (irot, imir, clap) applied
// by libheif as the format defines, alpha flattened, 10- and 12-bit samples rounded to 8, colour from the colr box.
// In C next to the other decoders so rows go through the same colour, flatten and reduce steps.
#include <libheif/heif.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/// libheif reads a file through these, in pieces, instead of loading it whole.
static int64_t reader_position(void *userdata) { return ftell(((const pc_source *)userdata)->file); }

static int reader_read(void *data, size_t size, void *userdata) {
    return fread(data, 1, size, ((const pc_source *)userdata)->file) == size ? 0 : -1;
}

static int reader_seek(int64_t position, void *userdata) {
    return fseek(((const pc_source *)userdata)->file, (long)position, SEEK_SET);
}

static enum heif_reader_grow_status reader_wait(int64_t target, void *userdata) {
    return (uint64_t)target <= ((const pc_source *)userdata)->size ? heif_reader_grow_status_size_reached
                                                                   : heif_reader_grow_status_size_beyond_eof;
}

/// Records a libheif error as the codec's code and message; returns the code.
static int check(struct heif_error error, const char *name, pc_status *status) {
    if (error.code == heif_error_Ok) return PC_OK;
    int code = PC_CORRUPT;
    if (error.subcode == heif_suberror_End_of_data) {
        code = PC_TRUNCATED;
    } else if (error.code == heif_error_Unsupported_feature || error.code == heif_error_Unsupported_filetype) {
        code = PC_UNSUPPORTED_FEATURE;
    } else if (error.subcode == heif_suberror_Security_limit_exceeded) {
        code = PC_TOO_MANY_PIXELS;  // libheif's own limits (image size, boxes, tiles), checked from the header
    } else if (error.code == heif_error_Memory_allocation_error) {
        code = PC_FAILED;
    }
    if (code == PC_TRUNCATED) {
        pc_fail(status, code, "%s is truncated (%s)", name, error.message);
    } else {
        pc_fail(status, code, "%s: %s", name, error.message);
    }
    return status->code;
}

/// The colour transform the handle's colr box asks for: an ICC profile, or an nclx description.
static void open_colour(const struct heif_image_handle *handle, int kind, pc_colour *colour) {
    enum heif_color_profile_type type = heif_image_handle_get_color_profile_type(handle);
    if (type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC) {
        size_t size = heif_image_handle_get_raw_color_profile_size(handle);
        unsigned char *icc = size ? malloc(size) : NULL;
        if (icc && heif_image_handle_get_raw_color_profile(handle, icc).code == heif_error_Ok) {
            pc_colour_open_icc(colour, icc, size, kind);
        }
        free(icc);
    } else if (type == heif_color_profile_type_nclx) {
        struct heif_color_profile_nclx *nclx = NULL;
        if (heif_image_handle_get_nclx_color_profile(handle, &nclx).code == heif_error_Ok && nclx) {
            pc_colour_open_nclx(colour, nclx->color_primaries, nclx->transfer_characteristics, kind);
            heif_nclx_color_profile_free(nclx);
        }
    }
}

/// One row of 16-bit little-endian samples of `bits` significant bits, rounded to 8 bits.
static void reduce_depth(const unsigned char *in, unsigned char *out, size_t samples, int bits) {
    unsigned max = (1u << bits) - 1, half = max / 2;
    for (size_t i = 0; i < samples; i++, in += 2) {
        unsigned v = (unsigned)in[0] | (unsigned)in[1] << 8;
        if (v > max) v = max;
        out[i] = (unsigned char)((v * 255 + half) / max);
    }
}

/// Flattens premultiplied RGBA (colour already scaled by alpha) onto the background.
static void flatten_premultiplied(unsigned char *rgba, unsigned char *rgb, int width, const unsigned char bg[3]) {
    for (int x = 0; x < width; x++, rgba += 4, rgb += 3) {
        unsigned a = rgba[3], b = 255 - a, r0 = rgba[0], g0 = rgba[1], b0 = rgba[2];
        rgb[0] = (unsigned char)(r0 + (bg[0] * b + 127) / 255 > 255 ? 255 : r0 + (bg[0] * b + 127) / 255);
        rgb[1] = (unsigned char)(g0 + (bg[1] * b + 127) / 255 > 255 ? 255 : g0 + (bg[1] * b + 127) / 255);
        rgb[2] = (unsigned char)(b0 + (bg[2] * b + 127) / 255 > 255 ? 255 : b0 + (bg[2] * b + 127) / 255);
    }
}

typedef struct heif_state {
    struct heif_context *context;
    struct heif_image_handle *handle;
    struct heif_image *image;
    struct heif_decoding_options *options;
    unsigned char *row;
    pc_reducer reducer;
    pc_colour colour;
} heif_state;

static void release(heif_state *s) {
    if (s->image) heif_image_release(s->image);
    if (s->handle) heif_image_handle_release(s->handle);
    if (s->context) heif_context_free(s->context);
    if (s->options) heif_decoding_options_free(s->options);
    free(s->row);
    pc_reducer_free(&s->reducer);
    pc_colour_close(&s->colour);
    heif_deinit();
}

int pc_heif_decode(const pc_source *source, const pc_request *request, pc_pixels *out, pc_status *status) {
    memset(out, 0, sizeof *out);
    int avif = pc_sniff(source->head, source->head_size) == PC_FORMAT_AVIF;
    const char *name = avif ? "avif" : "heif";
    heif_state s;
    memset(&s, 0, sizeof s);
    if (check(heif_init(NULL), name, status)) return status->code;
    s.context = heif_context_alloc();
    if (!s.context) {
        heif_deinit();
        pc_fail(status, PC_FAILED, "out of memory starting the %s decoder", name);
        return status->code;
    }
    // One thread: --jobs images decode in parallel already, and one tile at a time keeps memory to the budget.
    heif_context_set_max_decoding_threads(s.context, 1);
    struct heif_reader reader = {1, reader_position, reader_read, reader_seek, reader_wait};
    struct heif_error error = source->file ? heif_context_read_from_reader(s.context, &reader, (void *)source, NULL)
                                           : heif_context_read_from_memory_without_copy(s.context, source->data,
                                                                                       source->size, NULL);
    if (check(error, name, status) || check(heif_context_get_primary_image_handle(s.context, &s.handle), name,
                                            status)) {
        release(&s);
        return status->code;
    }
    int w = heif_image_handle_get_width(s.handle), h = heif_image_handle_get_height(s.handle);
    if (w < 1 || h < 1) {
        pc_fail(status, PC_CORRUPT, "%s declares no image size", name);
        release(&s);
        return status->code;
    }
    if (pc_check_pixels(w, h, request->max_pixels, status)) {
        release(&s);
        return status->code;
    }
    int alpha = heif_image_handle_has_alpha_channel(s.handle);
    int bits = heif_image_handle_get_luma_bits_per_pixel(s.handle);
    int deep = bits > 8;
    int channels = alpha ? 4 : 3;
    int factor = request->block_factor ? request->block_factor(request->context, w, h) : 1;
    if (factor < 1) factor = 1;
    // libheif holds the coded planes (up to 4:4:4), the interleaved RGB it converts them to, and a second RGB
    // copy while it rotates or mirrors; then the compressed file and the reduced image.
    double samples = (double)w * h * (deep ? 2 : 1);
    double need = samples * (3 + alpha) + 2 * samples * channels + (double)source->size +
                  pc_reducer_bytes(w, h, factor, 1) + (double)w * 8;
    if (pc_check_memory(name, need, request, "planes and rgb held by libheif", status)) {
        release(&s);
        return status->code;
    }
    s.options = heif_decoding_options_alloc();
    if (!s.options) {
        pc_fail(status, PC_FAILED, "out of memory starting the %s decoder", name);
        release(&s);
        return status->code;
    }
    s.options->ignore_transformations = 0;  // irot/imir/clap are part of the picture, as the format defines
    enum heif_chroma chroma = deep ? (alpha ? heif_chroma_interleaved_RRGGBBAA_LE : heif_chroma_interleaved_RRGGBB_LE)
                                   : (alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB);
    if (check(heif_decode_image(s.handle, &s.image, heif_colorspace_RGB, chroma, s.options), name, status)) {
        release(&s);
        return status->code;
    }
    int stride = 0;
    const uint8_t *plane = heif_image_get_plane_readonly(s.image, heif_channel_interleaved, &stride);
    int iw = heif_image_get_width(s.image, heif_channel_interleaved);
    int ih = heif_image_get_height(s.image, heif_channel_interleaved);
    int depth = heif_image_get_bits_per_pixel_range(s.image, heif_channel_interleaved);
    if (!plane || iw != w || ih != h || (deep && (depth <= 8 || depth > 16)) || (!deep && depth != 8)) {
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "%s colour layout is not supported", name);
        release(&s);
        return status->code;
    }
    open_colour(s.handle, alpha ? PC_COLOUR_RGBA : PC_COLOUR_RGB, &s.colour);
    s.row = malloc((size_t)w * (size_t)channels);
    if (!s.row || pc_reducer_start(&s.reducer, w, h, factor, 1)) {
        pc_fail(status, PC_FAILED, "out of memory for %dx%d pixels", w, h);
        release(&s);
        return status->code;
    }
    int premultiplied = alpha && heif_image_handle_is_premultiplied_alpha(s.handle);
    // Opaque pictures are transformed once reduced (far fewer pixels); transparent ones before flattening, so the
    // background stays the sRGB colour asked for.
    const pc_colour *transform = s.colour.transform && alpha ? &s.colour : NULL;
    for (int y = 0; y < h; y++) {
        const uint8_t *line = plane + (size_t)y * (size_t)stride;
        if (deep) {
            reduce_depth(line, s.row, (size_t)w * (size_t)channels, depth);
        } else {
            memcpy(s.row, line, (size_t)w * (size_t)channels);
        }
        if (transform) pc_colour_rows(transform, s.row, s.row, (size_t)w);
        if (alpha && premultiplied) {
            flatten_premultiplied(s.row, s.row, w, request->background);
        } else if (alpha) {
            pc_flatten(s.row, s.row, w, request->background);
        }
        pc_reducer_put(&s.reducer, y, 0, 1, s.row, w);
    }
    memcpy(out->warning, s.colour.warning, sizeof out->warning);
    pc_reducer_finish(&s.reducer, out);
    if (s.colour.transform && !alpha) pc_colour_rows(&s.colour, out->rgb, out->rgb, (size_t)out->width * out->height);
    out->orientation = 1;  // libheif applied irot/imir; HEIF's Exif orientation only repeats them and is ignored
    release(&s);
    return PC_OK;
}
