// WebP through libwebp: lossy, lossless, alpha, and the first frame of an animation (composited on its canvas),
// with the ICCP profile and the EXIF orientation of the container. In C beside the other decoders so rows go
// through the same colour, flatten and reduce steps.
#include <webp/decode.h>
#include <webp/demux.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int fail_status(VP8StatusCode code, pc_status *status) {
    switch (code) {
    case VP8_STATUS_NOT_ENOUGH_DATA: pc_fail(status, PC_TRUNCATED, "webp is truncated (premature end of data)"); break;
    case VP8_STATUS_OUT_OF_MEMORY: pc_fail(status, PC_FAILED, "out of memory decoding webp"); break;
    case VP8_STATUS_UNSUPPORTED_FEATURE: pc_fail(status, PC_UNSUPPORTED_FEATURE, "webp feature not supported"); break;
    default: pc_fail(status, PC_CORRUPT, "webp is corrupt (bitstream error %d)", (int)code); break;
    }
    return status->code;
}

typedef struct webp_state {
    pc_bytes file;
    WebPDemuxer *demux;
    WebPAnimDecoder *animation;
    unsigned char *pixels;  // a still image's decoded pixels (ours)
    unsigned char *row;
    pc_reducer reducer;
    pc_colour colour;
} webp_state;

static void release(webp_state *s) {
    if (s->animation) WebPAnimDecoderDelete(s->animation);
    if (s->demux) WebPDemuxDelete(s->demux);
    pc_bytes_free(&s->file);
    free(s->pixels);
    free(s->row);
    pc_reducer_free(&s->reducer);
    pc_colour_close(&s->colour);
}

