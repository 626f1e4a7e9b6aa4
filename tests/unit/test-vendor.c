/* SPDX-License-Identifier: MIT */
/* The vendor engine on fixture registries (tests/unit/data) and the
 * catalogue the project ships (conf/vendors.conf): every known trap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "macro.h"
#include "vendor.h"
#include "vw-config.h"

static const VendorPaths fixture_paths = {
        .catalogue = VW_SOURCE_ROOT "/conf/vendors.conf",
        .oui_dir = VW_TEST_DATA,
        .enterprises = VW_TEST_DATA "/enterprises.tsv",
};

static int setup(void **state) {
        VendorDb *db = NULL;
        char *error = NULL;
        int r = vendor_db_load(&fixture_paths, &db, &error);
        if (r < 0) {
                fprintf(stderr, "load: %s\n", error);
                free(error);
                return -1;
        }
        *state = db;
        return 0;
}

static int teardown(void **state) {
        vendor_db_free(*state);
        return 0;
}

/* One observation from a few fields. */
typedef struct Obs {
        const char *source, *kind, *sys_descr, *oid, *chassis, *chassis_subtype, *mfg, *med_mfg, *platform;
        const char *macs[4];
} Obs;

static void classify(const VendorDb *db, const Obs *in, size_t n, VendorVerdict *v) {
        struct vw_observation o[4];
        const struct vw_observation *list[4];
        assert_true(n <= 4);
        for (size_t i = 0; i < n; i++) {
                o[i] = (struct vw_observation) VW_OBSERVATION_INIT;
                o[i].source = in[i].source;
                o[i].kind = in[i].kind;
                o[i].sys_descr = in[i].sys_descr;
                o[i].sys_object_id = in[i].oid;
                o[i].chassis_id = in[i].chassis;
                o[i].chassis_subtype = in[i].chassis_subtype;
                o[i].platform = in[i].platform;
                o[i].med_mfg = in[i].med_mfg;
                o[i].entity_mfg = in[i].mfg ? &in[i].mfg : NULL;
                o[i].n_entity_mfg = in[i].mfg ? 1 : 0;
                size_t k = 0;
                while (k < 4 && in[i].macs[k])
                        k++;
                o[i].macs = k ? in[i].macs : NULL;
                o[i].n_macs = k;
                list[i] = &o[i];
        }
        assert_int_equal(vendor_classify(db, list, n, v), 0);
}

static void one(const VendorDb *db, const Obs o, VendorVerdict *v) {
        classify(db, &o, 1, v);
}

static bool has_note(const VendorVerdict *v, const char *needle) {
        for (size_t i = 0; i < v->n_evidence; i++)
                if (v->evidence[i].note && strstr(v->evidence[i].note, needle))
                        return true;
        return false;
}

static void test_huawei_vrp(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.2011.2.23.291",
                            .sys_descr = "S5720-56C-PWR-EI-AC\nHuawei Versatile Routing Platform Software\r\n VRP (R) software" }, &v);
        assert_string_equal(v.vendor, "huawei");
        assert_false(v.conflict);
        assert_true(v.confidence > 0.9);
        vendor_verdict_done(&v);
        /* the description alone is enough */
        one(*state, (Obs) { .sys_descr = "Versatile Routing Platform Software" }, &v);
        assert_string_equal(v.vendor, "huawei");
        vendor_verdict_done(&v);
}

static void test_hpe_comware(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        /* brand hpe, made by h3c: H3C's number does not make it an H3C box */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.25506.11.1.24",
                            .sys_descr = "HPE Comware Platform Software, Software Version 7.1.045\r\n"
                                         "HPE 5130 24G 4SFP+ EI Switch\r\n"
                                         "Copyright (c) 2010-2017 Hewlett Packard Enterprise Development LP",
                            .macs = { "00:0f:e2:00:00:01" } }, &v);
        assert_string_equal(v.vendor, "hpe");
        assert_string_equal(v.made_by, "h3c");
        assert_false(v.conflict);
        vendor_verdict_done(&v);
        /* the same platform sold as H3C */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.25506.1.1",
                            .sys_descr = "H3C Comware Platform Software, Software Version 7.1" }, &v);
        assert_string_equal(v.vendor, "h3c");
        assert_null(v.made_by);
        vendor_verdict_done(&v);
        assert_true(vendor_related(*state, "hpe", "h3c"));
        assert_false(vendor_related(*state, "cisco", "huawei"));
}

