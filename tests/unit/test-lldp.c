/* SPDX-License-Identifier: MIT */
/* LLDP decoder on hand-built frames.  Each TLV is written out with its
 * dissection; a TLV header is two bytes: type (7 bits) and length (9 bits),
 * so 0x02 0x07 = type 1, length 7. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lldp-parse.h"
#include "parse-util.h"

static struct lldp_neighbor nb;

/* Ethernet II to the nearest-bridge address, from a Huawei OUI, ethertype LLDP. */
#define ETH_LLDP                                                                \
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, /* dst 01:80:c2:00:00:0e */         \
        0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57, /* src 00:e0:fc:12:34:57 */         \
        0x88, 0xcc                          /* ethertype LLDP */

/* The three mandatory TLVs. */
#define CHASSIS_MAC 0x02, 0x07, 0x04, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x56 /* Chassis ID, len 7: MAC 00:e0:fc:12:34:56 */
#define PORT_IFNAME 0x04, 0x08, 0x05, 'G', 'E', '0', '/', '0', '/', '1'   /* Port ID, len 8: ifname "GE0/0/1" */
#define TTL_120 0x06, 0x02, 0x00, 0x78                                   /* TTL, len 2: 120 s */
#define END 0x00, 0x00                                                   /* End of LLDPDU */
#define MANDATORY CHASSIS_MAC, PORT_IFNAME, TTL_120

#define PARSE(f) lldp_frame_parse((f), sizeof(f), sizeof(f), &nb)

static void expect_malformed(const uint8_t *f, size_t len, enum lldp_reason why) {
        assert_int_equal(lldp_frame_parse(f, len, len, &nb), -EBADMSG);
        assert_string_equal(lldp_reason_name(nb.reason), lldp_reason_name(why));
}
#define MALFORMED(f, why) expect_malformed((f), sizeof(f), (why))