int pc_webp_decode(const pc_source *source, const pc_request *request, pc_pixels *out, pc_status *status) {
    memset(out, 0, sizeof *out);
    webp_state s;
    memset(&s, 0, sizeof s);
    WebPBitstreamFeatures features;
    // The header is in the first bytes: refuse a bomb before reading the rest of a file.
    VP8StatusCode code = WebPGetFeatures(source->head, source->head_size, &features);
    if (code == VP8_STATUS_OK && pc_check_pixels(features.width, features.height, request->max_pixels, status)) {
        return status->code;
    }
    if (source->size > 0x7fffffff) {
        pc_fail(status, PC_UNSUPPORTED_FEATURE, "webp larger than 2 GB");
        return status->code;
    }
    const unsigned char *data = pc_source_bytes(source, &s.file, status);
    if (!data) return status->code;
    code = WebPGetFeatures(data, source->size, &features);
    if (code != VP8_STATUS_OK) {
        release(&s);
        return fail_status(code, status);
    }
    WebPData whole = {data, source->size};
    s.demux = WebPDemux(&whole);
    if (!s.demux) {
        release(&s);
        pc_fail(status, PC_CORRUPT, "webp container is corrupt");
        return status->code;
    }
    int w = (int)WebPDemuxGetI(s.demux, WEBP_FF_CANVAS_WIDTH), h = (int)WebPDemuxGetI(s.demux, WEBP_FF_CANVAS_HEIGHT);
    if (pc_check_pixels(w, h, request->max_pixels, status)) {
        release(&s);
        return status->code;
    }
    int alpha = features.has_alpha || features.has_animation;  // a first frame may not cover its canvas
    int channels = alpha ? 4 : 3;
    int factor = request->block_factor ? request->block_factor(request->context, w, h) : 1;
    if (factor < 1) factor = 1;
    // The decoded picture (an animation's canvas twice: libwebp keeps the previous one), lossless's own ARGB
    // frame, the file, and the reduced image.
    double pixels = (double)w * h;
    double need = (double)source->size + pc_reducer_bytes(w, h, factor, 1) + (double)w * 4 +
                  (features.has_animation ? pixels * 4 * 3 : pixels * channels) +
                  (features.format == 2 || features.has_animation ? pixels * 4 : (double)w * 64);
    if (pc_check_memory("webp", need, request,
                        features.has_animation ? "animation canvas" : features.format == 2 ? "lossless" : "lossy",
                        status)) {
        release(&s);
        return status->code;
    }

    int orientation = 1;
    WebPChunkIterator chunk;
    if (WebPDemuxGetChunk(s.demux, "EXIF", 1, &chunk)) {
        orientation = pc_exif_orientation(chunk.chunk.bytes, chunk.chunk.size);
        WebPDemuxReleaseChunkIterator(&chunk);
    }
    if (WebPDemuxGetChunk(s.demux, "ICCP", 1, &chunk)) {
        pc_colour_open_icc(&s.colour, chunk.chunk.bytes, chunk.chunk.size, alpha ? PC_COLOUR_RGBA : PC_COLOUR_RGB);
        WebPDemuxReleaseChunkIterator(&chunk);
    }

    const unsigned char *picture = NULL;
    if (features.has_animation) {
        WebPAnimDecoderOptions options;
        if (!WebPAnimDecoderOptionsInit(&options)) {
            release(&s);
            pc_fail(status, PC_FAILED, "webp animation decoder version mismatch");
            return status->code;
        }
        options.color_mode = MODE_RGBA;  // straight alpha
        options.use_threads = 0;
        s.animation = WebPAnimDecoderNew(&whole, &options);
        uint8_t *frame = NULL;
        int timestamp = 0;
        if (!s.animation || !WebPAnimDecoderGetNext(s.animation, &frame, &timestamp) || !frame) {
            release(&s);
            pc_fail(status, PC_CORRUPT, "webp animation's first frame cannot be decoded");
            return status->code;
        }
        picture = frame;
    } else {
        WebPDecoderConfig config;
        if (!WebPInitDecoderConfig(&config)) {
            release(&s);
            pc_fail(status, PC_FAILED, "webp decoder version mismatch");
            return status->code;
        }
        size_t bytes = pc_mul3((size_t)w, (size_t)h, (size_t)channels);
        s.pixels = bytes ? malloc(bytes) : NULL;
        if (!s.pixels) {
            release(&s);
            pc_fail(status, PC_FAILED, "out of memory for %dx%d pixels", w, h);
            return status->code;
        }
        config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
        config.output.is_external_memory = 1;
        config.output.u.RGBA.rgba = s.pixels;
        config.output.u.RGBA.stride = w * channels;
        config.output.u.RGBA.size = bytes;
        code = WebPDecode(data, source->size, &config);
        WebPFreeDecBuffer(&config.output);  // external memory stays ours; this only resets the buffer
        if (code != VP8_STATUS_OK) {
            release(&s);
            return fail_status(code, status);
        }
        picture = s.pixels;
    }
    // The file is no longer needed once the pixels are out (an animation decoder keeps reading it: not then).
    if (!s.animation) {
        WebPDemuxDelete(s.demux);
        s.demux = NULL;
        pc_bytes_free(&s.file);
    }
    s.row = malloc((size_t)w * 4);
    if (!s.row || pc_reducer_start(&s.reducer, w, h, factor, 1)) {
        release(&s);
        pc_fail(status, PC_FAILED, "out of memory for %dx%d pixels", w, h);
        return status->code;
    }
    // Transparent pictures are transformed before flattening (the background is sRGB); opaque ones once reduced.
    const pc_colour *transform = s.colour.transform && alpha ? &s.colour : NULL;
    for (int y = 0; y < h; y++) {
        const unsigned char *line = picture + (size_t)y * (size_t)w * (size_t)channels;
        if (alpha) {
            if (transform) {
                pc_colour_rows(transform, line, s.row, (size_t)w);
            } else {
                memcpy(s.row, line, (size_t)w * 4);
            }
            pc_flatten(s.row, s.row, w, request->background);
            line = s.row;
        }
        pc_reducer_put(&s.reducer, y, 0, 1, line, w);
    }
    memcpy(out->warning, s.colour.warning, sizeof out->warning);
    pc_reducer_finish(&s.reducer, out);
    if (s.colour.transform && !alpha) pc_colour_rows(&s.colour, out->rgb, out->rgb, (size_t)out->width * out->height);
    out->orientation = orientation;
    release(&s);
    return PC_OK;
}
