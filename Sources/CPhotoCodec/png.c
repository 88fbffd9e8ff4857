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
    size_t live;   // bytes libpng holds now
    size_t limit;  // most it may hold at once
} png_context;

static png_voidp png_allocate(png_structp png, png_alloc_size_t size) {
    png_context *ctx = png_get_mem_ptr(png);
    if (size > ctx->limit - ctx->live) return NULL;  // libpng turns this into an error or a skipped chunk
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

static int exif_orientation(png_structp png, png_infop info) {
    png_uint_32 count = 0;
    png_bytep exif = NULL;
    if (png_get_eXIf_1(png, info, &count, &exif) && exif && count > 0) return pc_exif_orientation(exif, count);
    return 1;
}

/// Adam7: where each pass's pixels sit (first column and row, steps), as in the PNG specification.
static const int adam7_x0[7] = {0, 4, 0, 2, 0, 1, 0}, adam7_dx[7] = {8, 8, 4, 4, 2, 2, 1};
static const int adam7_y0[7] = {0, 0, 4, 0, 2, 0, 1}, adam7_dy[7] = {8, 8, 8, 4, 4, 2, 2};

// Fields changed between setjmp and longjmp are volatile so the cleanup sees their latest values.
typedef struct png_decode_state {
    png_structp png;
    png_infop info;
    unsigned char *volatile row;
    volatile int pixels_done;
    volatile int orientation;
    volatile int alpha;  // transparency to flatten (an alpha channel or tRNS)
    pc_reducer reducer;
    pc_colour colour;
} png_decode_state;

int pc_png_decode(const pc_source *source, const pc_request *request, pc_pixels *out, pc_status *status) {
    memset(out, 0, sizeof *out);
    const unsigned char *data = source->head;
    // Refuse a bomb from the raw IHDR before libpng reads anything else (even if the rest is damaged).
    if (source->head_size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        if (pc_check_pixels(big_endian32(data + 16), big_endian32(data + 20), request->max_pixels, status)) {
            return status->code;
        }
    }
    // libpng's own allocations (rows, zlib, chunks) get a share of the budget, at most PC_PNG_MEMORY_LIMIT.
    size_t library_limit = PC_PNG_MEMORY_LIMIT;
    if (request->max_memory > 0 && (long long)library_limit > request->max_memory / 4) {
        library_limit = (size_t)(request->max_memory / 4);
    }
    png_context ctx = {source, 0, status, 0, library_limit};
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
    if (setjmp(png_jmpbuf(state.png))) {
        if (state.pixels_done) {
            // The pixels are complete; only trailing chunks (or IEND) are damaged. Keep the image.
            status->code = PC_OK;
            status->message[0] = 0;
            goto done;
        }
        free(state.row);
        pc_reducer_free(&state.reducer);
        pc_colour_close(&state.colour);
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
    if (pc_check_pixels(w, h, request->max_pixels, status)) png_error(state.png, "too many pixels");
    state.orientation = exif_orientation(state.png, state.info);

    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(state.png);
    if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(state.png);
    state.alpha = (colour & PNG_COLOR_MASK_ALPHA) || png_get_valid(state.png, state.info, PNG_INFO_tRNS);
    if (png_get_valid(state.png, state.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(state.png);
    if (depth == 16) png_set_scale_16(state.png);
    if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(state.png);
    png_set_add_alpha(state.png, 0xff, PNG_FILLER_AFTER);  // only affects images without alpha
    // Interlace handling stays off: each Adam7 pass arrives as its own small image, and its pixels go straight
    // to their places in the reduced image, so no full-size frame is ever held.
    png_read_update_info(state.png, state.info);
    if (png_get_rowbytes(state.png, state.info) != (size_t)w * 4) {
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "png colour layout is not supported");
        png_error(state.png, "layout");
    }
    int factor = request->block_factor ? request->block_factor(request->context, (int)w, (int)h) : 1;
    if (factor < 1) factor = 1;
    int in_order = interlace == PNG_INTERLACE_NONE;
    double need = pc_reducer_bytes((int)w, (int)h, factor, in_order) + (double)w * 4 + (double)library_limit;
    if (pc_check_memory("png", need, request, in_order ? "rows streamed" : "adam7-interlaced",
                        status)) {
        png_error(state.png, "memory");
    }
    png_charp name = NULL;
    png_bytep profile = NULL;
    png_uint_32 profile_size = 0;
    int compression = 0;
    if (png_get_iCCP(state.png, state.info, &name, &compression, &profile, &profile_size) && profile) {
        pc_colour_open_icc(&state.colour, profile, profile_size, state.alpha ? PC_COLOUR_RGBA : PC_COLOUR_RGB);
    }
    state.row = malloc((size_t)w * 4);
    if (!state.row || pc_reducer_start(&state.reducer, (int)w, (int)h, factor, in_order)) {
        pc_fail(status, PC_FAILED, "out of memory for %ux%u pixels", w, h);
        png_error(state.png, "memory");
    }
    // Opaque pictures are transformed once reduced (far fewer pixels); transparent ones before flattening, so the
    // background stays the sRGB colour asked for.
    const pc_colour *transform = state.colour.transform && state.alpha ? &state.colour : NULL;
    for (int pass = 0; pass < (in_order ? 1 : 7); pass++) {
        int x0 = in_order ? 0 : adam7_x0[pass], dx = in_order ? 1 : adam7_dx[pass];
        int y0 = in_order ? 0 : adam7_y0[pass], dy = in_order ? 1 : adam7_dy[pass];
        if (x0 >= (int)w || y0 >= (int)h) continue;  // libpng skips passes an image is too small for
        int n = ((int)w - x0 + dx - 1) / dx;
        for (int y = y0; y < (int)h; y += dy) {
            png_read_row(state.png, state.row, NULL);
            if (transform) pc_colour_rows(transform, state.row, state.row, (size_t)n);
            pc_flatten(state.row, state.row, n, request->background);
            pc_reducer_put(&state.reducer, y, x0, dx, state.row, n);
        }
    }
    state.pixels_done = 1;
    png_read_end(state.png, state.info);  // an eXIf chunk may follow the image data
    state.orientation = exif_orientation(state.png, state.info);

done:
    free(state.row);
    memcpy(out->warning, state.colour.warning, sizeof out->warning);
    png_destroy_read_struct(&state.png, &state.info, NULL);
    pc_reducer_finish(&state.reducer, out);
    if (state.colour.transform && !state.alpha) {
        pc_colour_rows(&state.colour, out->rgb, out->rgb, (size_t)out->width * (size_t)out->height);
    }
    pc_colour_close(&state.colour);
    out->orientation = state.orientation;
    return PC_OK;
}
