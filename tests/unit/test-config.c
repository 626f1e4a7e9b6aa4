/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char dir[] = "/tmp/vw-test-config-XXXXXX";

/* Write `text` to a file in the test folder and load it. */
static int load(const char *text, Config **ret, char **ret_error) {
        char path[256];
        snprintf(path, sizeof path, "%s/vendorwatch.conf", dir);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        *ret = NULL;
        return config_load(path, NULL, ret, ret_error);
}

/* The error names the file and line, and says why. */
static void expect_error(const char *text, int line, const char *reason) {
        Config *c;
        char *error = NULL, want[64];
        assert_true(load(text, &c, &error) < 0);
        assert_null(c);
        assert_non_null(error);
        snprintf(want, sizeof want, "vendorwatch.conf:%d: ", line);
        if (!strstr(error, want) || !strstr(error, reason))
                fail_msg("got \"%s\", want line %d and \"%s\"", error, line, reason);
        free(error);
}

static void test_minimal_file_is_accepted(void **state) {
        Config *c;
        char *error = NULL;
        assert_int_equal(load("control = { socket = \"/tmp/x/vw.sock\"; };\n"
                              "store = { path = \"/tmp/x/inventory.db\"; };\n"
                              "plugin_dir = \"/tmp/x/plugins\";\n", &c, &error), 0);
        assert_null(error);
        assert_string_equal(c->control_socket, "/tmp/x/vw.sock");
        assert_string_equal(c->store_path, "/tmp/x/inventory.db");
        assert_string_equal(c->plugin_dir, "/tmp/x/plugins");
        assert_null(c->control_group);          /* unset: no group change */
        assert_int_equal(c->control_idle_timeout_sec, 30);
        config_free(c);
}

static void test_empty_file_gives_defaults(void **state) {
        Config *c;
        char *error = NULL;
        assert_int_equal(load("", &c, &error), 0);
        assert_string_equal(c->control_socket, "/run/vendorwatch/vendorwatch.sock");
        assert_int_equal(c->n_plugins, 0);
        config_free(c);
}

static void test_relative_paths_follow_the_file(void **state) {
        Config *c;
        char *error = NULL, want[300];
        assert_int_equal(load("store = { path = \"state/inv.db\"; };\n", &c, &error), 0);
        snprintf(want, sizeof want, "%s/state/inv.db", dir);
        assert_string_equal(c->store_path, want);
        config_free(c);
}

static void test_syntax_error(void **state) {
        expect_error("control = { socket = \"/x\"; };\nstore = { path = ; };\n", 2, "syntax error");
}

static void test_wrong_type(void **state) {
        expect_error("\n\ncontrol = { socket = 42; };\n", 3, "control.socket: expected a string");
        expect_error("control = (1, 2);\n", 1, "control: expected a group");
        expect_error("log = { level = true; };\n", 1, "log.level: expected a string");
}

static void test_out_of_range(void **state) {
        expect_error("control = {\n  idle_timeout_sec = 0;\n};\n", 2, "out of range 1..3600");
        expect_error("inventory = { max_devices = 99999999999; };\n", 1, "out of range");
}

static void test_bad_value(void **state) {
        expect_error("log = { level = \"loud\"; };\n", 1, "not one of err, warning");
        expect_error("store = { path = \"\"; };\n", 1, "must not be empty");
}

static void test_unknown_keys(void **state) {
        expect_error("control = { socket = \"/x\"; };\nbogus = 1;\n", 2, "unknown key bogus");
        expect_error("control = {\n  socket = \"/x\";\n  sokcet = \"/y\";\n};\n", 3, "unknown key control.sokcet");
}

static void test_plugins(void **state) {
        Config *c;
        char *error = NULL;
        assert_int_equal(load("plugins = ( { name = \"jsonl\"; path = \"feed\"; },\n"
                              "            { name = \"lldp\"; required = true; } );\n", &c, &error), 0);
        assert_int_equal(c->n_plugins, 2);
        assert_string_equal(c->plugins[0].name, "jsonl");
        assert_false(c->plugins[0].required);
        assert_true(c->plugins[1].required);
        config_free(c);
        expect_error("plugins = ( { name = \"a\"; },\n { name = \"a\"; } );\n", 2, "configured twice");
        expect_error("plugins = ( { name = \"../evil\"; } );\n", 1, "is not a plugin name");
        expect_error("plugins = ( { path = \"x\"; } );\n", 1, "missing name");
}

static void test_unreadable_file(void **state) {
        Config *c = NULL;
        char *error = NULL;
        assert_true(config_load("/nonexistent/vendorwatch.conf", NULL, &c, &error) < 0);
        assert_non_null(strstr(error, "/nonexistent/vendorwatch.conf"));
        free(error);
}

static int setup(void **state) {
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        char path[300];
        snprintf(path, sizeof path, "%s/vendorwatch.conf", dir);
        unlink(path);
        rmdir(dir);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal_file_is_accepted),
                cmocka_unit_test(test_empty_file_gives_defaults),
                cmocka_unit_test(test_relative_paths_follow_the_file),
                cmocka_unit_test(test_syntax_error),
                cmocka_unit_test(test_wrong_type),
                cmocka_unit_test(test_out_of_range),
                cmocka_unit_test(test_bad_value),
                cmocka_unit_test(test_unknown_keys),
                cmocka_unit_test(test_plugins),
                cmocka_unit_test(test_unreadable_file),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
