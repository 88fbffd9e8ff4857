// JPEG decode and encode over libjpeg-turbo. Kept in C: libjpeg reports errors through setjmp/longjmp.
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <ctype.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "internal.h"

/// Progressive (or multi-scan) JPEGs with more scans than this are refused: a scan flood is a CPU bomb.
#define PC_MAX_SCANS 500
/// Warnings (corrupt data libjpeg can skip) tolerated before the file counts as corrupt.
#define PC_MAX_WARNINGS 1000

typedef struct jpeg_context {
    struct jpeg_error_mgr err;   // first: libjpeg hands us &err, we cast back
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    pc_status *status;
    long long max_pixels;
    int warnings;
    int header_read;              // past jpeg_read_header: the image's size and rows are known
    j_decompress_ptr decompress;  // NULL while compressing
} jpeg_context;

static int code_for_message(int msg_code) {
    switch (msg_code) {
    case JERR_BAD_PRECISION:
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_BAD_J_COLORSPACE:
    case JERR_CCIR601_NOTIMPL:
    case JERR_SOF_UNSUPPORTED:
        return PC_UNSUPPORTED_FEATURE;
    case JERR_INPUT_EOF:
    case JERR_INPUT_EMPTY:
        return PC_TRUNCATED;
    case JERR_OUT_OF_MEMORY:
    case JERR_NO_BACKING_STORE:
        return PC_FAILED;
    case JERR_IMAGE_TOO_BIG:
        return PC_TOO_MANY_PIXELS;
    default:
        return PC_CORRUPT;
    }
}

/// When the header already declared too many pixels, that is the clearest reason, whatever failed next.
static int declared_too_big(jpeg_context *ctx) {
    if (!ctx->decompress) return 0;
    long long pixels = (long long)ctx->decompress->image_width * (long long)ctx->decompress->image_height;
    if (ctx->max_pixels > 0 && pixels > ctx->max_pixels) {
        pc_fail(ctx->status, PC_TOO_MANY_PIXELS, "image declares %ux%u pixels, more than the limit of %lld",
                ctx->decompress->image_width, ctx->decompress->image_height, ctx->max_pixels);
        return 1;
    }
    return 0;
}

static void on_error(j_common_ptr common) {
    jpeg_context *ctx = (jpeg_context *)common->err;
    if (!declared_too_big(ctx)) {
        char text[JMSG_LENGTH_MAX];
        common->err->format_message(common, text);
        text[0] = (char)tolower((unsigned char)text[0]);
        int code = code_for_message(common->err->msg_code);
        if (common->err->msg_code == JERR_BAD_PRECISION) {
            pc_fail(ctx->status, code, "%d-bit jpeg is not supported (only 8-bit)", common->err->msg_parm.i[0]);
        } else if (code == PC_TRUNCATED) {
            pc_fail(ctx->status, code, "jpeg is truncated (%s)", text);
        } else if (code == PC_FAILED && common->err->msg_code != JERR_OUT_OF_MEMORY) {
            pc_fail(ctx->status, code, "jpeg needs more decoder memory than allowed (%s)", text);
        } else {
            pc_fail(ctx->status, code, "jpeg: %s", text);
        }
    }
    longjmp(ctx->jump, 1);
}

static void on_message(j_common_ptr common, int level) {
    jpeg_context *ctx = (jpeg_context *)common->err;
    if (level >= 0) return;  // trace messages: ignore
    if (common->err->msg_code == JWRN_JPEG_EOF) {
        // The data ran out. Files that end in the last row of blocks (typically only the EOI marker is missing,
        // or the decoder read ahead past the final bits) are complete pictures, as every viewer shows them;
        // anything shorter is truncated.
        j_decompress_ptr d = ctx->decompress;
        if (ctx->header_read && d && d->total_iMCU_rows > 0 && d->input_iMCU_row + 1 >= d->total_iMCU_rows) return;
        if (!declared_too_big(ctx)) pc_fail(ctx->status, PC_TRUNCATED, "jpeg is truncated (premature end of data)");
        longjmp(ctx->jump, 1);
    }
    if (++ctx->warnings > PC_MAX_WARNINGS) {
        pc_fail(ctx->status, PC_CORRUPT, "jpeg is corrupt (more than %d damaged segments)", PC_MAX_WARNINGS);
        longjmp(ctx->jump, 1);
    }
}

