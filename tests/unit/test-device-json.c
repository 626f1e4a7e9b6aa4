/* SPDX-License-Identifier: MIT */
/* A device's JSON record: exact MAC and address lists (forms, repeats, the
 * cap), empty lists, timestamps, and the reference check the fuzzer uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "test-helpers-device-json.h"
#include "test-helpers-device.h"

static char *record(const Device *d) {
        JsonOut o = {};
        device_write_json(&o, d, false);
        assert_false(o.oom);
        char *s = strndup(o.buf, o.len);
        assert_non_null(s);
        jsonout_done(&o);
        return s;
}

static void assert_has(const char *text, const char *part) {
        assert_non_null(text);
        if (!strstr(text, part))
                fail_msg("record lacks %s", part);
}

static void assert_checks(const Device *d) {
        const char *bad = device_json_check(d, false);
        if (bad)
                fail_msg("device record: %s", bad);
}

static void test_empty(void **state) {
        Device d = { .id = "mac:00e0fc000001" };
        char *s = record(&d);
        assert_has(s, "\"macs\":[],\"addresses\":[],\"sources\":[],\"first_seen\":null,\"last_seen\":null");
        assert_has(s, "\"chassis_id\":null");
        free(s);
        assert_checks(&d);
}

/* The MACs of a device's window follow its keys, in order, each once. */
static void test_window(void **state) {
        char *keys[] = { "mac:00e0fc000001", "mac:00e0fc800005", "addr:10.0.0.1" };
        DeviceKey words[ELEMENTSOF(keys)];
        Device d = { .id = keys[0], .keys = device_json_keys(keys, ELEMENTSOF(keys), words), .n_keys = ELEMENTSOF(keys),
                     .mac_window = 0x00e0fc80000 + 1,   /* 00:e0:fc:80:00:00 on */
                     .mac_bits = UINT64_C(1) << 63 | 1u << 5 | 1u << 2 };
        assert_int_equal(device_n_keys(&d), 6);
        char *s = record(&d);
        assert_has(s, "\"macs\":[\"00:e0:fc:00:00:01\",\"00:e0:fc:80:00:05\",\"00:e0:fc:80:00:02\","
                      "\"00:e0:fc:80:00:3f\"],");
        free(s);
        assert_checks(&d);
}

/* Every form mac_parse() takes lists once, as aa:bb:cc:dd:ee:ff; text that
 * is not a MAC is listed as it is; identifiers of other kinds are not. */
static void test_mac_forms_and_repeats(void **state) {
        const char *macs[] = { "00:E0:FC:01:02:03", "00-e0-fc-01-02-04", "not-a-mac", "00e0fc010203",
                               "0123.4567.89AB" };
        char *keys[] = { "mac:00e0fc010203", "mac:00E0FC0102AB", "mac:0123456789ab", "mac:0123456789abc",
                         "mac:g0e0fc010203", "mac:00e0fc0102", "mac:", "addr:10.0.0.1", "chassis:local:x",
                         "mac:00e0fc0102ab", "mac:not-a-mac", "ma", "mac:00e0fc01020\xff", "mac:00e0fc01\"203" };
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.macs = macs;
        o.n_macs = ELEMENTSOF(macs);
        DeviceKey words[ELEMENTSOF(keys)];
        Device d = { .id = keys[0], .keys = device_json_keys(keys, ELEMENTSOF(keys), words), .n_keys = ELEMENTSOF(keys) };
        test_device_add_obs(&d, &o);
        char *s = record(&d);
        assert_has(s, "\"macs\":[\"00:e0:fc:01:02:03\",\"00:e0:fc:01:02:04\",\"not-a-mac\",\"01:23:45:67:89:ab\","
                      "\"00:e0:fc:01:02:ab\",\"0123456789abc\",\"g0e0fc010203\",\"00e0fc0102\",\"\","
                      "\"00e0fc01020\xff\",\"00e0fc01\\\"203\"],");
        assert_has(s, "\"addresses\":[\"10.0.0.1\"],\"sources\":[\"lldp\"]");
        free(s);
        assert_checks(&d);
        test_device_done(&d);
}