static void test_full_frame(void **state) {
        static const uint8_t f[] = {
                ETH_LLDP,
                MANDATORY,
                0x08, 0x0b, 'u', 'p', 'l', 'i', 'n', 'k', ' ', 't', 'o', ' ', 'A',     /* Port Description, len 11 */
                0x0a, 0x06, 'C', 'E', '6', '8', '5', '0',                              /* System Name, len 6 */
                0x0c, 0x0e, 'H', 'u', 'a', 'w', 'e', 'i', ' ', 'V', 'R', 'P', ' ', '8', '.', '1', /* System Description, len 14 */
                0x0e, 0x04, 0x00, 0x14, 0x00, 0x04,     /* Capabilities: system bridge+router, enabled bridge */
                0x10, 0x0c, 0x05, 0x01, 10, 0, 0, 1,    /* Mgmt address, len 12: len 5, IPv4 10.0.0.1 */
                0x02, 0x00, 0x00, 0x00, 0x03, 0x00,     /*   ifIndex 3, OID len 0 */
                0x10, 0x18, 0x11, 0x02,                 /* Mgmt address, len 24: len 17, IPv6 */
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* 2001:db8::1 */
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00,     /*   unknown numbering, OID len 0 */
                0xfe, 0x06, 0x00, 0x80, 0xc2, 0x01, 0x00, 0x64, /* 802.1 Port VLAN ID: 100 */
                0xfe, 0x0b, 0x00, 0x80, 0xc2, 0x03, 0x00, 0x64, 0x04, 'm', 'g', 'm', 't', /* 802.1 VLAN name 100 "mgmt" */
                0xfe, 0x09, 0x00, 0x80, 0xc2, 0x07, 0x03, 0x00, 0x00, 0x00, 0x07, /* 802.1 link aggregation, id 7 */
                0xfe, 0x09, 0x00, 0x12, 0x0f, 0x01, 0x03, 0x6c, 0x00, 0x00, 0x1e, /* 802.3 MAC/PHY */
                0xfe, 0x07, 0x00, 0x12, 0x0f, 0x02, 0x07, 0x01, 0x00, /* 802.3 power via MDI (basic) */
                0xfe, 0x06, 0x00, 0x12, 0x0f, 0x04, 0x05, 0xee, /* 802.3 max frame size 1518 */
                0xfe, 0x07, 0x00, 0x12, 0xbb, 0x01, 0x00, 0x33, 0x04, /* MED capabilities, class IV */
                0xfe, 0x08, 0x00, 0x12, 0xbb, 0x05, 'V', '2', '0', '0', /* MED hardware revision "V200" */
                0xfe, 0x08, 0x00, 0x12, 0xbb, 0x06, 'B', 'I', 'O', 'S', /* MED firmware revision "BIOS" */
                0xfe, 0x07, 0x00, 0x12, 0xbb, 0x07, '8', '.', '1',   /* MED software revision "8.1" */
                0xfe, 0x0a, 0x00, 0x12, 0xbb, 0x08, '2', '1', '0', '2', '3', '5', /* MED serial "210235" */
                0xfe, 0x0a, 0x00, 0x12, 0xbb, 0x09, 'H', 'u', 'a', 'w', 'e', 'i', /* MED manufacturer */
                0xfe, 0x0a, 0x00, 0x12, 0xbb, 0x0a, 'C', 'E', '6', '8', '5', '0', /* MED model */
                0xfe, 0x06, 0x00, 0x12, 0xbb, 0x0b, 'A', '1', /* MED asset ID "A1" */
                END,
                0x00, 0x00, 0x00, 0x00,                 /* padding */
        };
        assert_int_equal(PARSE(f), 0);
        assert_int_equal(nb.proto, LLDP_PROTO_LLDP);
        assert_string_equal(nb.chassis_subtype, "mac");
        assert_string_equal(nb.chassis_id, "00:e0:fc:12:34:56");
        assert_string_equal(nb.port_subtype, "ifname");
        assert_string_equal(nb.port_id, "GE0/0/1");
        assert_int_equal(nb.ttl, 120);
        assert_string_equal(nb.port_descr, "uplink to A");
        assert_string_equal(nb.sys_name, "CE6850");
        assert_string_equal(nb.sys_descr, "Huawei VRP 8.1");
        assert_int_equal(nb.caps_system, VW_CAP_BRIDGE | VW_CAP_ROUTER);
        assert_int_equal(nb.caps_enabled, VW_CAP_BRIDGE);
        assert_int_equal(nb.n_addresses, 2);
        assert_string_equal(nb.addresses[0], "10.0.0.1");
        assert_string_equal(nb.addresses[1], "2001:db8::1");
        assert_int_equal(nb.pvid, 100);
        assert_int_equal(nb.vlan, -1);
        assert_string_equal(nb.med_hw_rev, "V200");
        assert_string_equal(nb.med_fw_rev, "BIOS");
        assert_string_equal(nb.med_sw_rev, "8.1");
        assert_string_equal(nb.med_serial, "210235");
        assert_string_equal(nb.med_mfg, "Huawei");
        assert_string_equal(nb.med_model, "CE6850");
        assert_int_equal(nb.n_unknown, 0);
        assert_int_equal(nb.n_ignored, 0);

        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        lldp_neighbor_to_observation(&nb, "eth0", &buf, &o);
        assert_string_equal(o.source, "lldp");
        assert_string_equal(o.chassis_id, "00:e0:fc:12:34:56");
        assert_string_equal(o.chassis_subtype, "mac");
        assert_string_equal(o.port_id, "GE0/0/1");
        assert_string_equal(o.sys_name, "CE6850");
        assert_string_equal(o.med_mfg, "Huawei");
        assert_string_equal(o.med_model, "CE6850");
        assert_string_equal(o.med_serial, "210235");
        assert_null(o.platform);
        assert_int_equal(o.vlan, 100);         /* PVID when untagged */
        assert_int_equal(o.ttl, 120);
        assert_int_equal(o.n_macs, 1);
        assert_string_equal(o.macs[0], "00:e0:fc:12:34:57");
        assert_int_equal(o.n_addresses, 2);
        assert_string_equal(o.addresses[1], "2001:db8::1");
        assert_string_equal(o.via.interface, "eth0");
}