static void on_output_message(j_common_ptr common) { (void)common; }  // never print to stderr

static void on_progress(j_common_ptr common) {
    jpeg_context *ctx = (jpeg_context *)common->err;
    if (ctx->decompress && ctx->decompress->input_scan_number > PC_MAX_SCANS) {
        pc_fail(ctx->status, PC_CORRUPT, "jpeg has more than %d scans", PC_MAX_SCANS);
        longjmp(ctx->jump, 1);
    }
}

static void init_errors(jpeg_context *ctx, pc_status *status) {
    memset(ctx, 0, sizeof *ctx);
    ctx->status = status;
    jpeg_std_error(&ctx->err);
    ctx->err.error_exit = on_error;
    ctx->err.emit_message = on_message;
    ctx->err.output_message = on_output_message;
}

static int orientation_of(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
            return pc_exif_orientation(m->data, m->data_length);
        }
    }
    return 1;
}

/// Adobe CMYK JPEGs store inverted ink (255 = no ink); others store plain ink.
static void cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb, int width, int inverted) {
    for (int x = 0; x < width; x++, cmyk += 4, rgb += 3) {
        unsigned c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        rgb[0] = (unsigned char)((c * k + 127) / 255);
        rgb[1] = (unsigned char)((m * k + 127) / 255);
        rgb[2] = (unsigned char)((y * k + 127) / 255);
    }
}

/// What libjpeg will hold for this decode, from the header: every DCT coefficient of a multi-scan (progressive)
/// image at full size whatever the scale, a few block rows of a single-scan one, the scaled output and a row.
static double decode_bytes(j_decompress_ptr cinfo, int multiscan) {
    double bytes = (double)cinfo->output_width * cinfo->output_height * 3 + (double)cinfo->output_width * 4;
    for (int i = 0; i < cinfo->num_components; i++) {
        jpeg_component_info *c = &cinfo->comp_info[i];
        if (multiscan) {
            // Rounded up to whole MCUs, as libjpeg's coefficient controller allocates them.
            double w = c->width_in_blocks + c->h_samp_factor, h = c->height_in_blocks + c->v_samp_factor;
            bytes += w * h * sizeof(JBLOCK);
        } else {
            bytes += (double)c->width_in_blocks * c->v_samp_factor * sizeof(JBLOCK);
        }
        // Sample rows for the IDCT and upsampling: a few block rows of the (scaled) component.
        bytes += (double)c->width_in_blocks * 8 * c->v_samp_factor * 8 * 3;
    }
    return bytes + 256 * 1024;  // tables and bookkeeping
}

// Fields changed between setjmp and longjmp are volatile so the cleanup sees their latest values.
typedef struct jpeg_decode_state {
    struct jpeg_decompress_struct cinfo;
    volatile int created;
    unsigned char *volatile rgb;
    unsigned char *volatile row;
    unsigned char *volatile icc;
    pc_colour colour;
} jpeg_decode_state;

