// Streamed block averaging: decoders that cannot scale while decoding (PNG, HEIF, WebP) hand each row here, and only
// the reduced image is ever held — a 9990x9990 PNG needs 24 MB instead of 300. In C beside the decoders' row loops.
#include <stdlib.h>
#include <string.h>

#include "internal.h"

double pc_reducer_bytes(int width, int height, int factor, int in_order) {
    double ow = (width + factor - 1) / factor, oh = (height + factor - 1) / factor;
    double sums = factor == 1 ? 0 : in_order ? ow * 3 * sizeof(uint32_t) : ow * oh * 3 * sizeof(uint32_t);
    return ow * oh * 3 + sums;
}

int pc_reducer_start(pc_reducer *r, int width, int height, int factor, int in_order) {
    memset(r, 0, sizeof *r);
    if (factor < 1) factor = 1;
    r->width = width;
    r->height = height;
    r->factor = factor;
    r->out_width = (width + factor - 1) / factor;
    r->out_height = (height + factor - 1) / factor;
    r->in_order = in_order;
    size_t bytes = pc_mul3((size_t)r->out_width, (size_t)r->out_height, 3);
    r->rgb = bytes ? malloc(bytes) : NULL;
    if (!r->rgb) return -1;
    if (factor > 1) {
        size_t rows = in_order ? 1 : (size_t)r->out_height;
        r->sums = calloc(pc_mul3((size_t)r->out_width, rows, 3), sizeof(uint32_t));
        if (!r->sums) {
            pc_reducer_free(r);
            return -1;
        }
    }
    return 0;
}

/// Writes the averages of block row `by` from `sums` (one block row) into the image.
static void average_row(pc_reducer *r, int by, const uint32_t *sums) {
    int f = r->factor;
    int top = by * f, bottom = top + f < r->height ? top + f : r->height;
    unsigned char *row = r->rgb + (size_t)by * (size_t)r->out_width * 3;
    for (int bx = 0; bx < r->out_width; bx++) {
        int left = bx * f, right = left + f < r->width ? left + f : r->width;
        uint32_t n = (uint32_t)((right - left) * (bottom - top));
        for (int c = 0; c < 3; c++) row[bx * 3 + c] = (unsigned char)((sums[bx * 3 + c] + n / 2) / n);
    }
}

void pc_reducer_put(pc_reducer *r, int y, int x0, int dx, const unsigned char *rgb, int n) {
    int f = r->factor;
    if (f == 1) {
        unsigned char *out = r->rgb + ((size_t)y * (size_t)r->width + (size_t)x0) * 3;
        if (dx == 1) {
            memcpy(out, rgb, (size_t)n * 3);
            return;
        }
        for (int i = 0; i < n; i++, rgb += 3, out += (size_t)dx * 3) memcpy(out, rgb, 3);
        return;
    }
    int by = y / f;
    uint32_t *sums = r->sums;
    if (r->in_order) {
        if (by != r->sum_row) {  // a new block row: the previous one is complete
            average_row(r, r->sum_row, sums);
            memset(sums, 0, sizeof(uint32_t) * (size_t)r->out_width * 3);
            r->sum_row = by;
        }
    } else {
        sums += (size_t)by * (size_t)r->out_width * 3;
    }
    if (dx == 1) {
        int x = x0, i = 0;
        while (i < n) {  // whole blocks of a row at a time
            uint32_t *sum = sums + (size_t)(x / f) * 3;
            int run = f - x % f;
            if (run > n - i) run = n - i;
            for (int k = 0; k < run; k++, rgb += 3) {
                sum[0] += rgb[0];
                sum[1] += rgb[1];
                sum[2] += rgb[2];
            }
            i += run;
            x += run;
        }
        return;
    }
    for (int i = 0, x = x0; i < n; i++, x += dx, rgb += 3) {
        uint32_t *sum = sums + (size_t)(x / f) * 3;
        sum[0] += rgb[0];
        sum[1] += rgb[1];
        sum[2] += rgb[2];
    }
}

void pc_reducer_finish(pc_reducer *r, pc_pixels *out) {
    if (r->factor > 1) {
        if (r->in_order) {
            average_row(r, r->sum_row, r->sums);
        } else {
            for (int by = 0; by < r->out_height; by++) {
                average_row(r, by, r->sums + (size_t)by * (size_t)r->out_width * 3);
            }
        }
    }
    out->rgb = r->rgb;
    out->width = r->out_width;
    out->height = r->out_height;
    out->source_width = r->width;
    out->source_height = r->height;
    out->scale_x = out->scale_y = 1.0 / r->factor;
    r->rgb = NULL;
    pc_reducer_free(r);
}

void pc_reducer_free(pc_reducer *r) {
    free(r->rgb);
    free(r->sums);
    r->rgb = NULL;
    r->sums = NULL;
}

void pc_flatten(const unsigned char *rgba, unsigned char *rgb, int width, const unsigned char bg[3]) {
    for (int x = 0; x < width; x++, rgba += 4, rgb += 3) {
        unsigned a = rgba[3];
        if (a == 255) {
            rgb[0] = rgba[0];
            rgb[1] = rgba[1];
            rgb[2] = rgba[2];
        } else {
            unsigned b = 255 - a;
            unsigned r0 = rgba[0], g0 = rgba[1], b0 = rgba[2];  // read before writing: in may equal out
            rgb[0] = (unsigned char)((r0 * a + bg[0] * b + 127) / 255);
            rgb[1] = (unsigned char)((g0 * a + bg[1] * b + 127) / 255);
            rgb[2] = (unsigned char)((b0 * a + bg[2] * b + 127) / 255);
        }
    }
}