/* Every chassis ID subtype, by name and formatting. */
static void test_chassis_subtypes(void **state) {
        static const struct {
                uint8_t subtype;
                uint8_t len;
                uint8_t value[17];
                const char *name, *id;
        } cases[] = {
                { 1, 4, "sw-1", "chassiscomp", "sw-1" },
                { 2, 5, "alias", "ifalias", "alias" },
                { 3, 5, "slot0", "portcomp", "slot0" },
                { 4, 6, { 0x00, 0xe0, 0xfc, 0xaa, 0xbb, 0xcc }, "mac", "00:e0:fc:aa:bb:cc" },
                { 4, 3, { 0x00, 0xe0, 0xfc }, "mac", "00:e0:fc" },       /* wrong length: hex */
                { 5, 5, { 0x01, 192, 0, 2, 7 }, "netaddr", "192.0.2.7" },
                { 5, 17, { 0x02, 0x20, 0x01, 0x0d, 0xb8, [16] = 0x09 }, "netaddr", "2001:db8::9" },
                { 5, 3, { 0x06, 0xab, 0xcd }, "netaddr", "06:ab:cd" },   /* other family: hex */
                { 6, 4, "eth0", "ifname", "eth0" },
                { 7, 3, "abc", "local", "abc" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                uint8_t f[64] = { ETH_LLDP };
                size_t n = 14;
                f[n++] = 0x02, f[n++] = (uint8_t) (cases[i].len + 1), f[n++] = cases[i].subtype;
                memcpy(f + n, cases[i].value, cases[i].len), n += cases[i].len;
                const uint8_t rest[] = { PORT_IFNAME, TTL_120, END };
                memcpy(f + n, rest, sizeof rest), n += sizeof rest;
                assert_int_equal(lldp_frame_parse(f, n, n, &nb), 0);
                assert_string_equal(nb.chassis_subtype, cases[i].name);
                assert_string_equal(nb.chassis_id, cases[i].id);
                /* an IP chassis ID doubles as a management address */
                assert_int_equal(nb.n_addresses, cases[i].subtype == 5 && cases[i].len != 3 ? 1 : 0);
        }
}

/* Every port ID subtype. */
static void test_port_subtypes(void **state) {
        static const struct {
                uint8_t subtype;
                uint8_t len;
                uint8_t value[8];
                const char *name, *id;
        } cases[] = {
                { 1, 3, "up1", "ifalias", "up1" },
                { 2, 2, "p0", "portcomp", "p0" },
                { 3, 6, { 0x00, 0xe0, 0xfc, 0x00, 0x00, 0x01 }, "mac", "00:e0:fc:00:00:01" },
                { 4, 5, { 0x01, 10, 1, 2, 3 }, "netaddr", "10.1.2.3" },
                { 5, 5, "Gi0/1", "ifname", "Gi0/1" },
                { 6, 4, "c-12", "agentcircuit", "c-12" },
                { 7, 2, "17", "local", "17" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                uint8_t f[64] = { ETH_LLDP, CHASSIS_MAC };
                size_t n = 14 + 9;
                f[n++] = 0x04, f[n++] = (uint8_t) (cases[i].len + 1), f[n++] = cases[i].subtype;
                memcpy(f + n, cases[i].value, cases[i].len), n += cases[i].len;
                const uint8_t rest[] = { TTL_120, END };
                memcpy(f + n, rest, sizeof rest), n += sizeof rest;
                assert_int_equal(lldp_frame_parse(f, n, n, &nb), 0);
                assert_string_equal(nb.port_subtype, cases[i].name);
                assert_string_equal(nb.port_id, cases[i].id);
        }
}

static void test_reserved_subtypes(void **state) {
        static const uint8_t chassis0[] = {
                ETH_LLDP, 0x02, 0x02, 0x00, 'x', /* Chassis ID subtype 0: reserved */
                PORT_IFNAME, TTL_120, END,
        };
        static const uint8_t chassis8[] = {
                ETH_LLDP, 0x02, 0x02, 0x08, 'x', /* Chassis ID subtype 8: reserved */
                PORT_IFNAME, TTL_120, END,
        };
        static const uint8_t port0[] = {
                ETH_LLDP, CHASSIS_MAC, 0x04, 0x02, 0x00, 'x', /* Port ID subtype 0 */
                TTL_120, END,
        };
        MALFORMED(chassis0, LLDP_REASON_BAD_SUBTYPE);
        MALFORMED(chassis8, LLDP_REASON_BAD_SUBTYPE);
        MALFORMED(port0, LLDP_REASON_BAD_SUBTYPE);
}

static void test_missing_mandatory(void **state) {
        static const uint8_t no_chassis[] = { ETH_LLDP, PORT_IFNAME, TTL_120, END };
        static const uint8_t no_port[] = { ETH_LLDP, CHASSIS_MAC, TTL_120, END };
        static const uint8_t no_ttl[] = { ETH_LLDP, CHASSIS_MAC, PORT_IFNAME, END };
        static const uint8_t no_ttl_no_end[] = { ETH_LLDP, CHASSIS_MAC, PORT_IFNAME };
        static const uint8_t empty[] = { ETH_LLDP };
        static const uint8_t only_end[] = { ETH_LLDP, END };
        /* an 802.1 link aggregation TLV alone, as some captures show */
        static const uint8_t only_org[] = {
                ETH_LLDP, 0xfe, 0x09, 0x00, 0x80, 0xc2, 0x07, 0x01, 0x00, 0x00, 0x00, 0x00, END,
        };
        static const uint8_t ttl_first[] = { ETH_LLDP, TTL_120, CHASSIS_MAC, PORT_IFNAME, END };
        MALFORMED(no_chassis, LLDP_REASON_MISSING_CHASSIS);
        MALFORMED(no_port, LLDP_REASON_MISSING_PORT);
        MALFORMED(no_ttl, LLDP_REASON_MISSING_TTL);
        MALFORMED(no_ttl_no_end, LLDP_REASON_MISSING_TTL);
        MALFORMED(empty, LLDP_REASON_MISSING_CHASSIS);
        MALFORMED(only_end, LLDP_REASON_MISSING_CHASSIS);
        MALFORMED(only_org, LLDP_REASON_MISSING_CHASSIS);
        MALFORMED(ttl_first, LLDP_REASON_MISSING_CHASSIS);
}

static void test_duplicate_mandatory(void **state) {
        static const uint8_t f[] = { ETH_LLDP, MANDATORY, CHASSIS_MAC, END };
        static const uint8_t g[] = { ETH_LLDP, MANDATORY, TTL_120, END };
        MALFORMED(f, LLDP_REASON_DUPLICATE);
        MALFORMED(g, LLDP_REASON_DUPLICATE);
}

static void test_ttl_zero(void **state) {
        /* shutdown LLDPDU: the neighbour leaves */
        static const uint8_t f[] = {
                ETH_LLDP, CHASSIS_MAC, PORT_IFNAME,
                0x06, 0x02, 0x00, 0x00, /* TTL 0 */
                END,
        };
        assert_int_equal(PARSE(f), 0);
        assert_int_equal(nb.ttl, 0);
}

static void test_ttl_lengths(void **state) {
        static const uint8_t short_ttl[] = { ETH_LLDP, CHASSIS_MAC, PORT_IFNAME, 0x06, 0x01, 0x78, END };
        static const uint8_t long_ttl[] = { ETH_LLDP, CHASSIS_MAC, PORT_IFNAME, 0x06, 0x03, 0x00, 0x78, 0xff, END };
        MALFORMED(short_ttl, LLDP_REASON_TLV_LENGTH);
        assert_int_equal(PARSE(long_ttl), 0); /* room for later revisions */
        assert_int_equal(nb.ttl, 120);
}

static void test_truncated(void **state) {
        /* System Name claims 16 bytes, the frame holds 4 */
        static const uint8_t value_cut[] = { ETH_LLDP, MANDATORY, 0x0a, 0x10, 'a', 'b', 'c', 'd' };
        /* a TLV header cut in half */
        static const uint8_t header_cut[] = { ETH_LLDP, MANDATORY, 0x0a };
        /* Chassis ID claims 7, frame ends */
        static const uint8_t chassis_cut[] = { ETH_LLDP, 0x02, 0x07, 0x04, 0x00, 0xe0 };
        /* Ethernet header itself cut */
        static const uint8_t eth_cut[] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0 };
        /* overlong: length 511 (maximum) in a short frame */
        static const uint8_t overlong[] = { ETH_LLDP, MANDATORY, 0x0d, 0xff, 'x', 'y', END };
        MALFORMED(value_cut, LLDP_REASON_TLV_TRUNCATED);
        MALFORMED(header_cut, LLDP_REASON_TLV_TRUNCATED);
        MALFORMED(chassis_cut, LLDP_REASON_TLV_TRUNCATED);
        MALFORMED(eth_cut, LLDP_REASON_SHORT);
        MALFORMED(overlong, LLDP_REASON_TLV_TRUNCATED);
}

/* A capture cut by snaplen keeps what was complete. */
static void test_snaplen_cut(void **state) {
        static const uint8_t f[] = { ETH_LLDP, MANDATORY, 0x0a, 0x02, 'S', '1', 0x0c, 0x40, 'C', 'i' };
        assert_int_equal(lldp_frame_parse(f, sizeof f, sizeof f + 100, &nb), 0);
        assert_true(nb.snapped);
        assert_string_equal(nb.sys_name, "S1");
        /* but the mandatory TLVs must be whole */
        static const uint8_t g[] = { ETH_LLDP, CHASSIS_MAC, 0x04, 0x08, 0x05, 'G' };
        assert_int_equal(lldp_frame_parse(g, sizeof g, sizeof g + 100, &nb), -EBADMSG);
}

static void test_bad_lengths(void **state) {
        static const uint8_t chassis_zero[] = { ETH_LLDP, 0x02, 0x00, PORT_IFNAME, TTL_120, END };
        static const uint8_t chassis_one[] = { ETH_LLDP, 0x02, 0x01, 0x04, PORT_IFNAME, TTL_120, END };
        static const uint8_t port_zero[] = { ETH_LLDP, CHASSIS_MAC, 0x04, 0x00, TTL_120, END };
        MALFORMED(chassis_zero, LLDP_REASON_TLV_LENGTH);
        MALFORMED(chassis_one, LLDP_REASON_TLV_LENGTH);
        MALFORMED(port_zero, LLDP_REASON_TLV_LENGTH);

        /* optional TLVs of an impossible size are skipped and counted, the frame stays */
        static const uint8_t opt[] = {
                ETH_LLDP, MANDATORY,
                0x0e, 0x03, 0x00, 0x14, 0x00,                   /* Capabilities of 3 bytes */
                0x10, 0x05, 0x09, 0x01, 10, 0, 0,               /* Mgmt address length 9 > TLV */
                0x10, 0x09, 0x05, 0x01, 10, 0, 0, 9, 0x02, 0x00, 0x00, /* Mgmt: ifnum cut */
                0xfe, 0x05, 0x00, 0x80, 0xc2, 0x01, 0x64,       /* PVID of 1 byte */
                0xfe, 0x0a, 0x00, 0x80, 0xc2, 0x03, 0x00, 0x64, 0x09, 'a', 'b', 'c', /* VLAN name len 9 > 3 */
                0xfe, 0x03, 0x00, 0x12, 0xbb,                   /* org TLV without subtype */
                0xfe, 0x29, 0x00, 0x12, 0xbb, 0x09,             /* MED manufacturer of 37 bytes (max 32) */
                'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                0x0a, 0x02, 'o', 'k',                           /* System Name still read */
                END,
        };
        assert_int_equal(PARSE(opt), 0);
        assert_int_equal(nb.n_ignored, 7);
        assert_int_equal(nb.n_addresses, 0);
        assert_int_equal(nb.pvid, -1);
        assert_int_equal(nb.caps_system, 0);
        assert_string_equal(nb.med_mfg, "");
        assert_string_equal(nb.sys_name, "ok");
}

static void test_zero_length_and_loops(void **state) {
        /* Zero-length optional TLVs: empty strings, and a long run of
         * zero-length unknown TLVs still terminates (each is two bytes). */
        uint8_t f[14 + 23 + 2 * 600 + 2] = { ETH_LLDP, MANDATORY };
        size_t n = 14 + 23;
        f[n++] = 0x08, f[n++] = 0x00;   /* Port Description, len 0 */
        f[n++] = 0x0a, f[n++] = 0x00;   /* System Name, len 0 */
        f[n++] = 0x0c, f[n++] = 0x00;   /* System Description, len 0 */
        while (n + 2 <= sizeof f - 2)
                f[n++] = 0x12, f[n++] = 0x00;   /* type 9 (unknown), len 0 */
        f[n++] = 0x00, f[n++] = 0x00;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), 0);
        assert_string_equal(nb.sys_name, "");
        assert_true(nb.n_unknown > 500);

        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        lldp_neighbor_to_observation(&nb, "eth0", &buf, &o);
        assert_null(o.sys_name);
        assert_null(o.port_descr);

        /* End TLV with a length, followed by junk: decoding stops at End */
        static const uint8_t g[] = { ETH_LLDP, MANDATORY, 0x00, 0x00, 0xff, 0xff, 0xff };
        assert_int_equal(PARSE(g), 0);
}

