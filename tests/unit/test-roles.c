/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "roles.h"
#include "test-helpers-cfg.h"
#include "test-helpers-device.h"

static RolesConfig *make_config(void) {
        RolesConfig *c;
        Segment *s;
        assert_int_equal(roles_config_new(&c), 0);
        assert_int_equal(roles_add_segment(c, "dc", "core", &s), 0);
        assert_int_equal(segment_add_prefix(s, "10.0.0.0/8"), 0);
        assert_int_equal(segment_add_prefix(s, "2001:db8::/32"), 0);
        assert_int_equal(segment_add_vlan(s, 100), 0);
        assert_int_equal(roles_add_segment(c, "office", "edge", &s), 0);
        assert_int_equal(segment_add_prefix(s, "10.20.0.0/16"), 0);
        assert_int_equal(segment_add_prefix(s, "2001:db8:20::/48"), 0);
        assert_int_equal(segment_add_vlan(s, 20), 0);
        assert_int_equal(segment_add_interface(s, "eth1"), 0);
        assert_int_equal(roles_add_segment(c, "lab", "edge", &s), 0);
        assert_int_equal(segment_add_interface(s, "eth9"), 0);
        return c;
}

static void eval(const RolesConfig *c, Device *d, const char *role, const char *segment, const char *rule_part) {
        role_verdict_done(&d->role);
        assert_true(role_evaluate(c, d, &d->role) >= 0);
        const char *rule = d->role.rule;
        assert_int_equal(role_evaluate(c, d, &d->role), 0);          /* unchanged: nothing reallocated */
        assert_ptr_equal(d->role.rule, rule);
        assert_string_equal(d->role.role, role);
        if (segment)
                assert_string_equal(d->role.segment, segment);
        else
                assert_null(d->role.segment);
        if (!strstr(d->role.rule, rule_part))
                fail_msg("rule \"%s\" does not mention \"%s\"", d->role.rule, rule_part);
}

static void test_prefix_parse(void **state) {
        RolePrefix p;
        char buf[64];
        assert_int_equal(role_prefix_parse("10.0.0.0/8", &p), 0);
        assert_string_equal(role_prefix_format(&p, buf, sizeof buf), "10.0.0.0/8");
        assert_int_equal(role_prefix_parse("192.0.2.7", &p), 0);
        assert_int_equal(p.len, 32);
        assert_int_equal(role_prefix_parse("2001:db8::/32", &p), 0);
        assert_int_equal(role_prefix_parse("::/0", &p), 0);
        assert_int_equal(role_prefix_parse("10.1.2.3/8", &p), -EINVAL);    /* host bits */
        assert_int_equal(role_prefix_parse("10.0.0.0/33", &p), -EINVAL);
        assert_int_equal(role_prefix_parse("2001:db8::/129", &p), -EINVAL);
        assert_int_equal(role_prefix_parse("10.0.0.0/", &p), -EINVAL);
        assert_int_equal(role_prefix_parse("10.0.0.0/-1", &p), -EINVAL);
        assert_int_equal(role_prefix_parse("bogus/8", &p), -EINVAL);
        assert_int_equal(role_prefix_parse("", &p), -EINVAL);
}

static void test_prefix_match(void **state) {
        RolePrefix p;
        assert_int_equal(role_prefix_parse("10.20.0.0/14", &p), 0);
        assert_true(role_prefix_match(&p, "10.20.1.1"));
        assert_true(role_prefix_match(&p, "10.23.255.255"));
        assert_false(role_prefix_match(&p, "10.24.0.0"));
        assert_false(role_prefix_match(&p, "2001:db8::1"));
        assert_true(role_prefix_match(&p, "::ffff:10.21.0.1"));         /* v4-mapped */
        assert_false(role_prefix_match(&p, "not an address"));
        assert_int_equal(role_prefix_parse("2001:db8:20::/45", &p), 0);
        assert_true(role_prefix_match(&p, "2001:db8:27:ffff::1"));
        assert_false(role_prefix_match(&p, "2001:db8:28::1"));
        assert_false(role_prefix_match(&p, "10.0.0.1"));
        assert_int_equal(role_prefix_parse("0.0.0.0/0", &p), 0);
        assert_true(role_prefix_match(&p, "203.0.113.5"));
}

