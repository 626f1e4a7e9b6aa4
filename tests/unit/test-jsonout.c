/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nesting_and_commas),
                cmocka_unit_test(test_escaping_round_trips),
                cmocka_unit_test(test_doubles),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