static void test_unknown_tlvs(void **state) {
        static const uint8_t f[] = {
                ETH_LLDP, MANDATORY,
                0x14, 0x02, 0xaa, 0xbb,                         /* type 10 (reserved), len 2 */
                0xfe, 0x05, 0x00, 0x26, 0xe1, 0x01, 0x01,       /* org 00:26:e1, unknown */
                0xfe, 0x05, 0x00, 0x80, 0xc2, 0x0b, 0x00,       /* 802.1 subtype 11 (PFC): not decoded */
                END,
        };
        assert_int_equal(PARSE(f), 0);
        assert_int_equal(nb.n_unknown, 3);
}

static void test_vlan_tags(void **state) {
        static const uint8_t one[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57,
                0x81, 0x00, 0x00, 0x64, /* 802.1Q VLAN 100 */
                0x88, 0xcc, MANDATORY, END,
        };
        static const uint8_t qinq[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57,
                0x88, 0xa8, 0x00, 0x0a, /* 802.1ad S-tag VLAN 10 */
                0x81, 0x00, 0x20, 0xc8, /* 802.1Q C-tag VLAN 200, PCP 1 */
                0x88, 0xcc, MANDATORY, END,
        };
        static const uint8_t three[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57,
                0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x0b, 0x81, 0x00, 0x00, 0x0c,
                0x88, 0xcc, MANDATORY, END,
        };
        static const uint8_t tag_cut[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57, 0x81, 0x00, 0x00,
        };
        static const uint8_t prio_tag[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57,
                0x81, 0x00, 0xe0, 0x00, /* priority-only tag, VLAN 0 */
                0x88, 0xcc, MANDATORY, END,
        };
        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;

        assert_int_equal(PARSE(one), 0);
        assert_int_equal(nb.vlan, 100);
        lldp_neighbor_to_observation(&nb, "eth0", &buf, &o);
        assert_int_equal(o.vlan, 100);
        assert_int_equal(PARSE(qinq), 0);
        assert_int_equal(nb.vlan, 200);
        MALFORMED(three, LLDP_REASON_TOO_MANY_TAGS);
        MALFORMED(tag_cut, LLDP_REASON_SHORT);
        assert_int_equal(PARSE(prio_tag), 0);
        assert_int_equal(nb.vlan, -1);
}