static void test_longest_prefix(void **state) {
        _cleanup_(roles_config_freep) RolesConfig *c = make_config();
        Device d = { .id = (char *) "mac:00e0fc000001" };
        struct vw_observation o = VW_OBSERVATION_INIT;
        const char *a1[] = { "10.20.3.4" };
        o.addresses = a1, o.n_addresses = 1;
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", "office", "10.20.0.0/16");
        test_device_done(&d);

        d = (Device) { .id = (char *) "x" };
        const char *a2[] = { "192.0.2.1", "10.9.9.9" };                  /* any address counts */
        o.addresses = a2, o.n_addresses = 2;
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", "dc", "address 10.9.9.9 in 10.0.0.0/8");
        test_device_done(&d);

        d = (Device) { .id = (char *) "x" };
        const char *a3[] = { "2001:db8:20::5" };
        o.addresses = a3, o.n_addresses = 1;
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", "office", "2001:db8:20::/48");
        test_device_done(&d);

        d = (Device) { .id = (char *) "x" };
        const char *a4[] = { "2001:db8:99::5" };
        o.addresses = a4, o.n_addresses = 1;
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", "dc", "2001:db8::/32");
        test_device_done(&d);
}

static void test_rule_order(void **state) {
        _cleanup_(roles_config_freep) RolesConfig *c = make_config();
        struct vw_observation o = VW_OBSERVATION_INIT;
        Device d = { .id = (char *) "mac:00e0fc000002" };

        /* nothing at all: unknown */
        test_device_add_obs(&d, &o);
        eval(c, &d, "unknown", NULL, "no rule matched");
        test_device_done(&d);

        /* capture interface only */
        d = (Device) { .id = (char *) "mac:00e0fc000002" };
        o.via.interface = "eth9";
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", "lab", "capture interface eth9");
        test_device_done(&d);

        /* VLAN beats interface */
        d = (Device) { .id = (char *) "mac:00e0fc000002" };
        o.vlan = 100;
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", "dc", "vlan 100");
        test_device_done(&d);

        /* address beats VLAN */
        d = (Device) { .id = (char *) "mac:00e0fc000002" };
        const char *a[] = { "10.20.0.9" };
        o.addresses = a, o.n_addresses = 1;
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", "office", "address");
        test_device_done(&d);

        /* an override beats everything */
        assert_int_equal(roles_add_override(c, OVERRIDE_ID, "mac:00e0fc000002", NULL, "dc"), 0);
        d = (Device) { .id = (char *) "mac:00e0fc000002" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", "dc", "override id=mac:00e0fc000002");
        test_device_done(&d);
}

static void test_overrides(void **state) {
        _cleanup_(roles_config_freep) RolesConfig *c = make_config();
        assert_int_equal(roles_add_override(c, OVERRIDE_MAC, "00-E0-FC-AA-BB-CC", "edge", NULL), 0);
        assert_int_equal(roles_add_override(c, OVERRIDE_SYS_NAME, "^core-sw[0-9]+$", "core", NULL), 0);
        assert_int_equal(roles_add_override(c, OVERRIDE_CHASSIS_ID, "FOC1234X", NULL, "office"), 0);
        assert_int_equal(roles_add_override(c, OVERRIDE_SYS_NAME, "([", "core", NULL), -EINVAL);
        assert_int_equal(roles_add_override(c, OVERRIDE_ID, "x", NULL, "nosuch"), -ENOENT);
        assert_int_equal(roles_add_override(c, OVERRIDE_MAC, "zz", "core", NULL), -EINVAL);

        struct vw_observation o = VW_OBSERVATION_INIT;
        Device d = { .id = (char *) "a" };
        const char *macs[] = { "00e0.fcaa.bbcc" };
        o.macs = macs, o.n_macs = 1;
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", NULL, "override mac=00:e0:fc:aa:bb:cc");
        test_device_done(&d);

        o = (struct vw_observation) VW_OBSERVATION_INIT;
        o.sys_name = "core-sw12";
        d = (Device) { .id = (char *) "b" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", NULL, "override sys_name=");
        test_device_done(&d);

        o.sys_name = "core-sw12-old";
        d = (Device) { .id = (char *) "b" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "unknown", NULL, "no rule");
        test_device_done(&d);

        o = (struct vw_observation) VW_OBSERVATION_INIT;
        o.chassis_id = "FOC1234X";
        o.chassis_subtype = "local";
        d = (Device) { .id = (char *) "c" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", "office", "override chassis_id=FOC1234X");
        test_device_done(&d);
}

static void test_heuristics(void **state) {
        _cleanup_(roles_config_freep) RolesConfig *c = make_config();
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.caps_system = o.caps_enabled = VW_CAP_ROUTER | VW_CAP_BRIDGE;
        Device d = { .id = (char *) "h" };
        test_device_add_obs(&d, &o);

        eval(c, &d, "unknown", NULL, "no rule");                /* off by default */
        c->heuristics.enabled = true;
        RoleHints hints = { .n_neighbours = 6 };
        role_verdict_done(&d.role);
        assert_true(role_evaluate_full(c, &d, &hints, &d.role) >= 0);
        assert_string_equal(d.role.role, "core");
        assert_non_null(strstr(d.role.rule, "6 neighbours"));
        eval(c, &d, "core", NULL, "routing capability");
        test_device_done(&d);

        o.caps_system = o.caps_enabled = VW_CAP_TELEPHONE;
        d = (Device) { .id = (char *) "h" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", NULL, "heuristic: only station");
        test_device_done(&d);

        /* end host: the attached switch's segment */
        o = (struct vw_observation) VW_OBSERVATION_INIT;
        d = (Device) { .id = (char *) "cam" };
        test_device_add_obs(&d, &o);
        hints = (RoleHints) { .attached_segment = "office" };
        assert_true(role_evaluate_full(c, &d, &hints, &d.role) >= 0);
        assert_string_equal(d.role.segment, "office");
        test_device_done(&d);
}

static void test_builders(void **state) {
        _cleanup_(roles_config_freep) RolesConfig *c = make_config();
        Segment *s;
        assert_int_equal(roles_add_segment(c, "dc", "core", &s), -EEXIST);
        assert_int_equal(roles_add_segment(c, "x", "unknown", &s), -EINVAL);
        assert_int_equal(roles_add_segment(c, "y", "edge", &s), 0);
        assert_int_equal(segment_add_vlan(s, 0), -ERANGE);
        assert_int_equal(segment_add_vlan(s, 4095), -ERANGE);
        assert_int_equal(segment_add_interface(s, "a-very-long-interface-name"), -EINVAL);
        assert_non_null(roles_find_segment(c, "office"));
        assert_null(roles_find_segment(c, "nosuch"));
        roles_config_free(NULL);
}

static void test_config_parse(void **state) {
        TestCfg t;
        test_cfg_open(&t,
                      "segments = (\n"
                      "  { name = \"dc\"; role = \"core\"; prefixes = [ \"10.0.0.0/16\", \"2001:db8::/48\" ];\n"
                      "    vlans = [ 10, 11 ]; interfaces = [ \"eth1\" ]; snmp_groups = [ \"core\" ]; },\n"
                      "  { name = \"office\"; role = \"edge\"; prefixes = [ \"10.20.0.0/14\" ]; }\n"
                      ");\n"
                      "overrides = ( { mac = \"00e0.fc12.3456\"; segment = \"office\"; },\n"
                      "              { sys_name = \"^lab-\"; role = \"lab\"; } );\n"
                      "heuristics = { enabled = true; core_min_neighbours = 3; };\n"
                      "plugins = ( { name = \"snmp\"; groups = ( { name = \"core\"; seeds = [ \"192.0.2.1\", \"[2001:db8:9::1]:1161\", \"192.0.2.9:1161\" ];\n"
                      "                                           sweep = [ \"198.51.100.0/24\" ]; } ) } );\n");
        RolesConfig *c = NULL;
        assert_int_equal(roles_config_parse(&t.root, &c), 0);
        assert_null(t.err.message);
        assert_int_equal(c->n_segments, 2);
        assert_int_equal(c->segments[0].n_snmp_scopes, 4);        /* three seeds, one sweep */
        assert_string_equal(c->segments[0].snmp_scopes[1].prefix.text, "2001:db8:9::1/128");
        assert_string_equal(c->segments[0].snmp_scopes[2].prefix.text, "192.0.2.9/32");
        assert_int_equal(c->segments[0].n_prefixes, 2);
        assert_int_equal(c->segments[0].n_vlans, 2);
        assert_int_equal(c->segments[0].vlans[1], 11);
        assert_string_equal(c->segments[0].interfaces[0], "eth1");
        assert_int_equal(c->n_overrides, 2);
        assert_true(c->heuristics.enabled);
        assert_int_equal(c->heuristics.core_min_neighbours, 3);
        roles_config_free(c);
        test_cfg_close(&t);
}

/* A device reported by an agent of an SNMP group, or an agent itself, sits in
 * the segment that names the group; prefixes still come first. */
static void test_snmp_group(void **state) {
        TestCfg t;
        test_cfg_open(&t, "segments = ( { name = \"dc\"; role = \"core\"; snmp_groups = [ \"core\" ]; },\n"
                          "             { name = \"office\"; role = \"edge\"; prefixes = [ \"198.51.100.128/25\" ]; } );\n"
                          "plugins = ( { name = \"snmp\"; groups = ( { name = \"core\"; seeds = [ \"192.0.2.1\" ];\n"
                          "                                          sweep = [ \"198.51.100.0/24\" ]; } ) } );\n");
        RolesConfig *c = NULL;
        assert_int_equal(roles_config_parse(&t.root, &c), 0);

        Device d = { .id = (char *) "x" };
        const char *far[] = { "203.0.113.5" };
        struct vw_observation o = { .source = "snmp-lldp", .addresses = far, .n_addresses = 1, .vlan = -1, .ttl = -1,
                                    .via = { .agent = "192.0.2.1" } };
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", "dc", "SNMP group core (192.0.2.1 in 192.0.2.1/32)");
        test_device_done(&d);

        const char *swept[] = { "198.51.100.7" };                 /* the agent found by the sweep */
        o = (struct vw_observation) { .source = "snmp", .addresses = swept, .n_addresses = 1, .vlan = -1, .ttl = -1 };
        d = (Device) { .id = (char *) "y" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "core", "dc", "198.51.100.7 in 198.51.100.0/24");
        test_device_done(&d);

        const char *office[] = { "198.51.100.200" };              /* a segment's prefix decides first */
        o.addresses = office;
        d = (Device) { .id = (char *) "z" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "edge", "office", "address 198.51.100.200");
        test_device_done(&d);

        o = (struct vw_observation) { .source = "snmp", .addresses = far, .n_addresses = 1, .vlan = -1, .ttl = -1,
                                      .via = { .agent = "203.0.113.1" } };
        d = (Device) { .id = (char *) "w" };
        test_device_add_obs(&d, &o);
        eval(c, &d, "unknown", NULL, "no rule matched");
        test_device_done(&d);
        roles_config_free(c);
        test_cfg_close(&t);
}

static void expect_error(const char *text, const char *line, const char *part) {
        TestCfg t;
        test_cfg_open(&t, text);
        RolesConfig *c = NULL;
        assert_true(roles_config_parse(&t.root, &c) < 0);
        assert_null(c);
        assert_non_null(t.err.message);
        if (!strstr(t.err.message, line) || !strstr(t.err.message, part))
                fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", t.err.message, line, part);
        test_cfg_close(&t);
}

static void test_config_errors(void **state) {
        expect_error("segments = ( { name = \"a\"; role = \"core\"; },\n { name = \"a\"; role = \"edge\"; } );",
                     "test.conf:2:", "defined twice");
        expect_error("segments = ( { name = \"a\"; role = \"core\";\n prefixes = [ \"10.1.2.3/8\" ]; } );",
                     "test.conf:2:", "bad prefix");
        expect_error("segments = ( { name = \"a\"; role = \"core\";\n prefixes = [ \"2001:db8::/200\" ]; } );",
                     "test.conf:2:", "bad prefix");
        expect_error("segments = ( { name = \"a\"; role = \"core\";\n vlans = [ 4095 ]; } );", "test.conf:2:",
                     "out of range");
        expect_error("segments = ( { name = \"a\"; role = \"core\";\n vlans = [ \"ten\" ]; } );", "test.conf:2:",
                     "integer");
        expect_error("segments = ( { name = \"a\"; role = \"core\";\n colour = \"red\"; } );", "test.conf:2:",
                     "unknown key");
        expect_error("segments = ( { name = \"a\"; role = \"unknown\"; } );", "test.conf:1:", "reserved");
        expect_error("segments = ( { name = \"a\"; } );", "test.conf:1:", "needs a \"role\"");
        expect_error("overrides = (\n { id = \"x\"; segment = \"nosuch\"; } );", "test.conf:2:", "no segment");
        expect_error("overrides = (\n { id = \"x\"; mac = \"00:11:22:33:44:55\"; role = \"core\"; } );",
                     "test.conf:2:", "one of");
        expect_error("overrides = (\n { sys_name = \"([\"; role = \"core\"; } );", "test.conf:2:", "regular expression");
        expect_error("overrides = (\n { id = \"x\"; } );", "test.conf:2:", "\"role\" or a \"segment\"");
        expect_error("heuristics = {\n enabled = \"yes\"; };", "test.conf:2:", "");
        expect_error("heuristics = {\n sparkle = true; };", "test.conf:2:", "unknown key");
        expect_error("segments = ( { name = \"a\"; role = \"core\";\n snmp_groups = [ \"dc\" ]; } );\n"
                     "plugins = ( { name = \"snmp\"; groups = ( { name = \"core\"; seeds = [ \"10.0.0.1\" ]; } ) } );",
                     "test.conf:2:", "no SNMP group \"dc\"");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_snmp_group),
                cmocka_unit_test(test_prefix_parse),
                cmocka_unit_test(test_prefix_match),
                cmocka_unit_test(test_longest_prefix),
                cmocka_unit_test(test_rule_order),
                cmocka_unit_test(test_overrides),
                cmocka_unit_test(test_heuristics),
                cmocka_unit_test(test_builders),
                cmocka_unit_test(test_config_parse),
                cmocka_unit_test(test_config_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
