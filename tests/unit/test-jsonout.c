/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "jsonout.h"
#include "macro.h"

/* Parse the writer's text back with json-c: it must be one complete value. */
static json_object *parse(const JsonOut *o) {
        json_tokener *tok = json_tokener_new();
        json_object *j = json_tokener_parse_ex(tok, o->buf, (int) o->len);
        assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
        assert_int_equal(json_tokener_get_parse_end(tok), o->len);
        json_tokener_free(tok);
        return j;
}

static void test_nesting_and_commas(void **state) {
        JsonOut o = {};
        jsonout_object_begin(&o);
        jsonout_kv_string(&o, "a", "x");
        jsonout_key(&o, "empty");
        jsonout_array_begin(&o);
        jsonout_array_end(&o);
        jsonout_key(&o, "list");
        jsonout_array_begin(&o);
        jsonout_int(&o, -3);
        jsonout_uint(&o, UINT64_MAX);
        jsonout_object_begin(&o);
        jsonout_object_end(&o);
        jsonout_null(&o);
        jsonout_array_end(&o);
        jsonout_kv_bool(&o, "t", true);
        jsonout_kv_string(&o, "n", NULL);
        jsonout_object_end(&o);
        assert_false(o.oom);
        assert_int_equal(o.len, strlen("{\"a\":\"x\",\"empty\":[],\"list\":[-3,18446744073709551615,{},null],\"t\":true,\"n\":null}"));
        assert_memory_equal(o.buf, "{\"a\":\"x\",\"empty\":[],\"list\":[-3,18446744073709551615,{},null],\"t\":true,\"n\":null}", o.len);
        json_object_put(parse(&o));

        /* reset: the next record starts clean, the buffer is kept */
        char *buf = o.buf;
        jsonout_reset(&o);
        jsonout_object_begin(&o);
        jsonout_kv_string(&o, "b", "y");
        jsonout_object_end(&o);
        assert_ptr_equal(o.buf, buf);
        assert_memory_equal(o.buf, "{\"b\":\"y\"}", o.len);
        jsonout_done(&o);
}

static void test_escaping_round_trips(void **state) {
        const char *hostile = "quote\" back\\slash\n\r\t\b\f \x01\x1f del\x7f utf8 \xc3\xa9 /slash";
        JsonOut o = {};
        jsonout_object_begin(&o);
        jsonout_key(&o, hostile);
        jsonout_string(&o, hostile);
        jsonout_object_end(&o);
        json_object *j = parse(&o);
        json_object *v;
        assert_true(json_object_object_get_ex(j, hostile, &v));
        assert_string_equal(json_object_get_string(v), hostile);
        json_object_put(j);
        jsonout_done(&o);
}

static void test_doubles(void **state) {
        const double values[] = { 0.95, 1.0, 0.1 + 0.2, 1e-300, 123456789.125 };
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                JsonOut o = {};
                jsonout_array_begin(&o);        /* a bare number has no end for a parser */
                jsonout_double(&o, values[i]);
                jsonout_array_end(&o);
                json_object *j = parse(&o);
                assert_true(json_object_get_double(json_object_array_get_idx(j, 0)) == values[i]);
                json_object_put(j);
                jsonout_done(&o);
        }
        JsonOut o = {};
        jsonout_double(&o, 0.95);
        assert_memory_equal(o.buf, "0.95", o.len);       /* short, not 0.94999999999999996 */
        jsonout_done(&o);
}

/* The escaping, byte for byte: the named escapes, \u00XX for the other
 * control characters, everything else (DEL, UTF-8, bytes that are not
 * UTF-8) as it is. */
static void test_escaping_exact(void **state) {
        JsonOut o = {};
        jsonout_string(&o, "q\"b\\\x01\x1f\n\r\t\b\f\x7f\xc3\xa9\xff/");
        const char *want = "\"q\\\"b\\\\\\u0001\\u001f\\n\\r\\t\\b\\f\x7f\xc3\xa9\xff/\"";
        assert_int_equal(o.len, strlen(want));
        assert_memory_equal(o.buf, want, o.len);
        jsonout_done(&o);
}

/* A plain byte-at-a-time escaper, to hold the word-at-a-time one to. */
static size_t reference_escape(const char *s, char *out) {
        char *d = out;
        *d++ = '"';
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                switch (*p) {
                case '"': d += sprintf(d, "\\\""); break;
                case '\\': d += sprintf(d, "\\\\"); break;
                case '\n': d += sprintf(d, "\\n"); break;
                case '\r': d += sprintf(d, "\\r"); break;
                case '\t': d += sprintf(d, "\\t"); break;
                case '\b': d += sprintf(d, "\\b"); break;
                case '\f': d += sprintf(d, "\\f"); break;
                default:
                        if (*p < 0x20)
                                d += sprintf(d, "\\u%04x", *p);
                        else
                                *d++ = (char) *p;
                }
        }
        *d++ = '"';
        return (size_t) (d - out);
}