static void test_not_lldp(void **state) {
        static const uint8_t ipv4[] = {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57, 0x08, 0x00, 0x45, 0x00,
        };
        /* 802.3 length frame to another address (STP) */
        static const uint8_t stp[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x57, 0x00, 0x26, 0x42, 0x42, 0x03,
        };
        assert_int_equal(PARSE(ipv4), -EPROTONOSUPPORT);
        assert_int_equal(PARSE(stp), -EPROTONOSUPPORT);
}

static void test_escaping(void **state) {
        static const uint8_t f[] = {
                ETH_LLDP,
                0x02, 0x06, 0x07, 'a', 0x01, '\\', 0xff, 0x00,  /* Chassis local "a\x01\\\xff\0" */
                PORT_IFNAME, TTL_120,
                0x0a, 0x08, 'S', 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x00, 'Z', /* "Sé€", NUL, garbage */
                0x0c, 0x06, 'a', '\n', 'b', 0xc3, 0x28, 0x7f,   /* LF kept; bad UTF-8; DEL */
                END,
        };
        assert_int_equal(PARSE(f), 0);
        assert_string_equal(nb.chassis_id, "a\\x01\\\\\\xff");
        assert_string_equal(nb.sys_name, "S\xc3\xa9\xe2\x82\xac");
        assert_string_equal(nb.sys_descr, "a\nb\\xc3(\\x7f");
}

