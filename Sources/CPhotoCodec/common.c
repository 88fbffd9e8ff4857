// What every codec file shares: the first-failure status, overflow-checked sizes, a growable byte buffer.
// In C because the decoders and encoders use them inside libjpeg/libpng/libheif callbacks and setjmp scopes.
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void pc_fail(pc_status *status, int code, const char *format, ...) {
    if (status->code) return;
    status->code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(status->message, sizeof status->message, format, args);
    va_end(args);
    status->message[0] = (char)tolower((unsigned char)status->message[0]);
}

size_t pc_mul3(size_t a, size_t b, size_t c) {
    size_t ab, abc;
    if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc)) return 0;
    return abc;
}

int pc_bytes_reserve(pc_bytes *bytes, size_t capacity) {
    if (capacity <= bytes->capacity) return 0;
    size_t doubled = bytes->capacity * 2;
    if (doubled > capacity) capacity = doubled;
    unsigned char *data = realloc(bytes->data, capacity);
    if (!data) return -1;
    bytes->data = data;
    bytes->capacity = capacity;
    return 0;
}

int pc_bytes_append(pc_bytes *bytes, const void *data, size_t count) {
    if (count > (size_t)-1 - bytes->size || pc_bytes_reserve(bytes, bytes->size + count)) return -1;
    memcpy(bytes->data + bytes->size, data, count);
    bytes->size += count;
    return 0;
}

void pc_bytes_free(pc_bytes *bytes) {
    free(bytes->data);
    memset(bytes, 0, sizeof *bytes);
}

const unsigned char *pc_source_bytes(const pc_source *source, pc_bytes *bytes, pc_status *status) {
    memset(bytes, 0, sizeof *bytes);
    if (!source->file) return source->data;
    if (pc_bytes_reserve(bytes, source->size ? source->size : 1)) {
        pc_fail(status, PC_FAILED, "out of memory reading %zu bytes", source->size);
        return NULL;
    }
    if (fseek(source->file, 0, SEEK_SET) != 0 || fread(bytes->data, 1, source->size, source->file) != source->size) {
        pc_bytes_free(bytes);
        pc_fail(status, PC_UNREADABLE, "cannot read the whole file");
        return NULL;
    }
    bytes->size = source->size;
    return bytes->data;
}

int pc_check_pixels(long long width, long long height, long long max_pixels, pc_status *status) {
    // Sizes come from headers (up to 2^32 - 1 each): the product fits unsigned 64 bits.
    unsigned long long w = width < 0 ? 0 : (unsigned long long)width, h = height < 0 ? 0 : (unsigned long long)height;
    unsigned long long pixels = w * h;
    if (max_pixels > 0 && pixels > (unsigned long long)max_pixels) {
        pc_fail(status, PC_TOO_MANY_PIXELS, "image declares %lldx%lld pixels, more than the limit of %lld", width,
                height, max_pixels);
    }
    return status->code;
}

int pc_check_memory(const char *format, double bytes, const pc_request *request, const char *what,
                    pc_status *status) {
    long long budget = request->max_memory;
    bytes += (double)request->reserved;
    if (budget > 0 && bytes > (double)budget) {
        const double mib = 1024.0 * 1024.0;
        pc_fail(status, PC_OVER_BUDGET,
                "%s needs about %.0f MiB to decode (%s), more than the memory budget of %.0f MiB", format, bytes / mib, what, budget / mib);
    }
    return status->code;
}
