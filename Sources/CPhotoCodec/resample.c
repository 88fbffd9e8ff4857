// Geometry and pixels: orienting pixels, rectangles between upright and stored space, Lanczos3 resampling.
// In C next to the decoders so the whole pixel path runs without crossing into Swift per row.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/// AVX2 and baseline copies of the hot loops, picked at load time (ifunc: Linux on x86-64 only).
#if defined(__x86_64__) && defined(__linux__)
#define PC_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PC_VECTOR_CLONES
#endif

#define PC_WEIGHT_BITS 14
#define PC_WEIGHT_ONE (1 << PC_WEIGHT_BITS)

pc_rect pc_rect_to_stored(pc_rect r, int uw, int uh, int orientation) {
    double flip_x = uw - r.x - r.w, flip_y = uh - r.y - r.h;
    switch (orientation) {
    case 2: return (pc_rect){flip_x, r.y, r.w, r.h};
    case 3: return (pc_rect){flip_x, flip_y, r.w, r.h};
    case 4: return (pc_rect){r.x, flip_y, r.w, r.h};
    case 5: return (pc_rect){r.y, r.x, r.h, r.w};
    case 6: return (pc_rect){r.y, flip_x, r.h, r.w};
    case 7: return (pc_rect){flip_y, flip_x, r.h, r.w};
    case 8: return (pc_rect){flip_y, r.x, r.h, r.w};
    default: return r;
    }
}

void pc_orient(const unsigned char *src, int w, int h, int orientation, unsigned char *dst) {
    if (orientation < 2 || orientation > 8) {
        memcpy(dst, src, (size_t)w * (size_t)h * 3);
        return;
    }
    int transposed = orientation >= 5;
    int uw = transposed ? h : w, uh = transposed ? w : h;
    for (int y = 0; y < uh; y++) {
        unsigned char *out = dst + (size_t)y * (size_t)uw * 3;
        for (int x = 0; x < uw; x++, out += 3) {
            int sx, sy;
            switch (orientation) {
            case 2: sx = uw - 1 - x; sy = y; break;
            case 3: sx = uw - 1 - x; sy = uh - 1 - y; break;
            case 4: sx = x; sy = uh - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = uw - 1 - x; break;
            case 7: sx = uh - 1 - y; sy = uw - 1 - x; break;
            default: sx = uh - 1 - y; sy = x; break;  // 8
            }
            const unsigned char *in = src + ((size_t)sy * (size_t)w + (size_t)sx) * 3;
            out[0] = in[0];
            out[1] = in[1];
            out[2] = in[2];
        }
    }
}

/// Precomputed fixed-point weights: output i reads count[i] source pixels from start[i].
typedef struct kernel {
    int taps;
    int *start;
    int *count;
    int16_t *weights;  // taps per output
} kernel;

/// Lanczos3 at x0, x0 + step, ... (n points) into out. The sines come from angle-addition steps rather than a
/// sin() call per tap: building the kernels was a fifth of the resample's time that way.
static void lanczos3_taps(double x0, double step, int n, double *out) {
    double a = M_PI * x0, da = M_PI * step;  // angle of sin(pi x)
    double s1 = sin(a), c1 = cos(a), s3 = sin(a / 3), c3 = cos(a / 3);
    double ds1 = sin(da), dc1 = cos(da), ds3 = sin(da / 3), dc3 = cos(da / 3);
    for (int j = 0; j < n; j++) {
        double x = x0 + j * step;
        if (x <= -3 || x >= 3) {
            out[j] = 0;
        } else if (fabs(x) < 1e-9) {
            out[j] = 1;
        } else {
            out[j] = 3 * s1 * s3 / (M_PI * M_PI * x * x);  // sinc(x) * sinc(x / 3)
        }
        double next1 = s1 * dc1 + c1 * ds1, next3 = s3 * dc3 + c3 * ds3;
        c1 = c1 * dc1 - s1 * ds1;
        c3 = c3 * dc3 - s3 * ds3;
        s1 = next1;
        s3 = next3;
    }
}

static void kernel_free(kernel *k) {
    free(k->start);
    free(k->count);
    free(k->weights);
}

