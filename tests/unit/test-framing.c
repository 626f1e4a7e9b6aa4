/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

static void test_complete_line(void **state) {
        size_t len, consumed;
        const char buf[] = "{\"command\":\"status\"}\n{\"command\"";
        assert_int_equal(control_next_line(buf, strlen(buf), &len, &consumed), 1);
        assert_int_equal(len, strlen("{\"command\":\"status\"}"));
        assert_int_equal(consumed, len + 1);
        /* the rest is a partial line: wait for more */
        assert_int_equal(control_next_line(buf + consumed, strlen(buf) - consumed, &len, &consumed), 0);
}

static void test_crlf(void **state) {
        size_t len, consumed;
        const char buf[] = "{}\r\n";
        assert_int_equal(control_next_line(buf, strlen(buf), &len, &consumed), 1);
        assert_int_equal(len, 2);
        assert_int_equal(consumed, 4);
}

static void test_empty_line(void **state) {
        size_t len = 99, consumed = 99;
        assert_int_equal(control_next_line("\n", 1, &len, &consumed), 1);
        assert_int_equal(len, 0);
        assert_int_equal(consumed, 1);
}

static void test_oversized(void **state) {
        size_t len, consumed;
        char *big = malloc(CONTROL_REQUEST_MAX + 10);
        memset(big, 'x', CONTROL_REQUEST_MAX + 10);
        /* no newline within the limit: refused, not buffered forever */
        assert_int_equal(control_next_line(big, CONTROL_REQUEST_MAX, &len, &consumed), -E2BIG);
        big[CONTROL_REQUEST_MAX + 5] = '\n';
        assert_int_equal(control_next_line(big, CONTROL_REQUEST_MAX + 10, &len, &consumed), -E2BIG);
        /* just under the limit is fine */
        big[CONTROL_REQUEST_MAX - 1] = '\n';
        assert_int_equal(control_next_line(big, CONTROL_REQUEST_MAX, &len, &consumed), 1);
        assert_int_equal(len, CONTROL_REQUEST_MAX - 1);
        free(big);
}

static void test_command_table(void **state) {
        assert_non_null(command_find("status"));
        assert_false(command_find("status")->admin);
        assert_true(command_find("reload")->admin);
        assert_true(command_find("forget")->admin);
        assert_null(command_find("STATUS"));
        assert_null(command_find(""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_complete_line),
                cmocka_unit_test(test_crlf),
                cmocka_unit_test(test_empty_line),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_command_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