/* text_escape()/text_string() by the rules, a byte at a time, for the
 * bytes used below (the only UTF-8 sequence: c3 a9) */
static void ref_text(const uint8_t *p, size_t len, bool string, char *out) {
        if (string)
                for (size_t i = 0; i < len; i++)
                        if (p[i] == 0) {
                                len = i;
                                break;
                        }
        while (len > 0 && p[len - 1] == 0)
                len--;
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                uint8_t b = p[i];
                if ((b >= 0x20 && b < 0x7f && b != '\\') || b == '\n' || b == '\t' || b == '\r')
                        out[o++] = (char) b;
                else if (b == 0xc3 && i + 1 < len && p[i + 1] == 0xa9)
                        out[o++] = (char) 0xc3, out[o++] = (char) 0xa9, i++;
                else if (b == '\\')
                        out[o++] = '\\', out[o++] = '\\';
                else
                        o += (size_t) sprintf(out + o, "\\x%02x", b);
        }
        out[o] = 0;
}

/* The plain-ASCII fast path (whole words, the last overlapping) against the
 * rules: every length up to 80, an odd byte at every place. */
static void test_text_fast_path(void **state) {
        static const uint8_t odd[] = { 0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff, '\\', '\t', '\n', 0xc3 };
        uint8_t p[96];
        char got[1024], want[1024];

        for (size_t len = 0; len <= 80; len++) {
                for (size_t i = 0; i < len; i++)
                        p[i] = (uint8_t) ('!' + (i * 7) % 94);         /* printable, no backslash... */
                for (size_t i = 0; i < len; i++)
                        if (p[i] == '\\')
                                p[i] = 'x';
                for (int string = 0; string < 2; string++) {
                        (string ? text_string : text_escape)(p, len, got, sizeof got);
                        ref_text(p, len, string, want);
                        assert_string_equal(got, want);
                        /* the fast path only when it fits: else cut as before */
                        for (size_t size = 1; size <= len + 2 && size < 90; size++) {
                                (string ? text_string : text_escape)(p, len, got, size);
                                assert_int_equal(strlen(got), len < size ? len : size - 1);
                                assert_memory_equal(got, want, strlen(got));
                        }
                }
                for (size_t at = 0; at < len; at++)
                        for (size_t k = 0; k < sizeof odd; k++) {
                                uint8_t keep = p[at], keep2 = at + 1 < len ? p[at + 1] : 0;
                                p[at] = odd[k];
                                if (odd[k] == 0xc3 && at + 1 < len)
                                        p[at + 1] = 0xa9;
                                for (int string = 0; string < 2; string++) {
                                        (string ? text_string : text_escape)(p, len, got, sizeof got);
                                        ref_text(p, len, string, want);
                                        assert_string_equal(got, want);
                                }
                                p[at] = keep;
                                if (at + 1 < len)
                                        p[at + 1] = keep2;
                        }
        }
        char mac[18];
        text_mac((const uint8_t[]) { 0x00, 0x1b, 0x2b, 0xa0, 0xff, 0x09 }, mac);
        assert_string_equal(mac, "00:1b:2b:a0:ff:09");
}