int pc_jpeg_decode(const pc_source *source, const pc_request *request, pc_pixels *out, pc_status *status) {
    jpeg_context ctx;
    jpeg_decode_state state;
    memset(&state, 0, sizeof state);
    memset(out, 0, sizeof *out);
    init_errors(&ctx, status);
    ctx.max_pixels = request->max_pixels;
    if (!source->file && source->size > (size_t)0x7fffffff) {
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "jpeg larger than 2 GB");
        return status->code;
    }

    if (setjmp(ctx.jump)) {
        if (state.created) jpeg_destroy_decompress(&state.cinfo);
        free(state.rgb);
        free(state.row);
        free(state.icc);
        pc_colour_close(&state.colour);
        if (!status->code) pc_fail(status, PC_FAILED, "jpeg decoding failed");
        return status->code;
    }

    struct jpeg_decompress_struct *cinfo = &state.cinfo;
    cinfo->err = &ctx.err;
    jpeg_create_decompress(cinfo);
    state.created = 1;
    ctx.decompress = cinfo;
    ctx.progress.progress_monitor = on_progress;
    cinfo->progress = &ctx.progress;

    if (source->file) {
        jpeg_stdio_src(cinfo, source->file);
    } else {
        jpeg_mem_src(cinfo, source->data, (unsigned long)source->size);
    }
    jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(cinfo, JPEG_APP0 + 2, 0xFFFF);  // ICC profile chunks
    jpeg_read_header(cinfo, TRUE);
    if (declared_too_big(&ctx)) longjmp(ctx.jump, 1);
    ctx.header_read = 1;

    int orientation = orientation_of(cinfo);
    int cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
    cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    int scale = request->dct_scale ? request->dct_scale(request->context, (int)cinfo->image_width,
                                                        (int)cinfo->image_height, orientation)
                                   : 8;
    if (scale < 1 || scale > 8) scale = 8;
    cinfo->scale_num = (unsigned)scale;
    cinfo->scale_denom = 8;
    jpeg_calc_output_dimensions(cinfo);
    int multiscan = jpeg_has_multiple_scans(cinfo);
    double need = decode_bytes(cinfo, multiscan);
    if (pc_check_memory("jpeg", need, request,
                        multiscan ? "progressive, every coefficient held" : "baseline", status)) {
        longjmp(ctx.jump, 1);
    }
    // libjpeg's own allocations stay within what is left of the budget once the output is allocated.
    long long output = (long long)cinfo->output_width * cinfo->output_height * 3;
    if (request->max_memory > 0) {
        cinfo->mem->max_memory_to_use = (long)(request->max_memory - request->reserved - output);
    }

    JOCTET *icc = NULL;
    unsigned int icc_size = 0;
    if (jpeg_read_icc_profile(cinfo, &icc, &icc_size) && icc) {
        state.icc = icc;
        int kind = cmyk ? (cinfo->saw_Adobe_marker ? PC_COLOUR_CMYK_INVERTED : PC_COLOUR_CMYK) : PC_COLOUR_RGB;
        pc_colour_open_icc(&state.colour, icc, icc_size, kind);
        free(state.icc);
        state.icc = NULL;
    }

    jpeg_start_decompress(cinfo);
    size_t bytes = pc_mul3(cinfo->output_width, cinfo->output_height, 3);
    if (!bytes || cinfo->output_components != (cmyk ? 4 : 3)) {
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "jpeg colour layout is not supported");
        longjmp(ctx.jump, 1);
    }
    state.rgb = malloc(bytes);
    if (cmyk) state.row = malloc((size_t)cinfo->output_width * 4);
    if (!state.rgb || (cmyk && !state.row)) {
        pc_fail(status, PC_FAILED, "out of memory for %ux%u pixels", cinfo->output_width, cinfo->output_height);
        longjmp(ctx.jump, 1);
    }
    size_t stride = (size_t)cinfo->output_width * 3;
    const pc_colour *colour = state.colour.transform ? &state.colour : NULL;
    while (cinfo->output_scanline < cinfo->output_height) {
        unsigned char *target = state.rgb + stride * cinfo->output_scanline;
        if (cmyk) {
            JSAMPROW rows[1] = {state.row};
            if (jpeg_read_scanlines(cinfo, rows, 1) != 1) break;
            if (colour) {
                pc_colour_rows(colour, state.row, target, cinfo->output_width);
            } else {
                cmyk_to_rgb(state.row, target, (int)cinfo->output_width, cinfo->saw_Adobe_marker);
            }
        } else {
            // Several rows per call: libjpeg then writes whole row groups straight into the image.
            JSAMPROW rows[16];
            JDIMENSION n = cinfo->output_height - cinfo->output_scanline;
            if (n > 16) n = 16;
            for (JDIMENSION i = 0; i < n; i++) rows[i] = target + stride * i;
            JDIMENSION got = jpeg_read_scanlines(cinfo, rows, n);
            if (got == 0) break;
            if (colour) pc_colour_rows(colour, target, target, (size_t)got * cinfo->output_width);
        }
    }
    if (cinfo->output_scanline < cinfo->output_height) {
        pc_fail(status, PC_TRUNCATED, "jpeg is truncated (no more scanlines)");
        longjmp(ctx.jump, 1);
    }
    // Anything after the last scanline (trailing markers, junk) does not matter: stop here.
    out->rgb = state.rgb;
    out->width = (int)cinfo->output_width;
    out->height = (int)cinfo->output_height;
    out->source_width = (int)cinfo->image_width;
    out->source_height = (int)cinfo->image_height;
    out->scale_x = (double)out->width / out->source_width;
    out->scale_y = (double)out->height / out->source_height;
    out->orientation = orientation;
    memcpy(out->warning, state.colour.warning, sizeof out->warning);
    state.rgb = NULL;
    free(state.row);
    pc_colour_close(&state.colour);
    jpeg_destroy_decompress(cinfo);
    // A multi-scan JPEG held all its coefficients (12 MB for a 2560x1600 photo): give those pages back now, or the
    // allocator keeps them and every later photo of a batch runs on top of them. Single-scan decodes only hold a
    // few rows, so they skip this and keep their cheap reuse of freed memory.