static void test_hikvision_nvr(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.50001.1", .sys_descr = "Hikvision company products" }, &v);
        assert_string_equal(v.vendor, "hikvision");
        vendor_verdict_done(&v);
        /* 50001 belongs to someone else: alone it must not flag Hikvision */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.50001.1" }, &v);
        assert_false(streq_ptr(v.vendor, "hikvision"));
        vendor_verdict_done(&v);
        /* a Hikvision MAC on the camera itself */
        one(*state, (Obs) { .source = "arp", .kind = "host", .macs = { "c0:56:e3:01:02:03" } }, &v);
        assert_string_equal(v.vendor, "hikvision");
        vendor_verdict_done(&v);
}

static void test_dahua_nvr(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.1004849.2.1", .sys_descr = "DH-NVR4104HS-P-4KS2" }, &v);
        assert_string_equal(v.vendor, "dahua");
        assert_true(has_note(&v, "Dahua"));
        vendor_verdict_done(&v);
        /* unregistered number alone: not enough */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.1004849.2.1" }, &v);
        assert_null(v.vendor);
        vendor_verdict_done(&v);
}

static void test_huawei_power_module(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.8072.3.2.10", .sys_descr = "Linux GSE200M" }, &v);
        assert_string_equal(v.vendor, "huawei");
        assert_true(has_note(&v, "net-snmp"));
        vendor_verdict_done(&v);
        /* net-snmp on a plain Linux box: no vendor at all */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.8072.3.2.10",
                            .sys_descr = "Linux host 5.10.0-21-amd64 #1 SMP Debian x86_64" }, &v);
        assert_null(v.vendor);
        vendor_verdict_done(&v);
}

static void test_mikrotik_oui(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "lldp", .chassis = "4c:5e:0c:11:22:33", .chassis_subtype = "mac" }, &v);
        assert_string_equal(v.vendor, "mikrotik");
        assert_true(has_note(&v, "Routerboard.com"));
        vendor_verdict_done(&v);
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.14988.1", .sys_descr = "RouterOS CCR1009-7G-1C-1S+" }, &v);
        assert_string_equal(v.vendor, "mikrotik");
        vendor_verdict_done(&v);
}

static void test_microsemi_39165(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        /* a time server answering with Hikvision's number */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.39165.1.1", .sys_descr = "Microsemi SyncServer S650" }, &v);
        assert_string_equal(v.vendor, "microsemi");
        assert_true(v.conflict);                /* both shown */
        vendor_verdict_done(&v);
        /* 39165 with nothing else still says Hikvision */
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.39165.1.1" }, &v);
        assert_string_equal(v.vendor, "hikvision");
        vendor_verdict_done(&v);
}

static void test_hytera_lwip(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.26381.1", .sys_descr = "Hytera RD985 repeater" }, &v);
        assert_string_equal(v.vendor, "hytera");
        vendor_verdict_done(&v);
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.26381.1", .sys_descr = "lwIP embedded agent" }, &v);
        assert_null(v.vendor);
        assert_true(has_note(&v, "lwIP"));
        vendor_verdict_done(&v);
}

static void test_weak_macs(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "lldp", .chassis = "02:e0:fc:00:00:01", .chassis_subtype = "mac" }, &v);
        assert_null(v.vendor);
        assert_true(has_note(&v, "locally administered"));
        vendor_verdict_done(&v);
        one(*state, (Obs) { .macs = { "01:00:5e:00:00:01", "00:00:5e:00:01:01" } }, &v);
        assert_null(v.vendor);
        assert_true(has_note(&v, "no vendor evidence"));
        vendor_verdict_done(&v);
        /* malformed chassis MAC: a recorded bad value, not a crash */
        one(*state, (Obs) { .source = "lldp", .chassis = "zz:zz:zz:zz:zz:zz", .chassis_subtype = "mac" }, &v);
        assert_null(v.vendor);
        assert_true(has_note(&v, "not a MAC address"));
        vendor_verdict_done(&v);
        one(*state, (Obs) { .source = "lldp", .chassis = "00e0.fc12.3456", .chassis_subtype = "mac" }, &v);
        assert_string_equal(v.vendor, "huawei");
        vendor_verdict_done(&v);
}

