/* SPDX-License-Identifier: MIT */
/* vendorwatchctl's text helpers: what reaches a terminal is sanitized, cut
 * on character boundaries with an ellipsis, and tables fit their width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl.h"

static void check_sanitize(const char *in, bool keep, const char *want) {
        _cleanup_free_ char *s = ctl_sanitize(in, keep);
        assert_non_null(s);
        assert_string_equal(s, want);
}

static void test_sanitize(void **state) {
        check_sanitize("plain", false, "plain");
        check_sanitize("\033[2Jx", false, "?[2Jx");                    /* ESC */
        check_sanitize("a\tb\r\nc", false, "a b  c");
        check_sanitize("a\nb", true, "a\nb");
        check_sanitize("del\x7f", false, "del?");
        check_sanitize("\xc2\x9b" "31m", false, "?31m");              /* C1 CSI */
        check_sanitize("caf\xc3\xa9", false, "café");
        check_sanitize("bad\xff\xfe", false, "bad??");
        check_sanitize("\xc0\xaf", false, "??");                      /* overlong '/' */
        check_sanitize("\xed\xa0\x80", false, "???");                 /* surrogate */
        check_sanitize("cut\xe2\x80", false, "cut??");                /* truncated sequence */
        check_sanitize(NULL, false, "");
}

static void check_truncate(const char *in, size_t w, const char *want) {
        _cleanup_free_ char *s = ctl_truncate(in, w);
        assert_non_null(s);
        assert_string_equal(s, want);
        assert_true(ctl_text_width(s) <= w);
}

static void test_truncate(void **state) {
        check_truncate("abcdef", 10, "abcdef");
        check_truncate("abcdef", 6, "abcdef");
        check_truncate("abcdef", 5, "abcd…");
        check_truncate("abcdef", 1, "…");
        check_truncate("abcdef", 0, "");
        check_truncate("ääääää", 4, "äää…");                          /* never splits a character */
        assert_int_equal(ctl_text_width("äb…"), 3);
}

static void test_field_text(void **state) {
        json_object *o = json_tokener_parse(
                "{\"s\":\"x\",\"n\":3,\"b\":true,\"z\":null,\"l\":[\"a\",\"b\"],\"e\":[],\"o\":{\"k\":1}}");
        assert_non_null(o);
        char *t;
        assert_string_equal(t = ctl_field_text(o, "s"), "x"), free(t);
        assert_string_equal(t = ctl_field_text(o, "n"), "3"), free(t);
        assert_string_equal(t = ctl_field_text(o, "b"), "true"), free(t);
        assert_null(ctl_field_text(o, "z"));
        assert_null(ctl_field_text(o, "missing"));
        assert_string_equal(t = ctl_field_text(o, "l"), "a, b"), free(t);
        assert_null(ctl_field_text(o, "e"));
        assert_string_equal(t = ctl_field_text(o, "o"), "{\"k\":1}"), free(t);
        assert_null(ctl_str(o, "n"));                                 /* typed access */
        assert_true(ctl_bool(o, "b"));
        assert_false(ctl_bool(o, "s"));
        json_object_put(o);
}

static void test_table_fits(void **state) {
        static const TableColumn cols[] = {
                { "ID", 8, true }, { "NAME", 4, true }, { "STATE", 5, false },
        };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        assert_non_null(f);
        Ctl c = { .out = f, .width = 30 };
        Table *t = table_new(&c, cols, ELEMENTSOF(cols));
        assert_non_null(t);
        table_cell(t, "mac:00e0fc123456", NULL);
        table_cell(t, "a-very-long-device-name.example.net", NULL);
        table_cell(t, "present", NULL);
        table_cell(t, "x", NULL);
        table_cell(t, NULL, NULL);                                    /* missing: "-" */
        table_cell(t, "stale", NULL);
        table_finish(t);
        fclose(f);

        /* every line fits, columns line up, nothing coloured off a terminal */
        size_t lines = 0, state_col = SIZE_MAX;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), lines++) {
                assert_true(ctl_text_width(line) <= 30);
                assert_null(strchr(line, '\033'));
                char *st = strstr(line, lines == 0 ? "STATE" : lines == 1 ? "present" : "stale");
                assert_non_null(st);
                size_t col = ctl_text_width(line) - ctl_text_width(st);
                if (state_col == SIZE_MAX)
                        state_col = col;
                assert_int_equal(col, state_col);
        }
        assert_int_equal(lines, 3);
        free(buf);
}

static void test_table_many_rows(void **state) {
        /* more rows than one measuring batch still print, aligned to the first batch */
        static const TableColumn cols[] = { { "N", 1, true }, { "V", 1, true } };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        Ctl c = { .out = f, .width = 80 };
        Table *t = table_new(&c, cols, ELEMENTSOF(cols));
        char n[16];
        for (int i = 0; i < 2000; i++) {
                snprintf(n, sizeof(n), "%d", i);
                table_cell(t, n, NULL);
                table_cell(t, "v", NULL);
        }
        table_finish(t);
        fclose(f);
        size_t lines = 0;
        for (char *p = buf; *p; p++)
                lines += *p == '\n';
        assert_int_equal(lines, 2001);
        assert_non_null(strstr(buf, "\n19…  v\n"));                    /* cut to the first batch's width */
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sanitize),
                cmocka_unit_test(test_truncate),
                cmocka_unit_test(test_field_text),
                cmocka_unit_test(test_table_fits),
                cmocka_unit_test(test_table_many_rows),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
