/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* JSON text written straight into one growing buffer.  json-c builds a tree
 * of objects first, which costs a dozen allocations per record; a listing of
 * 100,000 devices wants none.  Parsing stays with json-c. */
typedef struct JsonOut {
        char *buf;
        size_t len, cap;
        unsigned depth;
        uint64_t first;         /* bit n: nothing written yet at depth n */
        bool after_key;         /* a key was written, its value comes next */
        bool oom;               /* an allocation failed: the text is incomplete */
} JsonOut;

void jsonout_done(JsonOut *o);
/* Forget the text, keep the buffer. */
void jsonout_reset(JsonOut *o);

void jsonout_object_begin(JsonOut *o);
void jsonout_object_end(JsonOut *o);
void jsonout_array_begin(JsonOut *o);
void jsonout_array_end(JsonOut *o);
/* A member's name; the value follows with one of the calls below. */
void jsonout_key(JsonOut *o, const char *key);
char *jsonout_value_room_slow(JsonOut *o, size_t n);

/* Room for the next value's (or key's) n bytes of text, after the comma it
 * needs; the caller writes exactly n bytes there.  NULL when out of memory.
 * Inline for the common case: not the first in its object or array, and the
 * buffer has room. */
static inline char *jsonout_value_room(JsonOut *o, size_t n) {
        if (!o->after_key && o->depth > 0 && !(o->first >> (o->depth & 63) & 1) && !o->oom && o->cap - o->len > n) {
                char *d = o->buf + o->len;
                *d = ',';
                o->len += n + 1;
                return d + 1;
        }
        return jsonout_value_room_slow(o, n);
}

/* A key that needs no escaping, already written as "name": — for literals. */
static inline void jsonout_key_quoted(JsonOut *o, const char *quoted, size_t n) {
        char *d = jsonout_value_room(o, n);
        if (d)
                memcpy(d, quoted, n);
        o->after_key = true;
}
#define JSONOUT_KEY(o, literal) jsonout_key_quoted((o), "\"" literal "\":", sizeof("\"" literal "\":") - 1)

void jsonout_string(JsonOut *o, const char *s);        /* NULL writes null */
/* n bytes the caller knows need no escaping (no '"', '\\' or byte below
 * 0x20): a formatted MAC, a timestamp.  Written in quotes as they are. */
void jsonout_string_plain(JsonOut *o, const char *s, size_t n);
void jsonout_int(JsonOut *o, int64_t v);
void jsonout_uint(JsonOut *o, uint64_t v);
void jsonout_double(JsonOut *o, double v);
void jsonout_bool(JsonOut *o, bool v);
void jsonout_null(JsonOut *o);
/* Text that is already JSON (e.g. json-c's rendering of a sub-object). */
void jsonout_raw(JsonOut *o, const char *json, size_t n);

/* key + value in one call, for the common members */
#define jsonout_kv_string(o, literal, s) do { JSONOUT_KEY(o, literal); jsonout_string((o), (s)); } while (0)
#define jsonout_kv_bool(o, literal, v) do { JSONOUT_KEY(o, literal); jsonout_bool((o), (v)); } while (0)
