/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

void jsonout_done(JsonOut *o) {
        free(o->buf);
        *o = (JsonOut) {};
}

void jsonout_reset(JsonOut *o) {
        o->len = 0;
        o->depth = 0;
        o->first = 0;
        o->after_key = false;
        o->oom = false;
}

static bool grow(JsonOut *o, size_t n) {
        if (o->oom)
                return false;
        if (o->len + n <= o->cap)
                return true;
        size_t cap = o->cap ? o->cap : 1024;
        while (cap < o->len + n)
                cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
                o->oom = true;
                return false;
        }
        o->buf = b;
        o->cap = cap;
        return true;
}

/* Room for n more bytes: the common case inline, growing out of line. */
static inline bool reserve(JsonOut *o, size_t n) {
        if (!o->oom && o->len + n <= o->cap)
                return true;
        return grow(o, n);
}

static void put(JsonOut *o, const char *s, size_t n) {
        if (!reserve(o, n))
                return;
        memcpy(o->buf + o->len, s, n);
        o->len += n;
}

static void put_char(JsonOut *o, char c) {
        if (reserve(o, 1))
                o->buf[o->len++] = c;
}

/* Before any value: the comma that separates it from the previous member or
 * element, unless a key has just been written (it wrote the comma). */
static void before_value(JsonOut *o) {
        if (o->after_key) {
                o->after_key = false;
                return;
        }
        uint64_t bit = UINT64_C(1) << (o->depth & 63);
        if (o->first & bit)
                o->first &= ~bit;
        else if (o->depth > 0)
                put_char(o, ',');
}

static void open_with(JsonOut *o, char c) {
        before_value(o);
        put_char(o, c);
        o->depth++;
        o->first |= UINT64_C(1) << (o->depth & 63);
}

static void close_with(JsonOut *o, char c) {
        o->first &= ~(UINT64_C(1) << (o->depth & 63));
        if (o->depth > 0)
                o->depth--;
        put_char(o, c);
}

void jsonout_object_begin(JsonOut *o) {
        open_with(o, '{');
}

void jsonout_object_end(JsonOut *o) {
        close_with(o, '}');
}

void jsonout_array_begin(JsonOut *o) {
        open_with(o, '[');
}

void jsonout_array_end(JsonOut *o) {
        close_with(o, ']');
}

/* RFC 8259 §7: '"', '\\' and the control characters must be escaped;
 * everything else (UTF-8 included) is written as it is.  Per byte: 0 when
 * plain, else the letter after the backslash ('u': \u00XX). */
