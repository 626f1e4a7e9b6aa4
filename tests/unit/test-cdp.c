/* SPDX-License-Identifier: MIT */
/* CDP decoder on hand-built frames.  A CDP TLV is type (2 bytes), length
 * (2 bytes, counting the 4-byte header), value. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lldp-parse.h"

static struct lldp_neighbor nb;

/* 802.3 frame to 01:00:0c:cc:cc:cc with LLC/SNAP 00000c/2000 around `pdu`;
 * `pad` bytes of Ethernet padding after it.  Returns the frame length. */
static size_t cdp_frame(const uint8_t *pdu, size_t len, size_t pad, uint8_t *out) {
        static const uint8_t head[] = {
                0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc,     /* dst CDP multicast */
                0x00, 0x1b, 0x2b, 0x11, 0x22, 0x33,     /* src */
        };
        static const uint8_t snap[] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00 };
        size_t n = 0, l = sizeof snap + len;
        memcpy(out, head, sizeof head), n += sizeof head;
        out[n++] = (uint8_t) (l >> 8), out[n++] = (uint8_t) l;         /* 802.3 length */
        memcpy(out + n, snap, sizeof snap), n += sizeof snap;
        memcpy(out + n, pdu, len), n += len;
        memset(out + n, 0, pad), n += pad;
        return n;
}

static int parse_pdu(const uint8_t *pdu, size_t len) {
        uint8_t f[2048];
        size_t n = cdp_frame(pdu, len, 0, f);
        return lldp_frame_parse(f, n, n, &nb);
}
#define PARSE(p) parse_pdu((p), sizeof(p))

static const uint8_t full_pdu[] = {
        0x02, 0xb4, 0x12, 0x34,                                 /* version 2, holdtime 180, checksum */
        0x00, 0x01, 0x00, 0x0a, 'S', 'W', '-', 'A', 0x00, 0x00, /* Device ID "SW-A" + NUL padding */
        0x00, 0x02, 0x00, 0x2d,                                 /* Addresses, len 45 */
        0x00, 0x00, 0x00, 0x02,                                 /*   2 addresses */
        0x01, 0x01, 0xcc, 0x00, 0x04, 192, 0, 2, 10,            /*   NLPID IP: 192.0.2.10 */
        0x02, 0x08, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, /* 802.2 IPv6 */
        0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, /* 2001:db8::a */
        0x00, 0x03, 0x00, 0x17, 'G', 'i', 'g', 'a', 'b', 'i', 't', 'E', 't', 'h', 'e', 'r', 'n', 'e', 't',
        '0', '/', '1', 0x00,                                    /* Port ID "GigabitEthernet0/1", NUL */
        0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x29,         /* Capabilities: router, switch, IGMP */
        0x00, 0x05, 0x00, 0x0f, 'C', 'i', 's', 'c', 'o', ' ', 'I', 'O', 'S', '\n', 'X', /* Software version */
        0x00, 0x06, 0x00, 0x18, 'c', 'i', 's', 'c', 'o', ' ', 'W', 'S', '-', 'C', '3', '5', '6', '0', 'G',
        '-', '2', '4', 'P', 'S',                                /* Platform "cisco WS-C3560G-24PS" */
        0x00, 0x09, 0x00, 0x07, 'l', 'a', 'b',                  /* VTP domain (known, skipped) */
        0x00, 0x0a, 0x00, 0x06, 0x00, 0x14,                     /* Native VLAN 20 */
        0x00, 0x0b, 0x00, 0x05, 0x01,                           /* Duplex full */
        0x00, 0x14, 0x00, 0x08, 's', 'w', '-', 'a',             /* System name "sw-a" */
        0x00, 0x16, 0x00, 0x11, 0x00, 0x00, 0x00, 0x01,         /* Management addresses, 1 */
        0x01, 0x01, 0xcc, 0x00, 0x04, 10, 9, 8, 7,              /*   10.9.8.7 */
        0x00, 0x99, 0x00, 0x05, 0x00,                           /* type 0x99 unknown */
};