static void test_long_strings(void **state) {
        /* a 511-byte System Description of bytes that each escape to 4 */
        uint8_t f[14 + 23 + 2 + 511 + 2] = { ETH_LLDP, MANDATORY };
        size_t n = 14 + 23;
        f[n++] = 0x0d, f[n++] = 0xff;           /* System Description, len 511 */
        memset(f + n, 0x01, 511), n += 511;
        f[n++] = 0, f[n++] = 0;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), 0);
        assert_true(strlen(nb.sys_descr) < sizeof nb.sys_descr);
        assert_int_equal(strlen(nb.sys_descr) % 4, 0);  /* cut between escapes */
}

static void test_many_addresses(void **state) {
        uint8_t f[14 + 23 + 12 * 14 + 2] = { ETH_LLDP, MANDATORY };
        size_t n = 14 + 23;
        for (uint8_t i = 0; i < 12; i++) {
                const uint8_t m[] = { 0x10, 0x0c, 0x05, 0x01, 10, 0, 0, i, 0x02, 0, 0, 0, 1, 0 };
                memcpy(f + n, m, sizeof m), n += sizeof m;
        }
        f[n++] = 0, f[n++] = 0;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), 0);
        assert_int_equal(nb.n_addresses, LLDP_MAX_ADDRESSES);
        assert_string_equal(nb.addresses[7], "10.0.0.7");
}

static void test_reason_names(void **state) {
        for (int r = 0; r < _LLDP_REASON_MAX; r++)
                assert_non_null(lldp_reason_name(r));
        assert_string_equal(lldp_reason_name(_LLDP_REASON_MAX + 3), "unknown");
}

