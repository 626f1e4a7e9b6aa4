/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>
#include <cmocka.h>

#include "policy.h"
#include "test-helpers-device.h"

#define DAY (86400ull * 1000000ull)

static PolicyConfig *make_policy(void) {
        PolicyConfig *c;
        assert_int_equal(policy_config_new(&c), 0);
        const char *core[] = { "core", NULL }, *both[] = { "core", "edge", NULL };
        assert_int_equal(policy_add_restriction(c, "huawei", true, core, LOG_CRIT, 0.5), 0);
        assert_int_equal(policy_add_restriction(c, "hikvision", false, both, LOG_ERR, 0.0), 0);
        return c;
}

static void set(Device *d, const char *vendor, const char *maker, double conf, const char *role) {
        d->vendor.vendor = (char *) vendor;
        d->vendor.made_by = (char *) maker;
        d->vendor.confidence = conf;
        free(d->role.role);
        d->role.role = role ? strdup(role) : NULL;
}

static void decide(const PolicyConfig *c, const Waivers *w, Device *d, uint64_t now, bool violation,
                   bool waived, const char *rule) {
        policy_state_done(&d->policy);
        assert_int_equal(policy_evaluate(c, w, d, now, &d->policy), 0);
        assert_int_equal(d->policy.violation, violation);
        assert_int_equal(d->policy.waived, waived);
        if (rule)
                assert_string_equal(d->policy.rule, rule);
        else
                assert_null(d->policy.rule);
}

static void test_roles_and_vendors(void **state) {
        _cleanup_(policy_config_freep) PolicyConfig *c = make_policy();
        Device d = { .id = (char *) "mac:00e0fc000001" };

        set(&d, "huawei", NULL, 0.95, "core");
        decide(c, NULL, &d, 0, true, false, "huawei in core");
        assert_int_equal(d.policy.severity, LOG_CRIT);
        set(&d, "huawei", NULL, 0.95, "edge");
        decide(c, NULL, &d, 0, false, false, NULL);
        set(&d, "cisco", NULL, 0.95, "core");
        decide(c, NULL, &d, 0, false, false, NULL);
        set(&d, "hikvision", NULL, 0.1, "edge");
        decide(c, NULL, &d, 0, true, false, "hikvision in edge");
        assert_int_equal(d.policy.severity, LOG_ERR);
        set(&d, NULL, NULL, 0, "core");
        decide(c, NULL, &d, 0, false, false, NULL);
        test_device_done(&d);
}

static void test_confidence(void **state) {
        _cleanup_(policy_config_freep) PolicyConfig *c = make_policy();
        Device d = { .id = (char *) "x" };
        set(&d, "huawei", NULL, 0.49, "core");
        decide(c, NULL, &d, 0, false, false, NULL);
        set(&d, "huawei", NULL, 0.5, "core");
        decide(c, NULL, &d, 0, true, false, "huawei in core");
        test_device_done(&d);
}

static void test_unknown_role(void **state) {
        _cleanup_(policy_config_freep) PolicyConfig *c = make_policy();
        Device d = { .id = (char *) "x" };
        set(&d, "huawei", NULL, 0.9, "unknown");                        /* fail closed */
        decide(c, NULL, &d, 0, true, false, "huawei in core (role unknown)");
        set(&d, "huawei", NULL, 0.9, NULL);                             /* not evaluated yet */
        decide(c, NULL, &d, 0, true, false, "huawei in core (role unknown)");
        free(c->unknown_as);
        c->unknown_as = strdup("edge");
        set(&d, "huawei", NULL, 0.9, "unknown");
        decide(c, NULL, &d, 0, false, false, NULL);
        test_device_done(&d);
}

static void test_made_by(void **state) {
        _cleanup_(policy_config_freep) PolicyConfig *c = make_policy();
        Device d = { .id = (char *) "x" };
        set(&d, "brandx", "huawei", 0.9, "core");
        decide(c, NULL, &d, 0, true, false, "huawei (maker of brandx) in core");
        set(&d, "brandy", "hikvision", 0.9, "core");                    /* entry without made_by */
        decide(c, NULL, &d, 0, false, false, NULL);
        test_device_done(&d);
}

