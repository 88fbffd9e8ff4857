// PNG decode over libpng. Kept in C: libpng reports errors through setjmp/longjmp.
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/// Largest single ancillary chunk libpng may allocate (eXIf, iCCP, text): bounded, so no chunk bomb.
#define PC_PNG_CHUNK_MALLOC_MAX (8u * 1024u * 1024u)
/// Number of ancillary chunks libpng may cache (text, sPLT, unknown).
#define PC_PNG_CHUNK_CACHE_MAX 128

/// Everything libpng itself allocates (chunk buffers, rows, zlib state) for one image, live at once. libpng sizes
/// some chunk buffers from the declared chunk length before reading it, so a forged 2 GB chunk must meet this cap.
#define PC_PNG_MEMORY_LIMIT (64u * 1024u * 1024u)
/// Bytes in front of each libpng block recording its size (keeps 16-byte alignment).
#define PC_PNG_BLOCK_HEADER 16

typedef struct png_context {
    const pc_source *source;
    size_t position;
    pc_status *status;
    size_t live;  // bytes libpng holds now
} png_context;

static png_voidp png_allocate(png_structp png, png_alloc_size_t size) {
    png_context *ctx = png_get_mem_ptr(png);
    if (size > PC_PNG_MEMORY_LIMIT - ctx->live) return NULL;  // libpng turns this into an error or a skipped chunk
    unsigned char *block = malloc(size + PC_PNG_BLOCK_HEADER);
    if (!block) return NULL;
    memcpy(block, &size, sizeof size);
    ctx->live += size;
    return block + PC_PNG_BLOCK_HEADER;
}

static void png_release(png_structp png, png_voidp pointer) {
    if (!pointer) return;
    png_context *ctx = png_get_mem_ptr(png);
    unsigned char *block = (unsigned char *)pointer - PC_PNG_BLOCK_HEADER;
    png_alloc_size_t size;
    memcpy(&size, block, sizeof size);
    ctx->live -= size;
    free(block);
}