static void test_chassis_over_nic(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        /* interface MACs of a NIC maker weigh less than the chassis MAC */
        one(*state, (Obs) { .source = "lldp", .chassis = "00:00:0c:01:02:03", .chassis_subtype = "mac",
                            .macs = { "00:1b:21:00:00:01", "00:1b:21:00:00:02" } }, &v);
        assert_string_equal(v.vendor, "cisco");
        vendor_verdict_done(&v);
}

static void test_ma_m_longest(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .chassis = "f8:b5:68:1a:bc:de", .chassis_subtype = "mac" }, &v);
        assert_string_equal(v.vendor, "org:Example Camera Works");
        assert_true(v.confidence < 0.3);
        vendor_verdict_done(&v);
        /* the parent block is IEEE's: no evidence */
        one(*state, (Obs) { .chassis = "f8:b5:68:9a:bc:de", .chassis_subtype = "mac" }, &v);
        assert_null(v.vendor);
        vendor_verdict_done(&v);
}

static void test_conflict(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.2011.2.1", .sys_descr = "Cisco IOS Software, C2960" }, &v);
        assert_true(v.conflict);
        assert_non_null(v.vendor);
        vendor_verdict_done(&v);
}

static void test_trust(void **state) {
        VendorVerdict a = VENDOR_VERDICT_INIT, b = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .sys_descr = "Huawei Versatile Routing Platform" }, &a);
        one(*state, (Obs) { .source = "lldp", .sys_descr = "Huawei Versatile Routing Platform" }, &b);
        assert_true(a.n_evidence > 0 && b.n_evidence > 0);
        assert_true(a.evidence[0].weight > b.evidence[0].weight);
        assert_string_equal(b.evidence[0].origin, "lldp");
        vendor_verdict_done(&a);
        vendor_verdict_done(&b);

        /* a forged LLDP description loses against the polled SNMP answer */
        Obs two[2] = {
                { .source = "lldp", .sys_descr = "Huawei Versatile Routing Platform" },
                { .source = "snmp", .oid = "1.3.6.1.4.1.9.1.1208", .sys_descr = "Cisco IOS Software, C2960X" },
        };
        classify(*state, two, 2, &a);
        assert_string_equal(a.vendor, "cisco");
        assert_true(a.conflict);
        vendor_verdict_done(&a);
}

static void test_fallback_org(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.32473.1", .sys_descr = "FM Rebroadcast Receiver" }, &v);
        assert_string_equal(v.vendor, "org:Example Enterprise Number for Documentation Use");
        assert_true(v.confidence < 0.5);
        vendor_verdict_done(&v);
        one(*state, (Obs) { 0 }, &v);
        assert_null(v.vendor);
        assert_int_equal(v.n_evidence, 0);
        vendor_verdict_done(&v);
        one(*state, (Obs) { .oid = "1.3.6.1.4.1.bogus" }, &v);
        assert_null(v.vendor);
        assert_true(has_note(&v, "malformed sysObjectID"));
        vendor_verdict_done(&v);
}

static void test_entity_mfg(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.8072.3.2.10", .mfg = "Juniper Networks" }, &v);
        assert_string_equal(v.vendor, "juniper");
        vendor_verdict_done(&v);
        one(*state, (Obs) { .source = "lldp", .med_mfg = "Hangzhou Hikvision Digital Technology Co.,Ltd." }, &v);
        assert_string_equal(v.vendor, "hikvision");
        vendor_verdict_done(&v);
}

