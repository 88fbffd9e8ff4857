// Test-only JPEG and PNG writers over libjpeg and libpng (see fixtures.h). Kept in C: both report errors by longjmp.
#include <stdio.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <libheif/heif.h>
#include <png.h>
#include <setjmp.h>
#include <webp/encode.h>
#include <webp/mux.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static void set_failure(pc_buffer *out, int code, const char *message) {
    out->status = code;
    snprintf(out->message, sizeof out->message, "%s", message);
}

// ---- JPEG -------------------------------------------------------------------------------------------------------

typedef struct jpeg_failure {
    struct jpeg_error_mgr err;  // first: libjpeg hands us &err
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void on_jpeg_error(j_common_ptr common) {
    jpeg_failure *failure = (jpeg_failure *)common->err;
    common->err->format_message(common, failure->message);
    longjmp(failure->jump, 1);
}

typedef struct jpeg_write_state {
    struct jpeg_compress_struct cinfo;
    unsigned long size;
} jpeg_write_state;

int pcfix_write_jpeg(const unsigned char *pixels, int width, int height, int components, int quality, int flags,
                     pc_buffer *out) {
    memset(out, 0, sizeof *out);
    if (components != 1 && components != 3 && components != 4) {
        set_failure(out, PC_FAILED, "test jpeg needs 1, 3 or 4 components");
        return out->status;
    }
    J_COLOR_SPACE space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_failure failure;
    jpeg_write_state state;
    memset(&state, 0, sizeof state);
    state.cinfo.err = jpeg_std_error(&failure.err);
    failure.err.error_exit = on_jpeg_error;
    if (setjmp(failure.jump)) {
        jpeg_destroy_compress(&state.cinfo);  // a test-only failure: the memory destination's buffer may leak
        set_failure(out, PC_FAILED, failure.message);
        return out->status;
    }
    struct jpeg_compress_struct *cinfo = &state.cinfo;
    jpeg_create_compress(cinfo);
    unsigned char *data = NULL;
    jpeg_mem_dest(cinfo, &data, &state.size);
    cinfo->image_width = (JDIMENSION)width;
    cinfo->image_height = (JDIMENSION)height;
    cinfo->input_components = components;
    cinfo->in_color_space = space;
    jpeg_set_defaults(cinfo);
    if (space == JCS_CMYK && (flags & PCFIX_YCCK)) jpeg_set_colorspace(cinfo, JCS_YCCK);
    jpeg_set_quality(cinfo, quality, TRUE);
    if (flags & PCFIX_ARITHMETIC) {
        cinfo->arith_code = TRUE;
    } else {
        cinfo->optimize_coding = TRUE;
    }
    if (space == JCS_RGB) {  // 4:2:0, as cameras write
        cinfo->comp_info[0].h_samp_factor = cinfo->comp_info[0].v_samp_factor = 2;
        cinfo->comp_info[1].h_samp_factor = cinfo->comp_info[1].v_samp_factor = 1;
        cinfo->comp_info[2].h_samp_factor = cinfo->comp_info[2].v_samp_factor = 1;
    }
    if (flags & PCFIX_PROGRESSIVE) jpeg_simple_progression(cinfo);
    jpeg_scan_info flood[1 + 63 * 10];
    if ((flags & PCFIX_SCAN_FLOOD) && components == 1) {
        // DC in one scan, then each AC coefficient alone: a first scan at bit 9, refinements down to bit 0.
        int n = 0;
        flood[n++] = (jpeg_scan_info){1, {0}, 0, 0, 0, 0};
        for (int k = 1; k <= 63; k++) {
            flood[n++] = (jpeg_scan_info){1, {0}, k, k, 0, 9};
            for (int bit = 8; bit >= 0; bit--) flood[n++] = (jpeg_scan_info){1, {0}, k, k, bit + 1, bit};
        }
        cinfo->scan_info = flood;
        cinfo->num_scans = n;
    }
    jpeg_start_compress(cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row[1] = {(JSAMPROW)(pixels + stride * cinfo->next_scanline)};
        jpeg_write_scanlines(cinfo, row, 1);
    }
    jpeg_finish_compress(cinfo);  // sets data to the final (possibly moved) buffer
    jpeg_destroy_compress(cinfo);
    out->data = data;
    out->size = state.size;
    return PC_OK;
}

// ---- PNG --------------------------------------------------------------------------------------------------------

typedef struct png_writer {
    unsigned char *data;
    size_t size, capacity;
} png_writer;

static void on_png_error(png_structp png, png_const_charp message) {
    (void)message;
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

/// Appends to the growable output (PNG and HEIF writers). Returns 0, or -1 out of memory.
static int append(png_writer *w, const void *data, size_t count) {
    if (w->size + count > w->capacity) {
        size_t capacity = (w->size + count) * 2;
        unsigned char *grown = realloc(w->data, capacity);
        if (!grown) return -1;
        w->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->data + w->size, data, count);
    w->size += count;
    return 0;
}

static void write_bytes(png_structp png, png_bytep data, size_t count) {
    if (append(png_get_io_ptr(png), data, count)) png_error(png, "out of memory");
}

static void flush_bytes(png_structp png) { (void)png; }

typedef struct png_write_state {
    png_structp png;
    png_infop info;
    png_bytep *volatile rows;
} png_write_state;

int pcfix_write_png(const unsigned char *pixels, int width, int height, int color_type, int bit_depth,
                    int interlaced, const unsigned char *exif, size_t exif_size, const unsigned char *icc,
                    size_t icc_size, pc_buffer *out) {
    memset(out, 0, sizeof *out);
    int channels = color_type == PNG_COLOR_TYPE_GRAY ? 1
                   : color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                   : color_type == PNG_COLOR_TYPE_RGB ? 3
                   : color_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4 : 0;
    if (!channels || width < 1 || height < 1 || (bit_depth != 8 && bit_depth != 16)) {
        set_failure(out, PC_FAILED, "test png needs grey/rgb(a) at 8 or 16 bits");
        return out->status;
    }
    png_writer writer = {0};
    png_write_state state = {0};
    state.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_png_error, on_png_warning);
    if (state.png) state.info = png_create_info_struct(state.png);
    if (!state.png || !state.info) {
        set_failure(out, PC_FAILED, "out of memory starting the png encoder");
    } else if (setjmp(png_jmpbuf(state.png))) {
        set_failure(out, PC_FAILED, "png encoding failed");
    } else {
        png_set_write_fn(state.png, &writer, write_bytes, flush_bytes);
        png_set_IHDR(state.png, state.info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_type,
                     interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                     PNG_FILTER_TYPE_DEFAULT);
        if (exif && exif_size > 0) png_set_eXIf_1(state.png, state.info, (png_uint_32)exif_size, (png_bytep)exif);
        if (icc && icc_size > 0) {
            png_set_iCCP(state.png, state.info, "icc", PNG_COMPRESSION_TYPE_BASE, icc, (png_uint_32)icc_size);
        }
        png_write_info(state.png, state.info);
        size_t stride = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
        state.rows = malloc(sizeof(png_bytep) * (size_t)height);
        if (!state.rows) png_error(state.png, "out of memory");
        for (int y = 0; y < height; y++) state.rows[y] = (png_bytep)(pixels + stride * (size_t)y);
        png_write_image(state.png, state.rows);
        png_write_end(state.png, NULL);
    }
    free(state.rows);
    png_destroy_write_struct(&state.png, &state.info);
    if (out->status) {
        free(writer.data);
    } else {
        out->data = writer.data;
        out->size = writer.size;
    }
    return out->status;
}

// ---- WebP -------------------------------------------------------------------------------------------------------

static int take_webp(WebPData *data, pc_buffer *out) {
    out->data = malloc(data->size);
    if (!out->data) {
        WebPDataClear(data);
        set_failure(out, PC_FAILED, "out of memory");
        return out->status;
    }
    memcpy(out->data, data->bytes, data->size);
    out->size = data->size;
    WebPDataClear(data);
    return PC_OK;
}

int pcfix_write_webp(const unsigned char *pixels, int width, int height, int channels, int lossless, int quality,
                     const unsigned char *icc, size_t icc_size, const unsigned char *exif, size_t exif_size,
                     pc_buffer *out) {
    memset(out, 0, sizeof *out);
    uint8_t *encoded = NULL;
    size_t size = 0;
    int stride = width * channels;
    if (channels == 4) {
        size = lossless ? WebPEncodeLosslessRGBA(pixels, width, height, stride, &encoded)
                        : WebPEncodeRGBA(pixels, width, height, stride, (float)quality, &encoded);
    } else if (channels == 3) {
        size = lossless ? WebPEncodeLosslessRGB(pixels, width, height, stride, &encoded)
                        : WebPEncodeRGB(pixels, width, height, stride, (float)quality, &encoded);
    }
    if (!size) {
        set_failure(out, PC_FAILED, "webp encoding failed");
        return out->status;
    }
    WebPData image = {encoded, size}, assembled = {NULL, 0};
    if ((!icc || !icc_size) && (!exif || !exif_size)) {
        WebPData copy = {encoded, size};
        return take_webp(&copy, out);  // WebPDataClear frees with WebPFree, as WebPEncode* allocated it
    }
    WebPMux *mux = WebPMuxNew();
    int ok = mux && WebPMuxSetImage(mux, &image, 1) == WEBP_MUX_OK;
    if (ok && icc && icc_size) {
        WebPData chunk = {icc, icc_size};
        ok = WebPMuxSetChunk(mux, "ICCP", &chunk, 1) == WEBP_MUX_OK;
    }
    if (ok && exif && exif_size) {
        WebPData chunk = {exif, exif_size};
        ok = WebPMuxSetChunk(mux, "EXIF", &chunk, 1) == WEBP_MUX_OK;
    }
    ok = ok && WebPMuxAssemble(mux, &assembled) == WEBP_MUX_OK;
    WebPMuxDelete(mux);
    WebPFree(encoded);
    if (!ok) {
        set_failure(out, PC_FAILED, "webp muxing failed");
        return out->status;
    }
    return take_webp(&assembled, out);
}

int pcfix_write_animated_webp(const unsigned char *rgba, int width, int height, int frames, pc_buffer *out) {
    memset(out, 0, sizeof *out);
    WebPAnimEncoderOptions options;
    WebPConfig config;
    WebPPicture picture;
    if (!WebPAnimEncoderOptionsInit(&options) || !WebPConfigInit(&config) || !WebPPictureInit(&picture)) {
        set_failure(out, PC_FAILED, "webp version mismatch");
        return out->status;
    }
    config.lossless = 1;
    WebPAnimEncoder *encoder = WebPAnimEncoderNew(width, height, &options);
    int ok = encoder != NULL;
    picture.width = width;
    picture.height = height;
    picture.use_argb = 1;
    for (int i = 0; ok && i < frames; i++) {
        ok = WebPPictureImportRGBA(&picture, rgba + (size_t)i * (size_t)width * (size_t)height * 4, width * 4) &&
             WebPAnimEncoderAdd(encoder, &picture, i * 100, &config);
    }
    WebPData assembled = {NULL, 0};
    ok = ok && WebPAnimEncoderAdd(encoder, NULL, frames * 100, NULL) && WebPAnimEncoderAssemble(encoder, &assembled);
    WebPPictureFree(&picture);
    if (encoder) WebPAnimEncoderDelete(encoder);
    if (!ok) {
        set_failure(out, PC_FAILED, "webp animation encoding failed");
        return out->status;
    }
    return take_webp(&assembled, out);
}

// ---- ICC ----------------------------------------------------------------------------------------------------------

int pcfix_rgb_profile(const double primaries[6], pc_buffer *out) {
    memset(out, 0, sizeof *out);
    cmsCIExyY white = {0.3127, 0.3290, 1.0};
    cmsCIExyYTRIPLE rgb = {{primaries[0], primaries[1], 1.0}, {primaries[2], primaries[3], 1.0},
                           {primaries[4], primaries[5], 1.0}};
    double params[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};  // the sRGB curve
    cmsToneCurve *curve = cmsBuildParametricToneCurve(NULL, 4, params);
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsHPROFILE profile = curve ? cmsCreateRGBProfile(&white, &rgb, curves) : NULL;
    cmsUInt32Number size = 0;
    if (profile && cmsSaveProfileToMem(profile, NULL, &size) && size > 0 && (out->data = malloc(size)) &&
        cmsSaveProfileToMem(profile, out->data, &size)) {
        out->size = size;
    } else {
        free(out->data);
        out->data = NULL;
        set_failure(out, PC_FAILED, "cannot build the icc profile");
    }
    if (profile) cmsCloseProfile(profile);
    if (curve) cmsFreeToneCurve(curve);
    return out->status;
}

// ---- HEIF ---------------------------------------------------------------------------------------------------------

static struct heif_error heif_append(struct heif_context *context, const void *data, size_t size, void *userdata) {
    (void)context;
    struct heif_error ok = {heif_error_Ok, heif_suberror_Unspecified, "ok"};
    struct heif_error failed = {heif_error_Encoding_error, heif_suberror_Cannot_write_output_data, "out of memory"};
    return append(userdata, data, size) ? failed : ok;
}

int pcfix_write_heif(const unsigned char *rgb, int width, int height, int bits, int avif, int quality, int orientation,
                     const unsigned char *exif, size_t exif_size, const unsigned char *icc, size_t icc_size,
                     pc_buffer *out) {
    memset(out, 0, sizeof *out);
    heif_init(NULL);
    struct heif_context *context = heif_context_alloc();
    struct heif_image *image = NULL;
    struct heif_encoder *encoder = NULL;
    struct heif_encoding_options *options = heif_encoding_options_alloc();
    struct heif_image_handle *handle = NULL;
    png_writer writer = {0};
    int deep = bits > 8, row = width * 3 * (deep ? 2 : 1);
    enum heif_chroma chroma = deep ? heif_chroma_interleaved_RRGGBB_LE : heif_chroma_interleaved_RGB;
    struct heif_error e = heif_image_create(width, height, heif_colorspace_RGB, chroma, &image);
    if (e.code == heif_error_Ok) {
        e = heif_image_add_plane(image, heif_channel_interleaved, width, height, deep ? bits : 8);
    }
    if (e.code == heif_error_Ok) {
        int stride = 0;
        uint8_t *plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
        for (int y = 0; y < height; y++) memcpy(plane + (size_t)y * stride, rgb + (size_t)y * row, row);
        if (icc && icc_size) e = heif_image_set_raw_color_profile(image, "prof", icc, icc_size);
    }
    if (e.code == heif_error_Ok) {
        e = heif_context_get_encoder_for_format(context, avif ? heif_compression_AV1 : heif_compression_HEVC,
                                                &encoder);
    }
    if (e.code == heif_error_Ok) e = heif_encoder_set_lossy_quality(encoder, quality);
    if (e.code == heif_error_Ok) {
        options->image_orientation = (enum heif_orientation)orientation;
        e = heif_context_encode_image(context, image, encoder, options, &handle);
    }
    if (e.code == heif_error_Ok && exif && exif_size) {
        e = heif_context_add_exif_metadata(context, handle, exif, (int)exif_size);
    }
    struct heif_writer sink = {1, heif_append};
    if (e.code == heif_error_Ok) e = heif_context_write(context, &sink, &writer);
    if (handle) heif_image_handle_release(handle);
    if (encoder) heif_encoder_release(encoder);
    if (image) heif_image_release(image);
    heif_encoding_options_free(options);
    heif_context_free(context);
    heif_deinit();
    if (e.code != heif_error_Ok) {
        free(writer.data);
        set_failure(out, PC_FAILED, e.message);
        return out->status;
    }
    out->data = writer.data;
    out->size = writer.size;
    return PC_OK;
}

// ---- large files, row by row ----------------------------------------------------------------------------------------

/// Row y of the synthetic picture as RGB or RGBA (alpha a gentle ramp, never fully transparent).
static void large_row(unsigned char *row, int width, int height, int y, int channels, int grainy) {
    uint32_t state = (uint32_t)y * 2654435761u + 12345u;
    for (int x = 0; x < width; x++, row += channels) {
        state = state * 1664525u + 1013904223u;
        int grain = grainy ? (int)(state >> 28) - 8 : 0;
        int r = x * 255 / width + grain, g = y * 255 / height - grain, b = 128 + (x - y) % 64;
        row[0] = (unsigned char)(r < 0 ? 0 : r > 255 ? 255 : r);
        row[1] = (unsigned char)(g < 0 ? 0 : g > 255 ? 255 : g);
        row[2] = (unsigned char)b;
        if (channels == 4) row[3] = (unsigned char)(128 + x * 127 / width);
    }
}

int pcfix_write_large(const char *path, int kind, int width, int height, pc_buffer *status) {
    memset(status, 0, sizeof *status);
    FILE *file = fopen(path, "wb");
    int channels = kind == 1 ? 4 : 3;
    unsigned char *row = malloc((size_t)width * (size_t)channels);
    if (!file || !row) {
        if (file) fclose(file);
        free(row);
        set_failure(status, PC_FAILED, "cannot open the output");
        return status->status;
    }
    if (kind <= 1) {
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_png_error, on_png_warning);
        png_infop info = png ? png_create_info_struct(png) : NULL;
        if (!png || !info || setjmp(png_jmpbuf(png))) {
            set_failure(status, PC_FAILED, "png encoding failed");
        } else {
            png_init_io(png, file);
            png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                         kind == 1 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                         kind == 1 ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                         PNG_FILTER_TYPE_DEFAULT);
            png_write_info(png, info);
            int passes = png_set_interlace_handling(png);
            for (int pass = 0; pass < passes; pass++) {
                for (int y = 0; y < height; y++) {
                    large_row(row, width, height, y, channels, 0);
                    png_write_row(png, row);
                }
            }
            png_write_end(png, NULL);
        }
        png_destroy_write_struct(&png, &info);
    } else {
        jpeg_failure failure;
        struct jpeg_compress_struct cinfo;
        cinfo.err = jpeg_std_error(&failure.err);
        failure.err.error_exit = on_jpeg_error;
        if (setjmp(failure.jump)) {
            set_failure(status, PC_FAILED, failure.message);
        } else {
            jpeg_create_compress(&cinfo);
            jpeg_stdio_dest(&cinfo, file);
            cinfo.image_width = (JDIMENSION)width;
            cinfo.image_height = (JDIMENSION)height;
            cinfo.input_components = 3;
            cinfo.in_color_space = JCS_RGB;
            jpeg_set_defaults(&cinfo);
            jpeg_set_quality(&cinfo, 50, TRUE);
            if (kind == 3) jpeg_simple_progression(&cinfo);
            jpeg_start_compress(&cinfo, TRUE);
            while (cinfo.next_scanline < cinfo.image_height) {
                large_row(row, width, height, (int)cinfo.next_scanline, 3, 1);
                JSAMPROW rows[1] = {row};
                jpeg_write_scanlines(&cinfo, rows, 1);
            }
            jpeg_finish_compress(&cinfo);
        }
        jpeg_destroy_compress(&cinfo);
    }
    free(row);
    if (fclose(file) != 0 && !status->status) set_failure(status, PC_FAILED, "cannot write the output");
    return status->status;
}