static void on_png_error(png_structp png, png_const_charp message) {
    png_context *ctx = png_get_error_ptr(png);
    pc_fail(ctx->status, PC_CORRUPT, "png: %s", message);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void read_bytes(png_structp png, png_bytep out, size_t count) {
    png_context *ctx = png_get_io_ptr(png);
    const pc_source *source = ctx->source;
    int short_read = source->file ? fread(out, 1, count, source->file) != count : count > source->size - ctx->position;
    if (short_read) {
        pc_fail(ctx->status, PC_TRUNCATED, "png is truncated (premature end of data)");
        png_error(png, "truncated");
    }
    if (!source->file) memcpy(out, source->data + ctx->position, count);
    ctx->position += count;
}

static uint32_t big_endian32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void flatten(const unsigned char *rgba, unsigned char *rgb, int width, const unsigned char bg[3]) {
    for (int x = 0; x < width; x++, rgba += 4, rgb += 3) {
        unsigned a = rgba[3];
        if (a == 255) {
            rgb[0] = rgba[0];
            rgb[1] = rgba[1];
            rgb[2] = rgba[2];
        } else {
            unsigned b = 255 - a;
            rgb[0] = (unsigned char)((rgba[0] * a + bg[0] * b + 127) / 255);
            rgb[1] = (unsigned char)((rgba[1] * a + bg[1] * b + 127) / 255);
            rgb[2] = (unsigned char)((rgba[2] * a + bg[2] * b + 127) / 255);
        }
    }
}

static int exif_orientation(png_structp png, png_infop info) {
    png_uint_32 count = 0;
    png_bytep exif = NULL;
    if (png_get_eXIf_1(png, info, &count, &exif) && exif && count > 0) return pc_exif_orientation(exif, count);
    return 1;
}

// Fields changed between setjmp and longjmp are volatile so the cleanup sees their latest values.
typedef struct png_decode_state {
    png_structp png;
    png_infop info;
    unsigned char *volatile rgb;
    unsigned char *volatile rgba;
    png_bytep *volatile rows;
    volatile int pixels_done;
    volatile int orientation;
} png_decode_state;

int pc_png_decode(const pc_source *source, long long max_pixels, const unsigned char background[3],
                  pc_pixels *out, pc_status *status) {
    memset(out, 0, sizeof *out);
    const unsigned char *data = source->head;
    // Refuse a bomb from the raw IHDR before libpng reads anything else (even if the rest is damaged).
    if (source->head_size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        unsigned long long w = big_endian32(data + 16), h = big_endian32(data + 20);  // product fits in 64 bits
        if (max_pixels > 0 && w * h > (unsigned long long)max_pixels) {
            pc_fail(status, PC_TOO_MANY_PIXELS, "image declares %llux%llu pixels, more than the limit of %lld", w, h,
                    max_pixels);
            return status->code;
        }
    }
    png_context ctx = {source, 0, status, 0};
    png_decode_state state;
    memset(&state, 0, sizeof state);
    state.png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &ctx, on_png_error, on_png_warning, &ctx,
                                         png_allocate, png_release);
    if (state.png) state.info = png_create_info_struct(state.png);
    if (!state.png || !state.info) {
        png_destroy_read_struct(&state.png, NULL, NULL);
        pc_fail(status, PC_FAILED, "out of memory starting the png decoder");
        return status->code;
    }
    volatile int width = 0, height = 0;
    if (setjmp(png_jmpbuf(state.png))) {
        if (state.pixels_done) {
            // The pixels are complete; only trailing chunks (or IEND) are damaged. Keep the image.
            status->code = PC_OK;
            status->message[0] = 0;
            goto done;
        }
        free(state.rgb);
        free(state.rgba);
        free(state.rows);
        png_destroy_read_struct(&state.png, &state.info, NULL);
        if (!status->code) pc_fail(status, PC_CORRUPT, "png decoding failed");
        return status->code;
    }
    png_set_read_fn(state.png, &ctx, read_bytes);
    png_set_user_limits(state.png, 0x7fffffffu, 0x7fffffffu);
    png_set_chunk_cache_max(state.png, PC_PNG_CHUNK_CACHE_MAX);
    png_set_chunk_malloc_max(state.png, PC_PNG_CHUNK_MALLOC_MAX);
    png_read_info(state.png, state.info);

    png_uint_32 w = 0, h = 0;
    int depth = 0, colour = 0, interlace = 0;
    png_get_IHDR(state.png, state.info, &w, &h, &depth, &colour, &interlace, NULL, NULL);
    if (max_pixels > 0 && (long long)w * (long long)h > max_pixels) {
        pc_fail(status, PC_TOO_MANY_PIXELS, "image declares %ux%u pixels, more than the limit of %lld", w, h,
                max_pixels);
        png_error(state.png, "too many pixels");
    }
    state.orientation = exif_orientation(state.png, state.info);

    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(state.png);
    if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(state.png);
    if (png_get_valid(state.png, state.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(state.png);
    if (depth == 16) png_set_scale_16(state.png);
    if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(state.png);
    png_set_add_alpha(state.png, 0xff, PNG_FILLER_AFTER);  // only affects images without alpha
    int passes = png_set_interlace_handling(state.png);
    png_read_update_info(state.png, state.info);
    if (png_get_rowbytes(state.png, state.info) != (size_t)w * 4) {
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "png colour layout is not supported");
        png_error(state.png, "layout");
    }
    width = (int)w;
    height = (int)h;
    size_t rgb_bytes = pc_mul3(w, h, 3);
    state.rgb = rgb_bytes ? malloc(rgb_bytes) : NULL;
    if (!state.rgb) {
        pc_fail(status, PC_FAILED, "out of memory for %ux%u pixels", w, h);
        png_error(state.png, "memory");
    }
    if (passes > 1) {
        // Adam7 fills the whole image over seven passes: it needs the full RGBA frame.
        size_t rgba_bytes = pc_mul3(w, h, 4);
        state.rgba = rgba_bytes ? malloc(rgba_bytes) : NULL;
        state.rows = malloc(sizeof(png_bytep) * h);
        if (!state.rgba || !state.rows) {
            pc_fail(status, PC_FAILED, "out of memory for %ux%u pixels", w, h);
            png_error(state.png, "memory");
        }
        for (png_uint_32 y = 0; y < h; y++) state.rows[y] = state.rgba + (size_t)y * w * 4;
        png_read_image(state.png, state.rows);
        for (png_uint_32 y = 0; y < h; y++) flatten(state.rows[y], state.rgb + (size_t)y * w * 3, (int)w, background);
    } else {
        state.rgba = malloc((size_t)w * 4);
        if (!state.rgba) {
            pc_fail(status, PC_FAILED, "out of memory for a %u-pixel row", w);
            png_error(state.png, "memory");
        }
        for (png_uint_32 y = 0; y < h; y++) {
            png_read_row(state.png, state.rgba, NULL);
            flatten(state.rgba, state.rgb + (size_t)y * w * 3, (int)w, background);
        }
    }
    state.pixels_done = 1;
    png_read_end(state.png, state.info);  // an eXIf chunk may follow the image data
    state.orientation = exif_orientation(state.png, state.info);

done:
    free(state.rgba);
    free(state.rows);
    png_destroy_read_struct(&state.png, &state.info, NULL);
    out->rgb = state.rgb;
    out->width = out->source_width = width;
    out->height = out->source_height = height;
    out->orientation = state.orientation;
    return PC_OK;
}