static void test_waivers(void **state) {
        _cleanup_(policy_config_freep) PolicyConfig *c = make_policy();
        _cleanup_(waivers_freep) Waivers *w = NULL;
        uint64_t until;
        assert_int_equal(waivers_new(&w), 0);
        assert_int_equal(waiver_parse_date("2030-01-31", &until), 0);
        assert_int_equal(until, (1896048000ull + 86400) * 1000000ull);   /* 2030-02-01T00:00Z */
        assert_int_equal(waivers_set(w, "x", until, "replacement ordered", false, 0), 0);

        Device d = { .id = (char *) "x" };
        set(&d, "huawei", NULL, 0.9, "core");
        decide(c, w, &d, until - DAY, false, true, "huawei in core");       /* waived */
        decide(c, w, &d, until - 1, false, true, "huawei in core");             /* last microsecond */
        decide(c, w, &d, until, true, false, "huawei in core");                 /* expired: violates again */
        d.id = (char *) "y";
        decide(c, w, &d, 0, true, false, "huawei in core");                     /* other device */

        /* config waivers are replaced on reload, runtime ones stay and win */
        c->waivers = calloc(2, sizeof(Waiver));
        c->n_waivers = 2;
        c->waivers[0] = (Waiver) { .device = strdup("y"), .until_usec = until, .reason = strdup("cfg") };
        c->waivers[1] = (Waiver) { .device = strdup("x"), .until_usec = 1, .reason = strdup("cfg") };
        assert_int_equal(waivers_apply_config(w, c), 0);
        assert_int_equal(waivers_count(w), 2);
        assert_true(waivers_get(w, "y")->from_config);
        assert_false(waivers_get(w, "x")->from_config);
        assert_int_equal(waivers_get(w, "x")->until_usec, until);
        decide(c, w, &d, 0, false, true, "huawei in core");
        PolicyConfig empty = {};
        assert_int_equal(waivers_apply_config(w, &empty), 0);
        assert_int_equal(waivers_count(w), 1);
        assert_null(waivers_get(w, "y"));
        assert_int_equal(waivers_remove(w, "x"), 0);
        assert_int_equal(waivers_remove(w, "x"), -ENOENT);
        d.id = NULL;
        test_device_done(&d);
}

static void test_dates(void **state) {
        uint64_t t;
        assert_int_equal(waiver_parse_date("2024-02-29", &t), 0);
        assert_int_equal(waiver_parse_date("2023-02-29", &t), -EINVAL);
        assert_int_equal(waiver_parse_date("2024-13-01", &t), -EINVAL);
        assert_int_equal(waiver_parse_date("2024-1-01", &t), -EINVAL);
        assert_int_equal(waiver_parse_date("2024-01-01x", &t), -EINVAL);
        assert_int_equal(waiver_parse_date("tomorrow", &t), -EINVAL);
        assert_int_equal(waiver_parse_date(NULL, &t), -EINVAL);
}

static void test_severity(void **state) {
        assert_int_equal(severity_from_string("crit"), LOG_CRIT);
        assert_int_equal(severity_from_string("warning"), LOG_WARNING);
        assert_int_equal(severity_from_string("critical"), -EINVAL);
        assert_string_equal(severity_to_string(LOG_ERR), "err");
        PolicyConfig *c;
        assert_int_equal(policy_config_new(&c), 0);
        const char *none[] = { NULL }, *core[] = { "core", NULL };
        assert_int_equal(policy_add_restriction(c, "zte", false, none, LOG_CRIT, 0), -EINVAL);
        assert_int_equal(policy_add_restriction(c, "zte", false, core, LOG_CRIT, 1.5), -EINVAL);
        assert_int_equal(policy_add_restriction(c, "", false, core, LOG_CRIT, 0), -EINVAL);
        policy_config_free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roles_and_vendors),
                cmocka_unit_test(test_confidence),
                cmocka_unit_test(test_unknown_role),
                cmocka_unit_test(test_made_by),
                cmocka_unit_test(test_waivers),
                cmocka_unit_test(test_dates),
                cmocka_unit_test(test_severity),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