static void test_full(void **state) {
        assert_int_equal(PARSE(full_pdu), 0);
        assert_int_equal(nb.proto, LLDP_PROTO_CDP);
        assert_string_equal(nb.chassis_subtype, "cdp");
        assert_string_equal(nb.chassis_id, "SW-A");
        assert_string_equal(nb.port_id, "GigabitEthernet0/1");
        assert_string_equal(nb.port_subtype, "ifname");
        assert_int_equal(nb.ttl, 180);
        assert_int_equal(nb.caps_system, VW_CAP_ROUTER | VW_CAP_BRIDGE);
        assert_int_equal(nb.caps_enabled, VW_CAP_ROUTER | VW_CAP_BRIDGE);
        assert_string_equal(nb.sw_version, "Cisco IOS\nX");
        assert_string_equal(nb.platform, "cisco WS-C3560G-24PS");
        assert_string_equal(nb.sys_name, "sw-a");
        assert_int_equal(nb.pvid, 20);
        assert_int_equal(nb.n_addresses, 3);
        assert_string_equal(nb.addresses[0], "192.0.2.10");
        assert_string_equal(nb.addresses[1], "2001:db8::a");
        assert_string_equal(nb.addresses[2], "10.9.8.7");
        assert_int_equal(nb.n_unknown, 1);
        assert_int_equal(nb.n_ignored, 0);

        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        lldp_neighbor_to_observation(&nb, "eth1", &buf, &o);
        assert_string_equal(o.source, "cdp");
        assert_string_equal(o.chassis_id, "SW-A");
        assert_string_equal(o.platform, "cisco WS-C3560G-24PS");
        assert_string_equal(o.sw_version, "Cisco IOS\nX");
        assert_string_equal(o.macs[0], "00:1b:2b:11:22:33");
        assert_int_equal(o.vlan, 20);
        assert_int_equal(o.ttl, 180);
        assert_string_equal(o.via.interface, "eth1");
}

static void test_v1_and_padding(void **state) {
        static const uint8_t pdu[] = {
                0x01, 0x3c, 0x00, 0x00,                         /* version 1, holdtime 60 */
                0x00, 0x01, 0x00, 0x06, 'R', '1',               /* Device ID "R1" */
        };
        uint8_t f[128];
        size_t n = cdp_frame(pdu, sizeof pdu, 30, f);   /* padded to the minimum size */
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), 0);
        assert_string_equal(nb.chassis_id, "R1");
        assert_int_equal(nb.ttl, 60);
}

/* A CDP frame through the volatile entry point is decoded in full, with
 * nothing left over from the LLDP frame decoded before it. */
static void test_after_volatile_lldp(void **state) {
        static const uint8_t lldp[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x56, 0x88, 0xcc,
                0x02, 0x07, 0x04, 0x00, 0xe0, 0xfc, 0x12, 0x34, 0x56,   /* Chassis ID, MAC */
                0x04, 0x04, 0x05, 'x', '/', '9',                        /* Port ID */
                0x06, 0x02, 0x00, 0x78,                                 /* TTL */
                0x0a, 0x02, 's', 'w',                                   /* System Name */
                0x0c, 0x03, 'V', 'R', 'P',                              /* System Description */
                0x00, 0x00,
        };
        static const uint8_t pdu[] = {
                0x02, 0x3c, 0x00, 0x00,
                0x00, 0x01, 0x00, 0x06, 'R', '1',
        };
        assert_int_equal(lldp_frame_parse(lldp, sizeof lldp, sizeof lldp, &nb), 0);
        assert_string_equal(nb.sys_descr, "VRP");
        uint8_t f[128];
        size_t n = cdp_frame(pdu, sizeof pdu, 0, f);
        assert_int_equal(lldp_frame_parse_volatile(f, n, n, &nb), 0);
        assert_false(nb.volatile_only);
        assert_string_equal(nb.chassis_id, "R1");
        assert_string_equal(nb.sys_descr, "");
        assert_string_equal(nb.sys_name, "");
        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        lldp_neighbor_to_observation(&nb, "eth1", &buf, &o);
        assert_null(o.sys_descr);
        assert_string_equal(o.source, "cdp");
}

static void test_tagged(void **state) {
        uint8_t f[256], g[260];
        size_t n = cdp_frame(full_pdu, sizeof full_pdu, 0, f);
        memcpy(g, f, 12);
        g[12] = 0x81, g[13] = 0x00, g[14] = 0x00, g[15] = 0x1e;        /* 802.1Q VLAN 30 */
        memcpy(g + 16, f + 12, n - 12);
        assert_int_equal(lldp_frame_parse(g, n + 4, n + 4, &nb), 0);
        assert_int_equal(nb.vlan, 30);
        assert_int_equal(nb.pvid, 20);
}

static void test_bad_version(void **state) {
        static const uint8_t pdu[] = { 0x03, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 'R', '1' };
        assert_int_equal(PARSE(pdu), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_BAD_VERSION);
}

static void test_short_header(void **state) {
        static const uint8_t pdu[] = { 0x02, 0xb4, 0x00 };
        assert_int_equal(PARSE(pdu), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_SHORT);
}