static int kernel_build(kernel *k, int src_len, double from, double length, int dst_len) {
    memset(k, 0, sizeof *k);
    double scale = length / dst_len;
    double stretch = scale > 1 ? scale : 1;  // widen the filter when shrinking so it also low-passes
    double support = 3 * stretch;
    // Pixels j with |j + 0.5 - centre| < support: at most ceil(2 * support); rounded up to 8 for the vector units.
    k->taps = ((int)ceil(2 * support) + 7) / 8 * 8;
    k->start = malloc(sizeof(int) * (size_t)dst_len);
    k->count = malloc(sizeof(int) * (size_t)dst_len);
    k->weights = calloc((size_t)dst_len * (size_t)k->taps, sizeof(int16_t));
    double *raw = malloc(sizeof(double) * (size_t)k->taps);
    if (!k->start || !k->count || !k->weights || !raw) {
        free(raw);
        kernel_free(k);
        return -1;
    }
    for (int i = 0; i < dst_len; i++) {
        double centre = from + (i + 0.5) * scale;
        int left = (int)floor(centre - support - 0.5) + 1, right = (int)ceil(centre + support - 0.5);
        if (left < 0) left = 0;
        if (right > src_len) right = src_len;
        if (right - left > k->taps) right = left + k->taps;
        if (right <= left) {  // centre outside the image (cannot happen for valid regions): nearest edge
            left = centre < 0 ? 0 : src_len - 1;
            right = left + 1;
        }
        int n = right - left;
        double sum = 0;
        lanczos3_taps((left + 0.5 - centre) / stretch, 1 / stretch, n, raw);
        for (int j = 0; j < n; j++) sum += raw[j];
        int16_t *w = k->weights + (size_t)i * (size_t)k->taps;
        if (sum == 0) {
            raw[0] = sum = 1;
            for (int j = 1; j < n; j++) raw[j] = 0;
        }
        int total = 0, biggest = 0;
        for (int j = 0; j < n; j++) {
            w[j] = (int16_t)lround(raw[j] / sum * PC_WEIGHT_ONE);
            total += w[j];
            if (w[j] > w[biggest]) biggest = j;
        }
        w[biggest] = (int16_t)(w[biggest] + PC_WEIGHT_ONE - total);  // weights sum exactly to one
        k->start[i] = left;
        k->count[i] = n;
    }
    free(raw);
    return 0;
}

/// Fixed-point scales: weights carry 14 fraction bits, the vertical pass keeps 6 of them for the horizontal one.
#define PC_MIDDLE_SHIFT 8
#define PC_FINAL_SHIFT (2 * PC_WEIGHT_BITS - PC_MIDDLE_SHIFT)

static inline unsigned char clamp_final(int32_t value) {
    value >>= PC_FINAL_SHIFT;
    return (unsigned char)(value < 0 ? 0 : value > 255 ? 255 : value);
}

/// sums[i] = rounding + sum of weight[j] * rows[j][i]: contiguous rows, so it vectorises (AVX2 when present).
PC_VECTOR_CLONES
static void vertical_pass(const unsigned char *first_row, size_t stride, const int16_t *weights, int count,
                          int32_t *sums, size_t n) {
    for (size_t i = 0; i < n; i++) sums[i] = 1 << (PC_MIDDLE_SHIFT - 1);
    int j = 0;
    for (; j + 1 < count; j += 2) {  // two taps per step: the 16-bit multiply-add pairs them
        const unsigned char *row0 = first_row + (size_t)j * stride, *row1 = row0 + stride;
        int16_t w0 = weights[j], w1 = weights[j + 1];
        for (size_t i = 0; i < n; i++) sums[i] += (int32_t)w0 * (int16_t)row0[i] + (int32_t)w1 * (int16_t)row1[i];
    }
    for (; j < count; j++) {
        const unsigned char *row = first_row + (size_t)j * stride;
        int32_t w = weights[j];
        for (size_t i = 0; i < n; i++) sums[i] += w * row[i];
    }
}