/* The stable TLVs (all but Port ID, TTL and Port Description) are found in
 * both modes, equal for frames that differ only in those three; the
 * volatile mode decodes the chassis and those three, nothing else. */
static void stable_bytes(const struct lldp_neighbor *n, uint8_t *out, size_t *ret_len) {
        size_t len = 0;
        for (unsigned k = 0; k < n->n_stable; k++) {
                memcpy(out + len, n->stable[k].p, n->stable[k].len);
                len += n->stable[k].len;
        }
        assert_int_equal(len, n->stable_len);
        *ret_len = len;
}

static void test_stable_spans(void **state) {
        static const uint8_t a[] = {
                ETH_LLDP, MANDATORY,
                0x08, 0x03, 'u', 'p', '1',                      /* Port Description "up1" */
                0x0a, 0x02, 's', 'w',                           /* System Name "sw" */
                0x0c, 0x03, 'V', 'R', 'P',                      /* System Description "VRP" */
                END,
        };
        static const uint8_t b[] = {
                ETH_LLDP, CHASSIS_MAC,
                0x04, 0x04, 0x05, 'x', '/', '9',                /* another port */
                0x06, 0x02, 0x00, 0x10,                         /* another TTL */
                0x0a, 0x02, 's', 'w',
                0x08, 0x05, 'o', 't', 'h', 'e', 'r',            /* another description, elsewhere */
                0x0c, 0x03, 'V', 'R', 'P',
                END,
        };
        uint8_t sa[256], sb[256];
        size_t la, lb;
        assert_int_equal(PARSE(a), 0);
        assert_string_equal(nb.sys_descr, "VRP");
        stable_bytes(&nb, sa, &la);
        assert_int_equal(la, 9 + 4 + 5 + 2);            /* chassis, name, description, end */

        assert_int_equal(lldp_frame_parse_volatile(b, sizeof b, sizeof b, &nb), 0);
        assert_true(nb.volatile_only);
        /* the chassis ID checked and its bytes noted, not its text */
        assert_string_equal(nb.chassis_id, "");
        assert_int_equal(nb.chassis_raw_len, 7);
        assert_memory_equal(nb.chassis_raw, b + 14 + 2, 7);
        assert_string_equal(nb.port_id, "x/9");
        assert_int_equal(nb.ttl, 16);
        assert_string_equal(nb.port_descr, "other");
        {       /* not decoded: the observation has none */
                struct lldp_obs_buf buf;
                struct vw_observation o = VW_OBSERVATION_INIT;
                lldp_neighbor_to_observation(&nb, "eth0", &buf, &o);
                assert_null(o.sys_name);
                assert_null(o.sys_descr);
                assert_string_equal(o.port_id, "x/9");
                assert_null(o.chassis_id);
        }
        stable_bytes(&nb, sb, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(sa, sb, la);

        /* a frame cut by the capture has none */
        assert_int_equal(lldp_frame_parse_volatile(a, sizeof a - 4, sizeof a, &nb), 0);
        assert_int_equal(nb.n_stable, 0);
        /* the full decoder after the volatile one decodes everything again */
        assert_int_equal(PARSE(b), 0);
        assert_false(nb.volatile_only);
        assert_string_equal(nb.sys_descr, "VRP");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_frame),
                cmocka_unit_test(test_stable_spans),
                cmocka_unit_test(test_chassis_subtypes),
                cmocka_unit_test(test_port_subtypes),
                cmocka_unit_test(test_reserved_subtypes),
                cmocka_unit_test(test_missing_mandatory),
                cmocka_unit_test(test_duplicate_mandatory),
                cmocka_unit_test(test_ttl_zero),
                cmocka_unit_test(test_ttl_lengths),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_snaplen_cut),
                cmocka_unit_test(test_bad_lengths),
                cmocka_unit_test(test_zero_length_and_loops),
                cmocka_unit_test(test_unknown_tlvs),
                cmocka_unit_test(test_vlan_tags),
                cmocka_unit_test(test_not_lldp),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_text_fast_path),
                cmocka_unit_test(test_long_strings),
                cmocka_unit_test(test_many_addresses),
                cmocka_unit_test(test_reason_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