static void test_missing_device_id(void **state) {
        static const uint8_t pdu[] = {
                0x02, 0xb4, 0x00, 0x00,
                0x00, 0x06, 0x00, 0x07, 'x', 'y', 'z',          /* Platform only */
        };
        static const uint8_t empty_id[] = {
                0x02, 0xb4, 0x00, 0x00,
                0x00, 0x01, 0x00, 0x04,                         /* Device ID of length 0 */
        };
        assert_int_equal(PARSE(pdu), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_MISSING_CHASSIS);
        assert_int_equal(PARSE(empty_id), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_MISSING_CHASSIS);
}

static void test_tlv_loop(void **state) {
        /* length 0 and length 3 would make a naive reader spin or go back */
        static const uint8_t zero[] = { 0x02, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 'R', '1', 0x00, 0x05, 0x00, 0x00 };
        static const uint8_t three[] = { 0x02, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 'R' };
        assert_int_equal(PARSE(zero), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_TLV_LENGTH);
        assert_int_equal(PARSE(three), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_TLV_LENGTH);
}

static void test_truncated(void **state) {
        static const uint8_t value_cut[] = { 0x02, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 'R', '1' };
        static const uint8_t header_cut[] = { 0x02, 0xb4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 'R', '1', 0x00, 0x06 };
        assert_int_equal(PARSE(value_cut), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_TLV_TRUNCATED);
        assert_int_equal(PARSE(header_cut), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_TLV_TRUNCATED);

        /* a capture cut by snaplen keeps what was complete */
        uint8_t f[2048];
        size_t n = cdp_frame(full_pdu, sizeof full_pdu, 0, f);
        assert_int_equal(lldp_frame_parse(f, 60, n, &nb), 0);
        assert_true(nb.snapped);
        assert_string_equal(nb.chassis_id, "SW-A");
}

static void test_bad_addresses(void **state) {
        static const uint8_t pdu[] = {
                0x02, 0xb4, 0x00, 0x00,
                0x00, 0x01, 0x00, 0x06, 'R', '1',
                0x00, 0x02, 0x00, 0x11, 0x00, 0x00, 0x00, 0x05,         /* claims 5 addresses */
                0x01, 0x01, 0xcc, 0x00, 0x04, 10, 0, 0, 1,              /* only one is there */
                0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x01, 0x09, /* protocol length 9 past end */
                0x00, 0x02, 0x00, 0x06, 0x00, 0x00,                     /* count cut */
                0x00, 0x04, 0x00, 0x06, 0x00, 0x01,                     /* capabilities of 2 bytes */
                0x00, 0x0a, 0x00, 0x05, 0x01,                           /* native VLAN of 1 byte */
        };
        assert_int_equal(PARSE(pdu), 0);
        assert_int_equal(nb.n_ignored, 5);
        /* the address decoded before the list broke is kept */
        assert_int_equal(nb.n_addresses, 1);
        assert_int_equal(nb.pvid, -1);
}

static void test_frame_level(void **state) {
        uint8_t f[256];
        size_t n = cdp_frame(full_pdu, sizeof full_pdu, 0, f);

        /* 802.3 length larger than the frame */
        f[12] = 0x05, f[13] = 0xdc;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_SHORT);
        /* too short for LLC/SNAP */
        f[12] = 0x00, f[13] = 0x04;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), -EBADMSG);
        assert_int_equal(nb.reason, LLDP_REASON_SHORT);
        /* VTP (PID 0x2003) and DTP (0x2004) to the same address are not CDP */
        n = cdp_frame(full_pdu, sizeof full_pdu, 0, f);
        f[21] = 0x03;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), -EPROTONOSUPPORT);
        /* SNAP to another destination is not CDP */
        n = cdp_frame(full_pdu, sizeof full_pdu, 0, f);
        f[5] = 0xcd;
        assert_int_equal(lldp_frame_parse(f, n, n, &nb), -EPROTONOSUPPORT);
}

static void test_escaping(void **state) {
        static const uint8_t pdu[] = {
                0x02, 0xb4, 0x00, 0x00,
                0x00, 0x01, 0x00, 0x08, 'R', 0x1b, '[', 'm',            /* ESC in the device ID */
                0x00, 0x06, 0x00, 0x07, 0xfe, 'A', 'B',                 /* invalid UTF-8 */
        };
        assert_int_equal(PARSE(pdu), 0);
        assert_string_equal(nb.chassis_id, "R\\x1b[m");
        assert_string_equal(nb.platform, "\\xfeAB");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full),
                cmocka_unit_test(test_v1_and_padding),
                cmocka_unit_test(test_tagged),
                cmocka_unit_test(test_after_volatile_lldp),
                cmocka_unit_test(test_bad_version),
                cmocka_unit_test(test_short_header),
                cmocka_unit_test(test_missing_device_id),
                cmocka_unit_test(test_tlv_loop),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_bad_addresses),
                cmocka_unit_test(test_frame_level),
                cmocka_unit_test(test_escaping),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