#if defined(__GLIBC__)
    if (multiscan) malloc_trim(0);
#endif
    return PC_OK;
}

// ---- encoding -------------------------------------------------------------------------------------------------

typedef struct byte_destination {
    struct jpeg_destination_mgr pub;
    pc_bytes *bytes;
    jpeg_context *ctx;
} byte_destination;

/// First size of the output buffer; it doubles when full.
#define PC_CHUNK 16384

static void destination_init(j_compress_ptr cinfo) {
    byte_destination *dest = (byte_destination *)cinfo->dest;
    dest->bytes->size = 0;
    if (pc_bytes_reserve(dest->bytes, PC_CHUNK)) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
    dest->pub.next_output_byte = dest->bytes->data;
    dest->pub.free_in_buffer = dest->bytes->capacity;
}

static boolean destination_empty(j_compress_ptr cinfo) {
    byte_destination *dest = (byte_destination *)cinfo->dest;
    size_t used = dest->bytes->capacity;  // libjpeg only calls this when the buffer is full
    if (pc_bytes_reserve(dest->bytes, used * 2)) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 11);
    dest->pub.next_output_byte = dest->bytes->data + used;
    dest->pub.free_in_buffer = dest->bytes->capacity - used;
    return TRUE;
}

static void destination_term(j_compress_ptr cinfo) {
    byte_destination *dest = (byte_destination *)cinfo->dest;
    dest->bytes->size = dest->bytes->capacity - dest->pub.free_in_buffer;
}

typedef struct jpeg_encode_state {
    struct jpeg_compress_struct cinfo;
    volatile int created;
} jpeg_encode_state;

int pc_jpeg_encode(const unsigned char *rgb, int width, int height, int quality, pc_bytes *out, pc_status *status) {
    jpeg_context ctx;
    jpeg_encode_state state;
    byte_destination dest;
    memset(&state, 0, sizeof state);
    init_errors(&ctx, status);
    if (width < 1 || height < 1 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
        pc_fail(status, PC_FAILED, "cannot encode a %dx%d jpeg", width, height);
        return status->code;
    }
    if (setjmp(ctx.jump)) {
        if (state.created) jpeg_destroy_compress(&state.cinfo);
        if (!status->code) pc_fail(status, PC_FAILED, "jpeg encoding failed");
        return status->code;
    }
    struct jpeg_compress_struct *cinfo = &state.cinfo;
    cinfo->err = &ctx.err;
    jpeg_create_compress(cinfo);
    state.created = 1;
    memset(&dest, 0, sizeof dest);
    dest.pub.init_destination = destination_init;
    dest.pub.empty_output_buffer = destination_empty;
    dest.pub.term_destination = destination_term;
    dest.bytes = out;
    dest.ctx = &ctx;
    cinfo->dest = &dest.pub;

    cinfo->image_width = (JDIMENSION)width;
    cinfo->image_height = (JDIMENSION)height;
    cinfo->input_components = 3;
    cinfo->in_color_space = JCS_RGB;
    jpeg_set_defaults(cinfo);
    if (quality < 1) quality = 1;
    if (quality > 100) quality = 100;
    jpeg_set_quality(cinfo, quality, TRUE);
    cinfo->optimize_coding = TRUE;
    cinfo->comp_info[0].h_samp_factor = 2;  // 4:2:0
    cinfo->comp_info[0].v_samp_factor = 2;
    cinfo->comp_info[1].h_samp_factor = cinfo->comp_info[1].v_samp_factor = 1;
    cinfo->comp_info[2].h_samp_factor = cinfo->comp_info[2].v_samp_factor = 1;
    jpeg_start_compress(cinfo, TRUE);
    size_t stride = (size_t)width * 3;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row[1] = {(JSAMPROW)(rgb + stride * cinfo->next_scanline)};
        jpeg_write_scanlines(cinfo, row, 1);
    }
    jpeg_finish_compress(cinfo);
    jpeg_destroy_compress(cinfo);
    return PC_OK;
}
