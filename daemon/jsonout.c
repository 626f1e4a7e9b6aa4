/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
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

static bool reserve(JsonOut *o, size_t n) {
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
 * everything else (UTF-8 included) is written as it is. */
static bool needs_escape(unsigned char c) {
        return c < 0x20 || c == '"' || c == '\\';
}

static void put_escaped(JsonOut *o, const char *s) {
        static const char hex[] = "0123456789abcdef";
        put_char(o, '"');
        for (;;) {
                const char *run = s;
                while (*s && !needs_escape((unsigned char) *s))
                        s++;
                put(o, run, (size_t) (s - run));
                if (!*s)
                        break;
                unsigned char c = (unsigned char) *s++;
                switch (c) {
                case '"':  put(o, "\\\"", 2); break;
                case '\\': put(o, "\\\\", 2); break;
                case '\n': put(o, "\\n", 2); break;
                case '\r': put(o, "\\r", 2); break;
                case '\t': put(o, "\\t", 2); break;
                case '\b': put(o, "\\b", 2); break;
                case '\f': put(o, "\\f", 2); break;
                default: {
                        char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                        put(o, u, sizeof u);
                }
                }
        }
        put_char(o, '"');
}

void jsonout_key(JsonOut *o, const char *key) {
        before_value(o);
        put_escaped(o, key);
        put_char(o, ':');
        o->after_key = true;
}

void jsonout_key_quoted(JsonOut *o, const char *quoted, size_t n) {
        before_value(o);
        put(o, quoted, n);
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