static void test_json(void **state) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(*state, (Obs) { .source = "snmp", .oid = "1.3.6.1.4.1.2011.2.1" }, &v);
        json_object *j = vendor_verdict_to_json(&v), *x;
        assert_non_null(j);
        assert_true(json_object_object_get_ex(j, "vendor", &x));
        assert_string_equal(json_object_get_string(x), "huawei");
        assert_true(json_object_object_get_ex(j, "evidence", &x));
        assert_int_equal(json_object_array_length(x), 1);
        assert_true(json_object_object_get_ex(j, "made_by", &x));
        assert_null(x);
        json_object_put(j);
        vendor_verdict_done(&v);
        j = vendor_db_status(*state);
        assert_non_null(j);
        json_object_put(j);
}

static void expect_catalogue_error(const char *text, const char *want) {
        VendorDb *db = NULL;
        char *error = NULL;
        VendorPaths p = { 0 };
        assert_int_equal(vendor_db_build(&p, "t.conf", text, &db, &error), -EINVAL);
        assert_null(db);
        assert_non_null(error);
        if (!strstr(error, want))
                fail_msg("error \"%s\" lacks \"%s\"", error, want);
        free(error);
}

static void test_catalogue_errors(void **state) {
        expect_catalogue_error("version = 1;\nvendors = ();\nbogus = 1;\n", "t.conf:3: unknown key \"bogus\"");
        expect_catalogue_error("version = 2;\nvendors = ();\n", "t.conf:1: \"version = 1;\" is required");
        expect_catalogue_error("version = 1;\nvendors = (\n { slug = \"a\"; name = \"A\"; colour = \"red\"; }\n);\n",
                               "t.conf:3: unknown key \"colour\" in a vendor");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \"foo(\"; weight = 1.0; }\n);\n",
                               "t.conf:4: bad pattern");
        /* patterns whose compilation would explode are refused before regcomp */
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \"fooo++++++ bar\"; weight = 1.0; }\n);\n",
                               "t.conf:4: pattern \"fooo++++++ bar\": stacked repetition operators");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \"foo(ba+)+ x\"; weight = 1.0; }\n);\n",
                               "a repeated group that ends in a repetition");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \"foo x{1000}\"; weight = 1.0; }\n);\n",
                               "a repetition bound over 64");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \"foo\"; weight = \"high\"; }\n);\n",
                               "t.conf:4: \"weight\" must be a number");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"b\"; pattern = \"foo\"; weight = 1; }\n);\n",
                               "unknown vendor \"b\"");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \"foo|bar\"; weight = 1; }\n);\n",
                               "top-level '|'");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; } );\n"
                               "rules = (\n { vendor = \"a\"; pattern = \".*\"; weight = 1; }\n);\n",
                               "shorter than 2");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; oui = [\"12345\"]; } );\n",
                               "not a 6, 7 or 9 hex digit block");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"A\"; name = \"A\"; } );\n", "lowercase");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; makers = [\"z\"]; } );\n",
                               "unknown vendor \"z\"");
        expect_catalogue_error("version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; enterprises = [9]; } );\n"
                               "enterprises = ( { number = 9; } );\n", "listed twice");
        expect_catalogue_error("version = 1;\nvendors = (\n", "t.conf:");
        expect_catalogue_error("@include \"/etc/passwd\"\nversion = 1;\n", "t.conf:1: @include is not supported");
}

static void test_catalogue_minimal(void **state) {
        VendorDb *db = NULL;
        char *error = NULL;
        VendorPaths p = { 0 };
        assert_int_equal(vendor_db_build(&p, "t.conf",
                                         "version = 1;\nvendors = ( { slug = \"acme\"; name = \"Acme\"; oui = [\"AC:DE:48\"]; } );\n"
                                         "rules = ( { vendor = \"acme\"; field = \"platform\"; literal = \"roadrunner\"; weight = 1; } );\n",
                                         &db, &error), 0);
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(db, (Obs) { .platform = "ACME RoadRunner 9000" }, &v);
        assert_string_equal(v.vendor, "acme");
        vendor_verdict_done(&v);
        one(db, (Obs) { .sys_descr = "ACME RoadRunner 9000" }, &v);     /* other field: no */
        assert_null(v.vendor);
        vendor_verdict_done(&v);
        one(db, (Obs) { .macs = { "ac:de:48:00:00:01" } }, &v);        /* catalogue block */
        assert_string_equal(v.vendor, "acme");
        vendor_verdict_done(&v);
        vendor_db_free(db);
}

