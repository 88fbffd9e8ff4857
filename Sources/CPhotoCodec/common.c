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