/// Splits interleaved RGB sums into three 16-bit planes so each horizontal tap run is contiguous.
static void split_planes(const int32_t *sums, int columns, int16_t *r, int16_t *g, int16_t *b) {
    for (int x = 0; x < columns; x++, sums += 3) {
        r[x] = (int16_t)(sums[0] >> PC_MIDDLE_SHIFT);
        g[x] = (int16_t)(sums[1] >> PC_MIDDLE_SHIFT);
        b[x] = (int16_t)(sums[2] >> PC_MIDDLE_SHIFT);
    }
}

/// One output channel of one row: a fixed-length dot product per pixel (zero-padded weights), vectorised. The
/// common tap counts get their own loops with a constant length, which the compiler unrolls into a few
/// multiply-adds.
#define PC_HORIZONTAL(TAPS)                                                                                            \
    for (int x = 0; x < dw; x++, out += 3) {                                                                           \
        const int16_t *p = plane + (k->start[x] - first);                                                              \
        const int16_t *w = k->weights + (size_t)x * (size_t)(TAPS);                                                    \
        int32_t sum = 1 << (PC_FINAL_SHIFT - 1);                                                                       \
        for (int j = 0; j < (TAPS); j++) sum += (int32_t)w[j] * p[j];                                                  \
        *out = clamp_final(sum);                                                                                       \
    }

PC_VECTOR_CLONES
static void horizontal_pass(const int16_t *plane, const kernel *k, int first, int dw, unsigned char *out) {
    int taps = k->taps;
    switch (taps) {
    case 8: PC_HORIZONTAL(8) break;
    case 16: PC_HORIZONTAL(16) break;
    case 24: PC_HORIZONTAL(24) break;
    default: PC_HORIZONTAL(taps) break;
    }
}

static int lanczos(const unsigned char *src, int sw, int sh, pc_rect region, unsigned char *dst, int dw, int dh) {
    kernel kx, ky;
    if (kernel_build(&kx, sw, region.x, region.w, dw)) return -1;
    if (kernel_build(&ky, sh, region.y, region.h, dh)) {
        kernel_free(&kx);
        return -1;
    }
    // Only the source columns some output pixel reads.
    int first = kx.start[0], last = first;
    for (int x = 0; x < dw; x++) {
        if (kx.start[x] < first) first = kx.start[x];
        if (kx.start[x] + kx.count[x] > last) last = kx.start[x] + kx.count[x];
    }
    int columns = last - first;
    size_t plane_length = (size_t)columns + (size_t)kx.taps;  // padding: fixed-length taps may read past the end
    int32_t *sums = malloc(sizeof(int32_t) * (size_t)columns * 3);
    int16_t *planes = calloc(plane_length * 3, sizeof(int16_t));
    if (!sums || !planes) {
        free(sums);
        free(planes);
        kernel_free(&kx);
        kernel_free(&ky);
        return -1;
    }
    size_t stride = (size_t)sw * 3;
    // Vertical first, one output row at a time: the wide pass vectorises, and only dh rows go horizontal.
    for (int y = 0; y < dh; y++) {
        const unsigned char *rows = src + (size_t)ky.start[y] * stride + (size_t)first * 3;
        vertical_pass(rows, stride, ky.weights + (size_t)y * (size_t)ky.taps, ky.count[y], sums, (size_t)columns * 3);
        split_planes(sums, columns, planes, planes + plane_length, planes + 2 * plane_length);
        unsigned char *out = dst + (size_t)y * (size_t)dw * 3;
        for (int c = 0; c < 3; c++) horizontal_pass(planes + (size_t)c * plane_length, &kx, first, dw, out + c);
    }
    free(sums);
    free(planes);
    kernel_free(&kx);
    kernel_free(&ky);
    return 0;
}

/// sums[i] += row[i] over n bytes: one contiguous run, so it vectorises (AVX2 when present).
PC_VECTOR_CLONES
static void add_row(const unsigned char *row, uint32_t *sums, size_t n) {
    for (size_t i = 0; i < n; i++) sums[i] += row[i];
}

/// floor(x / n) for x < 256 n and n <= 4096, as a multiply by m = ceil(2^32 / n): exact, since the error term
/// x (m - 2^32 / n) / 2^32 stays below x / 2^32 < 1 / n, the smallest fractional part of a quotient that is not whole.
static inline uint32_t divide_small(uint32_t x, uint64_t m) { return (uint32_t)(((uint64_t)x * m) >> 32); }