/* The rules scan: literals of two and of more bytes starting at the same
 * place are found together, in catalogue order, only in their own field;
 * a pattern that is its explicit literal with \\b anchors respects them
 * without the regex engine; a verdict is one allocation. */
static void test_rule_index(void **state) {
        VendorDb *db = NULL;
        char *error = NULL;
        VendorPaths p = { 0 };
        assert_int_equal(vendor_db_build(&p, "t.conf",
                                         "version = 1;\nvendors = ( { slug = \"a\"; name = \"A\"; },"
                                         " { slug = \"b\"; name = \"B\"; }, { slug = \"c\"; name = \"C\"; } );\n"
                                         "rules = (\n"
                                         " { vendor = \"a\"; pattern = \"\\\\bzq\\\\b\"; literal = \"zq\"; weight = 0.3; },\n"
                                         " { vendor = \"b\"; pattern = \"zqx-[0-9]+\"; literal = \"zqx\"; weight = 0.6; },\n"
                                         " { vendor = \"c\"; field = \"platform\"; literal = \"zqx\"; weight = 0.9; },\n"
                                         " { vendor = \"a\"; literal = \"zqx-9\"; weight = 0.2; }\n);\n",
                                         &db, &error), 0);
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(db, (Obs) { .sys_descr = "ZQX-900 box" }, &v);
        assert_non_null(v.block);
        assert_string_equal(v.vendor, "b");
        /* "zq" is no word here; the last rule comes first, as it always has */
        assert_int_equal(v.n_evidence, 2);
        assert_string_equal(v.evidence[0].note, "rule at line 7");
        assert_string_equal(v.evidence[1].note, "rule at line 5");
        assert_string_equal(v.evidence[1].value, "ZQX-900 box");
        assert_int_equal(vendor_verdict_pack(&v), 0);   /* already one block */
        assert_string_equal(v.vendor_name, "B");
        vendor_verdict_done(&v);
        one(db, (Obs) { .sys_descr = "a zq b", .platform = "zqx" }, &v);
        assert_string_equal(v.vendor, "c");
        assert_int_equal(v.n_evidence, 2);
        assert_string_equal(v.evidence[0].source, "sys_descr");
        assert_string_equal(v.evidence[0].vendor, "a");
        assert_string_equal(v.evidence[1].source, "platform");
        vendor_verdict_done(&v);
        one(db, (Obs) { .sys_descr = "zqzq" }, &v);                     /* no word, no regex either */
        assert_null(v.vendor);
        assert_int_equal(v.n_evidence, 0);
        vendor_verdict_done(&v);
        vendor_db_free(db);
}

static void expect_mfg(const VendorDb *db, const char *mfg, const char *want) {
        VendorVerdict v = VENDOR_VERDICT_INIT;
        one(db, (Obs) { .mfg = mfg }, &v);
        if (want ? !v.vendor || !streq(v.vendor, want) : v.vendor != NULL)
                fail_msg("\"%s\": got %s, want %s", mfg, v.vendor ? v.vendor : "none", want ? want : "none");
        vendor_verdict_done(&v);
}

/* Organisation names: of the patterns whose literal occurs (in the first 256
 * bytes), the longest literal wins, then the leftmost, then the pattern
 * listed last; anchors and the regex are honoured. */
