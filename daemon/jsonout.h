/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* A key that needs no escaping, already written as "name": — for literals. */
void jsonout_key_quoted(JsonOut *o, const char *quoted, size_t n);
#define JSONOUT_KEY(o, literal) jsonout_key_quoted((o), "\"" literal "\":", sizeof("\"" literal "\":") - 1)

void jsonout_string(JsonOut *o, const char *s);        /* NULL writes null */
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
