/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>
#include <cmocka.h>

#include "policy.h"
#include "roles.h"
#include "test-helpers-cfg.h"
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
        role_verdict_done(&d->role);
        if (role)
                assert_int_equal(role_verdict_make(role, NULL, NULL, &d->role), 0);
}

static void decide(const PolicyConfig *c, const Waivers *w, Device *d, uint64_t now, bool violation,
                   bool waived, const char *rule) {
        policy_state_done(&d->policy);
        assert_true(policy_evaluate(c, w, d, now, &d->policy) >= 0);
        assert_int_equal(policy_evaluate(c, w, d, now, &d->policy), 0);   /* unchanged */
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

static const char segments[] =
        "segments = ( { name = \"dc\"; role = \"core\"; }, { name = \"cams\"; role = \"cctv\"; } );\n";

static void test_config_parse(void **state) {
        TestCfg t;
        test_cfg_open(&t,
                      "segments = ( { name = \"dc\"; role = \"core\"; }, { name = \"cams\"; role = \"cctv\"; } );\n"
                      "policy = { unknown_as = \"edge\";\n"
                      "  restricted = ( { vendor = \"huawei\"; roles = [ \"core\" ]; severity = \"crit\"; min_confidence = 0.6; },\n"
                      "                 { vendor = \"hikvision\"; made_by = false; roles = [ \"core\", \"cctv\" ]; severity = \"err\"; } ); };\n"
                      "waivers = ( { device = \"mac:00e0fc123456\"; until = \"2030-01-31\"; reason = \"CHG-1\"; } );\n"
                      "alerts = { transport = \"syslog\"; facility = \"local3\"; ident = \"vw\"; reminder_sec = 3600;\n"
                      "  rate_limit_per_sec = 5; burst = 7; source_timeout_sec = 90; source_lost_severity = \"warning\"; };\n");
        RolesConfig *roles = NULL;
        PolicyConfig *c = NULL;
        assert_int_equal(roles_config_parse(&t.root, &roles), 0);
        assert_int_equal(policy_config_parse(&t.root, roles, &c), 0);
        assert_int_equal(cfg_check_unknown(&t.root), 0);
        assert_string_equal(c->unknown_as, "edge");
        assert_int_equal(c->n_restricted, 2);
        assert_true(c->restricted[0].made_by);                          /* default */
        assert_false(c->restricted[1].made_by);
        assert_true(c->restricted[0].min_confidence == 0.6);
        assert_int_equal(c->restricted[1].severity, LOG_ERR);
        assert_string_equal(c->restricted[1].roles[1], "cctv");
        assert_int_equal(c->n_waivers, 1);
        assert_int_equal(c->waivers[0].until_usec, (1896048000ull + 86400) * 1000000ull);
        assert_int_equal(c->alerts.transport, ALERT_TRANSPORT_SYSLOG);
        assert_int_equal(c->alerts.facility, LOG_LOCAL3);
        assert_string_equal(c->alerts.ident, "vw");
        assert_int_equal(c->alerts.reminder_usec, 3600ull * 1000000);
        assert_int_equal(c->alerts.rate_limit_per_sec, 5);
        assert_int_equal(c->alerts.burst, 7);
        assert_int_equal(c->alerts.source_timeout_usec, 90ull * 1000000);
        assert_int_equal(c->alerts.source_lost_severity, LOG_WARNING);
        policy_config_free(c);
        roles_config_free(roles);
        test_cfg_close(&t);

        /* nothing configured: nothing restricted, fail closed, defaults */
        test_cfg_open(&t, "");
        assert_int_equal(policy_config_parse(&t.root, NULL, &c), 0);
        assert_int_equal(c->n_restricted, 0);
        assert_string_equal(c->unknown_as, "core");
        assert_int_equal(c->alerts.transport, ALERT_TRANSPORT_AUTO);
        assert_int_equal(c->alerts.facility, LOG_DAEMON);
        policy_config_free(c);
        test_cfg_close(&t);
}

static void expect_error(const char *text, const char *line, const char *part) {
        TestCfg t;
        _cleanup_free_ char *full = NULL;
        assert_true(asprintf(&full, "%s%s", segments, text) > 0);
        test_cfg_open(&t, full);
        RolesConfig *roles = NULL;
        PolicyConfig *c = NULL;
        assert_int_equal(roles_config_parse(&t.root, &roles), 0);
        assert_true(policy_config_parse(&t.root, roles, &c) < 0);
        assert_null(c);
        assert_non_null(t.err.message);
        if (!strstr(t.err.message, line) || !strstr(t.err.message, part))
                fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", t.err.message, line, part);
        roles_config_free(roles);
        test_cfg_close(&t);
}

static void test_config_errors(void **state) {
        /* line 1 is the segments line */
        expect_error("policy = { restricted = (\n { vendor = \"huawei\"; roles = [ \"corr\" ]; } ); };",
                     "test.conf:3:", "no segment has the role \"corr\"");
        expect_error("policy = { restricted = (\n { vendor = \"huawei\"; roles = [ \"core\" ]; severity = \"critical\"; } ); };",
                     "test.conf:3:", "severity \"critical\"");
        expect_error("policy = { restricted = (\n { vendor = \"huawei\"; roles = [ \"core\" ]; min_confidence = 1.5; } ); };",
                     "test.conf:3:", "");
        expect_error("policy = { restricted = (\n { vendor = \"Huawei Inc\"; roles = [ \"core\" ]; } ); };",
                     "test.conf:3:", "not a vendor slug");
        expect_error("policy = { restricted = (\n { vendor = \"zte\"; } ); };", "test.conf:3:", "needs the roles");
        expect_error("policy = { restricted = ( { vendor = \"zte\"; roles = [ \"core\" ]; },\n"
                     " { vendor = \"zte\"; roles = [ \"cctv\" ]; } ); };", "test.conf:3:", "restricted twice");
        expect_error("policy = {\n unknown_as = \"dmz\"; };", "test.conf:3:", "no segment has the role \"dmz\"");
        expect_error("policy = {\n strict = true; };", "test.conf:3:", "unknown key");
        expect_error("waivers = (\n { device = \"x\"; until = \"2030-02-30\"; reason = \"r\"; } );", "test.conf:3:",
                     "not a date");
        expect_error("waivers = (\n { device = \"x\"; until = \"2030-02-01\"; } );", "test.conf:3:", "reason");
        expect_error("waivers = ( { device = \"x\"; until = \"2030-02-01\"; reason = \"a\"; },\n"
                     " { device = \"x\"; until = \"2030-02-01\"; reason = \"b\"; } );", "test.conf:3:", "two waivers");
        expect_error("alerts = {\n transport = \"both\"; };", "test.conf:3:", "transport \"both\"");
        expect_error("alerts = {\n facility = \"local9\"; };", "test.conf:3:", "facility \"local9\"");
        expect_error("alerts = {\n ident = \"vendor watch\"; };", "test.conf:3:", "ident");
        expect_error("alerts = {\n burst = 0; };", "test.conf:3:", "");
        expect_error("alerts = {\n reminder_sec = -1; };", "test.conf:3:", "");
        expect_error("alerts = {\n volume = 11; };", "test.conf:3:", "unknown key");
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
                cmocka_unit_test(test_config_parse),
                cmocka_unit_test(test_config_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