static const char escape_of[256] = {
        [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u',
        [0x07] = 'u', ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', [0x0b] = 'u', ['\f'] = 'f', ['\r'] = 'r',
        [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u',
        [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u',
        [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/* Does any of eight bytes need escaping?  Exact: the classic "has a byte
 * below n" and "has a zero byte" word tests. */
static inline bool word_needs_escape(uint64_t x) {
        const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
        return ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs) != 0;
}

/* One byte that needs escaping, at d, with room made for it and the `left`
 * bytes after it (each at most itself) and the closing quote.  The new end,
 * or NULL when out of memory. */
static char *put_escape(JsonOut *o, char *d, unsigned char c, size_t left) {
        static const char hex[] = "0123456789abcdef";
        o->len = (size_t) (d - o->buf);
        if (!reserve(o, 6 + left + 1))
                return NULL;
        d = o->buf + o->len;
        *d++ = '\\';
        *d++ = escape_of[c];
        if (escape_of[c] == 'u') {
                memcpy(d, "00", 2), d += 2;
                *d++ = hex[c >> 4];
                *d++ = hex[c & 15];
        }
        return d;
}

/* Verdicts and listings are mostly plain text: it is copied eight bytes at
 * a time, and only an escape makes room for more than the string itself. */
static void put_escaped(JsonOut *o, const char *s) {
        size_t n = strlen(s);
        if (!reserve(o, n + 2))
                return;
        const unsigned char *p = (const unsigned char *) s, *end = p + n;
        char *d = o->buf + o->len;
        *d++ = '"';
        for (;;) {
                uint64_t x;
                while (end - p >= 8) {
                        memcpy(&x, p, 8);
                        if (word_needs_escape(x))
                                break;
                        memcpy(d, &x, 8);
                        d += 8, p += 8;
                }
                /* a word with an escape in it, or the last few bytes: one by
                 * one, unless those last few end a plain string of eight or
                 * more (then one overlapping copy ends it) */
                const unsigned char *stop = end - p >= 8 ? p + 8 : end;
                if (p == end)
                        break;
                if (stop == end && n >= 8) {
                        memcpy(&x, end - 8, 8);
                        if (!word_needs_escape(x)) {
                                memcpy(d - (p - (end - 8)), &x, 8);
                                d += end - p;
                                break;
                        }
                }
                while (p < stop) {
                        unsigned char c = *p++;
                        if (!escape_of[c]) {
                                *d++ = (char) c;
                                continue;
                        }
                        d = put_escape(o, d, c, (size_t) (end - p));
                        if (!d)
                                return;
                }
        }
        *d++ = '"';
        o->len = (size_t) (d - o->buf);
}

void jsonout_key(JsonOut *o, const char *key) {
        before_value(o);
        put_escaped(o, key);
        put_char(o, ':');
        o->after_key = true;
}

void jsonout_string(JsonOut *o, const char *s) {
        if (!s) {
                jsonout_null(o);
                return;
        }
        before_value(o);
        put_escaped(o, s);
}

char *jsonout_value_room_slow(JsonOut *o, size_t n) {
        before_value(o);
        if (!reserve(o, n))
                return NULL;
        char *d = o->buf + o->len;
        o->len += n;
        return d;
}

void jsonout_string_plain(JsonOut *o, const char *s, size_t n) {
        char *d = jsonout_value_room(o, n + 2);
        if (!d)
                return;
        *d++ = '"';
        memcpy(d, s, n);
        d[n] = '"';
}

void jsonout_int(JsonOut *o, int64_t v) {
        char b[24];
        before_value(o);
        put(o, b, (size_t) snprintf(b, sizeof b, "%" PRId64, v));
}

void jsonout_uint(JsonOut *o, uint64_t v) {
        char b[24];
        before_value(o);
        put(o, b, (size_t) snprintf(b, sizeof b, "%" PRIu64, v));
}

void jsonout_double(JsonOut *o, double v) {
        char b[32];
        before_value(o);
        if (v != v || v - v != 0) {     /* NaN or infinite: JSON has no word for it */
                put(o, "null", 4);
                return;
        }
        /* Confidences and scores are mostly thousandths: for those, %.15g is
         * the decimal itself, trailing zeros dropped (1e-15 relative is far
         * below half a unit of the 15th digit away).  +0.0 is k = 0; -0.0
         * fails the sign test and goes the long way. */
        if (v >= 0 && v <= 10000 && !signbit(v)) {
                int64_t k = (int64_t) (v * 1000 + 0.5);
                if ((double) k / 1000 == v) {
                        char *d = b + sizeof b;
                        int64_t whole = k / 1000, frac = k % 1000;
                        bool digits = false;
                        for (int i = 0; i < 3; i++, frac /= 10)
                                if (digits || frac % 10) {
                                        *--d = (char) ('0' + frac % 10);
                                        digits = true;
                                }
                        if (digits)
                                *--d = '.';
                        do
                                *--d = (char) ('0' + whole % 10);
                        while ((whole /= 10) > 0);
                        put(o, d, (size_t) (b + sizeof b - d));
                        return;
                }
        }
        /* the shortest of the usual precisions that reads back the same */
        int n = snprintf(b, sizeof b, "%.15g", v);
        if (strtod(b, NULL) != v)
                n = snprintf(b, sizeof b, "%.17g", v);
        put(o, b, (size_t) n);
}

void jsonout_bool(JsonOut *o, bool v) {
        before_value(o);
        if (v)
                put(o, "true", 4);
        else
                put(o, "false", 5);
}

void jsonout_null(JsonOut *o) {
        before_value(o);
        put(o, "null", 4);
}

void jsonout_raw(JsonOut *o, const char *json, size_t n) {
        before_value(o);
        put(o, json, n);
}