static void test_address_repeats(void **state) {
        const char *a1[] = { "192.0.2.1", "192.0.2.2", "192.0.2.1" }, *a2[] = { "192.0.2.3", "192.0.2.2" };
        char *keys[] = { "addr:192.0.2.3", "addr:192.0.2.9", "mac:192.0.2.4", "addr:fe80::1", "addr:192.0.2.1" };
        struct vw_observation o = VW_OBSERVATION_INIT;
        DeviceKey words[ELEMENTSOF(keys)];
        Device d = { .id = "x", .keys = device_json_keys(keys, ELEMENTSOF(keys), words), .n_keys = ELEMENTSOF(keys) };
        o.source = "snmp";
        o.addresses = a1;
        o.n_addresses = ELEMENTSOF(a1);
        test_device_add_obs(&d, &o);
        o.source = "cdp";
        o.addresses = a2;
        o.n_addresses = ELEMENTSOF(a2);
        test_device_add_obs(&d, &o);
        char *s = record(&d);
        assert_has(s, "\"macs\":[\"192.0.2.4\"],"
                      "\"addresses\":[\"192.0.2.1\",\"192.0.2.2\",\"192.0.2.3\",\"192.0.2.9\",\"fe80::1\"],"
                      "\"sources\":[\"snmp\",\"cdp\"]");
        free(s);
        assert_checks(&d);
        test_device_done(&d);
}

/* At most 256 values; the identifiers beyond are left out. */
static void test_cap(void **state) {
        static char text[300][20];
        char *keys[300];
        for (size_t i = 0; i < 300; i++) {
                snprintf(text[i], sizeof text[i], "mac:00e0fc%06zx", i);
                keys[i] = text[i];
        }
        static DeviceKey words[300];
        Device d = { .id = keys[0], .keys = device_json_keys(keys, 300, words), .n_keys = 300 };
        char *s = record(&d);
        assert_has(s, "\"00:e0:fc:00:00:ff\"]");
        assert_null(strstr(s, "00:e0:fc:00:01:00"));
        free(s);
        assert_checks(&d);
}

/* Strings are escaped as jsonout_string() does: quotes, backslashes and
 * control characters; other bytes, valid UTF-8 or not, as they are. */
static void test_strings(void **state) {
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.sys_name = "a\"b\\c\x01\x1f\n\t\x7f\xc3\xa9\xff";
        o.chassis_id = "00E0FC010203";
        Device d = { .id = "mac:00e0fc010203" };
        test_device_add_obs(&d, &o);
        char *s = record(&d);
        assert_has(s, "\"chassis_id\":\"00:e0:fc:01:02:03\"");
        assert_has(s, "\"sys_name\":\"a\\\"b\\\\c\\u0001\\u001f\\n\\t\x7f\xc3\xa9\xff\"");
        free(s);
        assert_checks(&d);
        test_device_done(&d);
}

static void test_times(void **state) {
        const uint64_t sec = 1000000;
        const uint64_t usecs[] = {
                1, sec - 1, 59 * sec, 86399 * sec + 999999, 951782400 * sec /* 2000-02-29 */,
                951868800 * sec /* 2000-03-01 */, 1709164800 * sec + 1 /* 2024-02-29 */,
                4107542400 * sec /* 2100-03-01 */, UINT64_C(253402300799) * sec /* 9999-12-31T23:59:59 */,
                UINT64_C(253402300800) * sec /* 10000-01-01 */, UINT64_MAX,
        };
        for (size_t i = 0; i < ELEMENTSOF(usecs); i++) {
                Device d = { .id = "x", .first_seen = usecs[i], .last_seen = usecs[i] / 3 };
                assert_checks(&d);
        }
        /* every day of four centuries, at an odd time of day */
        for (uint64_t day = 0; day < 146097 + 400; day++) {
                Device d = { .id = "x", .first_seen = (day * 86400 + 3723) * sec, .last_seen = 0 };
                assert_checks(&d);
        }
        Device d = { .id = "x", .first_seen = 951782400 * sec };
        char *s = record(&d);
        assert_has(s, "\"first_seen\":\"2000-02-29T00:00:00Z\",\"last_seen\":null");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_mac_forms_and_repeats),
                cmocka_unit_test(test_address_repeats),
                cmocka_unit_test(test_cap),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_times),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