static void test_org_mapping(void **state) {
        VendorDb *db = NULL;
        char *error = NULL;
        VendorPaths p = { 0 };
        assert_int_equal(vendor_db_build(&p, "t.conf",
                                         "version = 1;\nvendors = (\n"
                                         " { slug = \"a\"; name = \"A\"; orgs = [\"acme\"]; },\n"
                                         " { slug = \"b\"; name = \"B\"; orgs = [\"acme corp\"]; },\n"
                                         " { slug = \"c\"; name = \"C\"; orgs = [\"^acme$\"]; },\n"
                                         " { slug = \"d\"; name = \"D\"; orgs = [\"zeta\"]; },\n"
                                         " { slug = \"e\"; name = \"E\"; orgs = [\"zeta\"]; },\n"
                                         " { slug = \"f\"; name = \"F\"; orgs = [\"\\\\bomega\\\\b\"]; },\n"
                                         " { slug = \"g\"; name = \"G\"; orgs = [\"delta [0-9]+ inc\"]; },\n"
                                         " { slug = \"h\"; name = \"H\"; orgs = [\"delta\"]; }\n);\n"
                                         "ignore_orgs = [\"^nobody\"];\n",
                                         &db, &error), 0);
        expect_mfg(db, "ACME Corp.", "b");              /* longest */
        expect_mfg(db, "acme", "c");                    /* same literal: listed last */
        expect_mfg(db, "Acme Inc", "a");                /* c's anchor fails */
        expect_mfg(db, "Zeta Systems", "e");
        expect_mfg(db, "zeta acme", "e");               /* same length: leftmost */
        expect_mfg(db, "acme zeta", "a");
        expect_mfg(db, "The Omega Co", "f");
        expect_mfg(db, "Omegas Ltd", NULL);             /* no word */
        expect_mfg(db, "OMEGA_X", NULL);
        expect_mfg(db, "Delta 42 Inc", "g");            /* literal "delta ", then the regex */
        expect_mfg(db, "Delta Airlines", "h");          /* "delta " found, regex fails */
        expect_mfg(db, "Nobody Acme", NULL);            /* ignored beats acme: longer */
        char name[300];
        memset(name, 'x', sizeof name);
        memcpy(name + 251, "acme", 5);                  /* ends at byte 255: looked at */
        expect_mfg(db, name, "a");
        memcpy(name + 253, "acme", 5);                  /* ends past byte 256: not */
        expect_mfg(db, name, NULL);
        vendor_db_free(db);
}

/* The automaton over the org literals is bounded; the pattern that would
 * pass the bound is named with its line. */
static void test_org_automaton_bound(void **state) {
        size_t cap = 100 * 600 + 256, len = 0;
        char *text = malloc(cap);
        assert_non_null(text);
        len += (size_t) snprintf(text + len, cap - len, "version = 1;\nvendors = (\n");
        /* literals of 500 bytes sharing only their first: 499 states each */
        for (unsigned i = 0; i < 100; i++) {
                char lit[501];
                memset(lit, 'x', 500);
                lit[0] = (char) ('a' + i % 26), lit[1] = (char) ('a' + i / 26), lit[500] = '\0';
                len += (size_t) snprintf(text + len, cap - len, " { slug = \"v%u\"; name = \"V\"; orgs = [\"%s\"]; }%s\n",
                                         i, lit, i < 99 ? "," : "");
        }
        snprintf(text + len, cap - len, ");\n");
        /* 1 + 26 + 66 * 499 > 32768: the 66th, on line 68 */
        expect_catalogue_error(text, "t.conf:68: organisation pattern \"nc");
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_huawei_vrp),
                cmocka_unit_test(test_hpe_comware),
                cmocka_unit_test(test_hikvision_nvr),
                cmocka_unit_test(test_dahua_nvr),
                cmocka_unit_test(test_huawei_power_module),
                cmocka_unit_test(test_mikrotik_oui),
                cmocka_unit_test(test_microsemi_39165),
                cmocka_unit_test(test_hytera_lwip),
                cmocka_unit_test(test_weak_macs),
                cmocka_unit_test(test_chassis_over_nic),
                cmocka_unit_test(test_ma_m_longest),
                cmocka_unit_test(test_conflict),
                cmocka_unit_test(test_trust),
                cmocka_unit_test(test_fallback_org),
                cmocka_unit_test(test_entity_mfg),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_catalogue_errors),
                cmocka_unit_test(test_catalogue_minimal),
                cmocka_unit_test(test_rule_index),
                cmocka_unit_test(test_org_mapping),
                cmocka_unit_test(test_org_automaton_bound),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