/// Averages fx×fy blocks of the pixel-aligned cover of `region` (blocks at the far edges may be partial), rounding
/// to nearest: each output row adds its fy source rows column by column, then each block's columns, then divides.
static unsigned char *box_shrink(const unsigned char *src, int sw, int sh, pc_rect region, int fx, int fy,
                                 int *out_w, int *out_h, pc_rect *out_region) {
    int x0 = (int)floor(region.x), y0 = (int)floor(region.y);
    int x1 = (int)ceil(region.x + region.w), y1 = (int)ceil(region.y + region.h);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > sw) x1 = sw;
    if (y1 > sh) y1 = sh;
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + 1;
    int w = (x1 - x0 + fx - 1) / fx, h = (y1 - y0 + fy - 1) / fy;
    size_t span = (size_t)(x1 - x0) * 3;
    unsigned char *out = malloc(pc_mul3(w, h, 3));
    uint32_t *columns = malloc(sizeof(uint32_t) * span);
    if (!out || !columns) {
        free(out);
        free(columns);
        return NULL;
    }
    for (int by = 0; by < h; by++) {
        int top = y0 + by * fy, bottom = top + fy < y1 ? top + fy : y1;
        memset(columns, 0, sizeof(uint32_t) * span);
        for (int y = top; y < bottom; y++) add_row(src + ((size_t)y * (size_t)sw + (size_t)x0) * 3, columns, span);
        unsigned char *row = out + (size_t)by * (size_t)w * 3;
        uint32_t whole = (uint32_t)(fx * (bottom - top));  // the pixels of a full block in this row
        uint64_t whole_m = ((1ull << 32) + whole - 1) / whole;
        for (int bx = 0; bx < w; bx++) {
            int left = bx * fx, right = left + fx < x1 - x0 ? left + fx : x1 - x0;
            uint32_t n = (uint32_t)((right - left) * (bottom - top));
            uint64_t m = n == whole ? whole_m : ((1ull << 32) + n - 1) / n;
            uint32_t sum[3] = {n / 2, n / 2, n / 2};
            for (const uint32_t *column = columns + (size_t)left * 3, *end = columns + (size_t)right * 3; column < end;
                 column += 3) {
                sum[0] += column[0];
                sum[1] += column[1];
                sum[2] += column[2];
            }
            for (int c = 0; c < 3; c++) {
                row[bx * 3 + c] = (unsigned char)(n <= 4096 ? divide_small(sum[c], m) : sum[c] / n);
            }
        }
    }
    free(columns);
    *out_w = w;
    *out_h = h;
    *out_region = (pc_rect){(region.x - x0) / fx, (region.y - y0) / fy, region.w / fx, region.h / fy};
    return out;
}

int pc_resample(const unsigned char *src, int sw, int sh, pc_rect region, unsigned char *dst, int dw, int dh) {
    return pc_resample_keeping(src, sw, sh, region, dst, dw, dh, 2.0);
}

int pc_resample_keeping(const unsigned char *src, int sw, int sh, pc_rect region, unsigned char *dst, int dw, int dh,
                        double keep) {
    // Large reductions (PNGs, tiny boxes, extreme aspect ratios) first average whole blocks down to at least `keep`
    // times the output (twice for photos, like the JPEG DCT scaling does), so Lanczos never needs more than a few
    // dozen taps.
    int fx = (int)floor(region.w / (keep * dw)), fy = (int)floor(region.h / (keep * dh));
    if (fx < 1) fx = 1;
    if (fy < 1) fy = 1;
    if (fx == 1 && fy == 1) return lanczos(src, sw, sh, region, dst, dw, dh);
    int w, h;
    pc_rect reduced;
    unsigned char *shrunk = box_shrink(src, sw, sh, region, fx, fy, &w, &h, &reduced);
    if (!shrunk) return -1;
    int result = lanczos(shrunk, w, h, reduced, dst, dw, dh);
    free(shrunk);
    return result;
}