/* Every length up to 40, with one special byte at every place (the word
 * loop, the overlapping tail and the byte loop all meet one). */
static void test_escaping_every_place(void **state) {
        const unsigned char specials[] = { '"', '\\', 0x01, '\n', 0x1f, 0x7f, 0x80, 0xff, ' ' };
        char s[41], want[41 * 6 + 2];
        for (size_t len = 1; len <= 40; len++)
                for (size_t at = 0; at < len; at++)
                        for (size_t k = 0; k < ELEMENTSOF(specials); k++) {
                                for (size_t i = 0; i < len; i++)
                                        s[i] = (char) ('a' + i % 26);
                                s[at] = (char) specials[k];
                                s[len] = '\0';
                                JsonOut o = {};
                                jsonout_string(&o, s);
                                size_t n = reference_escape(s, want);
                                assert_int_equal(o.len, n);
                                assert_memory_equal(o.buf, want, n);
                                jsonout_done(&o);
                        }
}

/* Plain strings and room taken by hand get the same commas as the rest. */
static void test_plain_and_room(void **state) {
        JsonOut o = {};
        jsonout_object_begin(&o);
        jsonout_key(&o, "a");
        jsonout_array_begin(&o);
        jsonout_array_end(&o);
        JSONOUT_KEY(&o, "b");
        jsonout_array_begin(&o);
        jsonout_string_plain(&o, "x", 1);
        memcpy(jsonout_value_room(&o, 3), "\"y\"", 3);
        jsonout_string_plain(&o, "", 0);
        jsonout_array_end(&o);
        JSONOUT_KEY(&o, "c");
        memcpy(jsonout_value_room(&o, 1), "7", 1);
        jsonout_object_end(&o);
        const char *want = "{\"a\":[],\"b\":[\"x\",\"y\",\"\"],\"c\":7}";
        assert_int_equal(o.len, strlen(want));
        assert_memory_equal(o.buf, want, o.len);
        json_object_put(parse(&o));
        jsonout_done(&o);

        /* growing: room for many values past the first buffer */
        o = (JsonOut) {};
        jsonout_array_begin(&o);
        for (size_t i = 0; i < 1000; i++)
                jsonout_string_plain(&o, "00:11:22:33:44:55", 17);
        jsonout_array_end(&o);
        assert_false(o.oom);
        assert_int_equal(o.len, 2 + 1000 * 19 + 999);
        json_object *j = parse(&o);
        assert_int_equal(json_object_array_length(j), 1000);
        json_object_put(j);
        jsonout_done(&o);

        /* every size of value, so some fill the buffer to its last byte
         * (the sanitizer build sees a write past it) */
        for (size_t n = 1; n <= 64; n++) {
                char text[64];
                memset(text, 'a', sizeof text);
                o = (JsonOut) {};
                jsonout_array_begin(&o);
                for (size_t i = 0; i < 300; i++)
                        jsonout_string_plain(&o, text, n);
                jsonout_array_end(&o);
                assert_int_equal(o.len, 2 + 300 * (n + 2) + 299);
                jsonout_done(&o);
        }
}

/* Doubles written without snprintf read the same as with it. */
static void test_doubles_as_printf(void **state) {
        char want[64];
        for (int64_t k = 0; k <= 10000000; k += k < 20000 ? 1 : 37) {
                double v = (double) k / (k % 2 ? 1000 : 100);
                int n = snprintf(want, sizeof want, "%.15g", v);
                JsonOut o = {};
                jsonout_double(&o, v);
                assert_int_equal(o.len, (size_t) n);
                assert_memory_equal(o.buf, want, o.len);
                jsonout_done(&o);
        }
        const double others[] = { -0.0, -1.0, -0.25, 0.285, 1e-7, 100000.5, 0.1 + 0.2, 1e300, 10000.01, 0.0005,
                                  0.243, 0.72, 0.7 + 0.02, 0.5 };
        const char *texts[] = { "-0", "-1", "-0.25", "0.285", "1e-07", "100000.5", "0.30000000000000004", "1e+300",
                                "10000.01", "0.0005", "0.243", "0.72", "0.72", "0.5" };
        for (size_t i = 0; i < ELEMENTSOF(others); i++) {
                JsonOut o = {};
                jsonout_double(&o, others[i]);
                assert_int_equal(o.len, strlen(texts[i]));
                assert_memory_equal(o.buf, texts[i], o.len);
                jsonout_done(&o);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nesting_and_commas),
                cmocka_unit_test(test_escaping_round_trips),
                cmocka_unit_test(test_doubles),
                cmocka_unit_test(test_escaping_exact),
                cmocka_unit_test(test_escaping_every_place),
                cmocka_unit_test(test_plain_and_room),
                cmocka_unit_test(test_doubles_as_printf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
