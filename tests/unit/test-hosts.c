/* SPDX-License-Identifier: MIT */
/* End-host decoders (ARP, ND, DHCP, DHCPv6) on hand-built frames.  Short
 * frames are written out byte by byte; DHCP's fixed 236-byte BOOTP header is
 * assembled by dhcp_frame() from commented pieces, with the options as byte
 * arrays. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hosts-parse.h"

static struct hosts_sighting hs;

#define PARSE(f) hosts_frame_parse((f), sizeof(f), &hs)

static void assert_mac(const uint8_t *m, const char *text) {
        char b[18];
        snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        assert_string_equal(b, text);
}

static void assert_v4(unsigned k, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
        assert_true(k < hs.n_addresses);
        assert_int_equal(hs.addresses[k].family, 4);
        const uint8_t want[4] = { a, b, c, d };
        assert_memory_equal(hs.addresses[k].bytes, want, 4);
}

/* ---- ARP ---- */

static const uint8_t arp_request[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,     /* dst broadcast */
        0x44, 0x47, 0xcc, 0x01, 0x02, 0x03,     /* src 44:47:cc:01:02:03 (Hikvision block) */
        0x08, 0x06,                             /* ARP */
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04,     /* Ethernet, IPv4, hlen 6, plen 4 */
        0x00, 0x01,                             /* request */
        0x44, 0x47, 0xcc, 0x01, 0x02, 0x03,     /* sender MAC */
        10, 77, 0, 21,                          /* sender IP 10.77.0.21 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,     /* target MAC unknown */
        10, 77, 0, 1,                           /* target IP 10.77.0.1 */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* Ethernet padding */
};

static void test_arp_request(void **state) {
        assert_int_equal(PARSE(arp_request), 0);
        assert_int_equal(hs.proto, HOSTS_PROTO_ARP);
        assert_string_equal(hosts_proto_source(hs.proto), "arp");
        assert_mac(hs.mac, "44:47:cc:01:02:03");
        assert_int_equal(hs.n_addresses, 1);
        assert_v4(0, 10, 77, 0, 21);
        assert_false(hs.gratuitous);
        assert_int_equal(hs.vlan, -1);
        assert_int_equal(hs.msg_type, 1);
}

static void test_arp_reply_tagged(void **state) {
        static const uint8_t f[] = {
                0x44, 0x47, 0xcc, 0x01, 0x02, 0x03,     /* dst */
                0x08, 0xed, 0xed, 0xaa, 0xbb, 0xcc,     /* src 08:ed:ed:aa:bb:cc (Dahua block) */
                0x81, 0x00, 0x20, 0x64,                 /* 802.1Q, PCP 1, VLAN 100 */
                0x08, 0x06,                             /* ARP */
                0x00, 0x01, 0x08, 0x00, 0x06, 0x04,
                0x00, 0x02,                             /* reply */
                0x08, 0xed, 0xed, 0xaa, 0xbb, 0xcc,     /* sender MAC */
                192, 0, 2, 7,                           /* sender IP 192.0.2.7 */
                0x44, 0x47, 0xcc, 0x01, 0x02, 0x03,     /* target MAC */
                10, 77, 0, 21,                          /* target IP */
        };
        assert_int_equal(PARSE(f), 0);
        assert_mac(hs.mac, "08:ed:ed:aa:bb:cc");
        assert_int_equal(hs.vlan, 100);
        assert_int_equal(hs.n_addresses, 1);
        assert_v4(0, 192, 0, 2, 7);
        assert_int_equal(hs.msg_type, 2);
}

static void test_arp_gratuitous_and_probe(void **state) {
        static const uint8_t announce[] = {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08, 0xed, 0xed, 0x00, 0x00, 0x01, 0x08, 0x06,
                0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
                0x08, 0xed, 0xed, 0x00, 0x00, 0x01, 10, 1, 2, 3,        /* sender 10.1.2.3 */
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 1, 2, 3,        /* target the same: announcement */
        };
        static const uint8_t probe[] = {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08, 0xed, 0xed, 0x00, 0x00, 0x02, 0x08, 0x06,
                0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
                0x08, 0xed, 0xed, 0x00, 0x00, 0x02, 0, 0, 0, 0,         /* sender 0.0.0.0: probe (RFC 5227) */
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 1, 2, 4,        /* candidate 10.1.2.4 */
        };
        assert_int_equal(PARSE(announce), 0);
        assert_true(hs.gratuitous);
        assert_int_equal(hs.n_addresses, 1);
        assert_v4(0, 10, 1, 2, 3);

        assert_int_equal(PARSE(probe), 0);
        assert_true(hs.gratuitous);
        assert_mac(hs.mac, "08:ed:ed:00:00:02");
        assert_int_equal(hs.n_addresses, 0);    /* a candidate is not yet the host's */
}

static void test_arp_bad(void **state) {
        uint8_t f[sizeof arp_request];

        memcpy(f, arp_request, sizeof f);
        f[18] = 8;                              /* hlen 8 */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_BAD_ARP);
        assert_string_equal(hosts_reason_name(hs.reason), "bad-arp");

        memcpy(f, arp_request, sizeof f);
        f[16] = 0x86, f[17] = 0xdd;             /* protocol IPv6 */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_BAD_ARP);

        /* cut inside the target IP */
        assert_int_equal(hosts_frame_parse(arp_request, 14 + 26, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_SHORT);

        memcpy(f, arp_request, sizeof f);
        f[22] = 0x01;                           /* sender MAC multicast */
        assert_int_equal(PARSE(f), -ENODATA);

        memcpy(f, arp_request, sizeof f);
        f[21] = 8;                              /* InARP request */
        assert_int_equal(PARSE(f), -ENODATA);

        memcpy(f, arp_request, sizeof f);
        f[28] = 169, f[29] = 254;               /* link-local sender: no address, still a host */
        assert_int_equal(PARSE(f), 0);
        assert_int_equal(hs.n_addresses, 0);
}

/* ---- neighbour discovery ---- */

static const uint8_t nd_ns[] = {
        0x33, 0x33, 0xff, 0x00, 0x00, 0x01,     /* dst solicited-node multicast */
        0x58, 0x03, 0xfb, 0x10, 0x20, 0x30,     /* src 58:03:fb:10:20:30 (Hikvision block) */
        0x86, 0xdd,                             /* IPv6 */
        0x60, 0x00, 0x00, 0x00,                 /* version 6 */
        0x00, 0x20, 0x3a, 0xff,                 /* payload 32, ICMPv6, hop limit 255 */
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21,  /* src 2001:db8::21 */
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0x01,  /* dst ff02::1:ff00:1 */
        0x87, 0x00, 0x00, 0x00,                 /* NS, code 0, checksum */
        0x00, 0x00, 0x00, 0x00,                 /* reserved */
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  /* target 2001:db8::1 */
        0x01, 0x01, 0x58, 0x03, 0xfb, 0x10, 0x20, 0x31,                 /* SLLA 58:03:fb:10:20:31 */
};

static void test_nd_solicit(void **state) {
        assert_int_equal(PARSE(nd_ns), 0);
        assert_int_equal(hs.proto, HOSTS_PROTO_ND);
        assert_string_equal(hosts_proto_source(hs.proto), "nd");
        assert_mac(hs.mac, "58:03:fb:10:20:31");        /* the option, not the frame's source */
        assert_int_equal(hs.n_addresses, 1);
        assert_int_equal(hs.addresses[0].family, 6);
        assert_int_equal(hs.addresses[0].bytes[15], 0x21);     /* the source, not the target */
}

static void test_nd_advert(void **state) {
        static const uint8_t f[] = {
                0x33, 0x33, 0x00, 0x00, 0x00, 0x01,     /* all nodes */
                0x08, 0xed, 0xed, 0x01, 0x01, 0x01,
                0x88, 0xa8, 0x00, 0x0a,                 /* 802.1ad S-tag VLAN 10 */
                0x81, 0x00, 0x00, 0xc8,                 /* 802.1Q C-tag VLAN 200 */
                0x86, 0xdd,
                0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
                0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x0a, 0xed, 0xed, 0xff, 0xfe, 0x01, 0x01, 0x01, /* fe80:: src */
                0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                0x88, 0x00, 0x00, 0x00,                 /* NA */
                0x20, 0x00, 0x00, 0x00,                 /* override flag */
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07,  /* target 2001:db8::7 */
                0x02, 0x01, 0x08, 0xed, 0xed, 0x01, 0x01, 0x01,                 /* TLLA */
        };
        assert_int_equal(PARSE(f), 0);
        assert_int_equal(hs.vlan, 200);                 /* the innermost tag */
        assert_mac(hs.mac, "08:ed:ed:01:01:01");
        assert_int_equal(hs.n_addresses, 1);            /* link-local source left out */
        assert_int_equal(hs.addresses[0].bytes[15], 0x07);
}

static void test_nd_bad(void **state) {
        uint8_t f[sizeof nd_ns];

        memcpy(f, nd_ns, sizeof f);
        f[21] = 64;                             /* hop limit 64: routed, not ND */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_BAD_ND);

        memcpy(f, nd_ns, sizeof f);
        f[sizeof f - 7] = 0;                    /* option length 0 */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);

        memcpy(f, nd_ns, sizeof f);
        f[sizeof f - 7] = 2;                    /* option of 16 bytes in 8 */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_TRUNCATED);

        memcpy(f, nd_ns, sizeof f);
        f[19] = 0x40;                           /* payload length 64 > 32 present */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_SHORT);

        memcpy(f, nd_ns, sizeof f);
        f[54] = 128;                            /* echo request: not ours */
        assert_int_equal(PARSE(f), -EPROTONOSUPPORT);

        /* duplicate address detection: unspecified source, no option */
        memcpy(f, nd_ns, sizeof f);
        memset(f + 22, 0, 16);
        f[19] = 24;                             /* payload without the option */
        assert_int_equal(hosts_frame_parse(f, sizeof f - 8, &hs), 0);
        assert_mac(hs.mac, "58:03:fb:10:20:30");        /* the frame's source */
        assert_int_equal(hs.n_addresses, 0);
}

/* ---- DHCP ---- */

/* Ethernet (+ optional 802.1Q tag) + IPv4 + UDP + BOOTP + magic cookie + options. */
static size_t dhcp_frame(uint8_t op, const uint8_t chaddr[6], const uint8_t ciaddr[4], const uint8_t yiaddr[4],
                         const uint8_t *opts, size_t opts_len, int vlan, uint8_t *out) {
        static const uint8_t ip[] = {
                0x45, 0x00, 0x00, 0x00,         /* IPv4, IHL 5, total length set below */
                0x00, 0x01, 0x00, 0x00,         /* id, no fragment */
                0x40, 0x11, 0x00, 0x00,         /* TTL 64, UDP, checksum */
                0, 0, 0, 0, 255, 255, 255, 255, /* 0.0.0.0 -> broadcast */
        };
        size_t n = 0;
        memcpy(out, "\xff\xff\xff\xff\xff\xff", 6), n += 6;
        memcpy(out + n, chaddr, 6), n += 6;
        if (vlan >= 0) {
                out[n++] = 0x81, out[n++] = 0x00;
                out[n++] = (uint8_t) (vlan >> 8), out[n++] = (uint8_t) vlan;
        }
        out[n++] = 0x08, out[n++] = 0x00;
        size_t ip_at = n;
        memcpy(out + n, ip, sizeof ip), n += sizeof ip;
        size_t udp_at = n;
        out[n++] = 0, out[n++] = op == 1 ? 68 : 67;     /* source port */
        out[n++] = 0, out[n++] = op == 1 ? 67 : 68;     /* destination port */
        n += 4;                                         /* length set below, checksum 0 */
        out[n++] = op, out[n++] = 1, out[n++] = 6, out[n++] = 0;        /* op, Ethernet, hlen 6, hops */
        memcpy(out + n, "\x12\x34\x56\x78", 4), n += 4;                 /* xid */
        memset(out + n, 0, 4), n += 4;                                  /* secs, flags */
        memcpy(out + n, ciaddr, 4), n += 4;
        memcpy(out + n, yiaddr, 4), n += 4;
        memset(out + n, 0, 8), n += 8;                                  /* siaddr, giaddr */
        memset(out + n, 0, 16), memcpy(out + n, chaddr, 6), n += 16;    /* chaddr */
        memset(out + n, 0, 192), n += 192;                              /* sname, file */
        memcpy(out + n, "\x63\x82\x53\x63", 4), n += 4;                 /* magic cookie */
        memcpy(out + n, opts, opts_len), n += opts_len;
        size_t ip_len = n - ip_at, udp_len = n - udp_at;
        out[ip_at + 2] = (uint8_t) (ip_len >> 8), out[ip_at + 3] = (uint8_t) ip_len;
        out[udp_at + 4] = (uint8_t) (udp_len >> 8), out[udp_at + 5] = (uint8_t) udp_len;
        return n;
}

static const uint8_t dahua_mac[6] = { 0x08, 0xed, 0xed, 0x12, 0x34, 0x56 };
static const uint8_t zero4[4];

static const uint8_t request_opts[] = {
        53, 1, 3,                                       /* DHCPREQUEST */
        50, 4, 10, 77, 0, 33,                           /* requested 10.77.0.33 */
        12, 7, 'c', 'a', 'm', '-', 'd', 'h', '1',       /* hostname "cam-dh1" */
        60, 5, 'd', 'a', 'h', 'u', 'a',                 /* vendor class "dahua" */
        0, 0,                                           /* pad */
        255,                                            /* end */
};

static void test_dhcp_request(void **state) {
        uint8_t f[1024];
        size_t n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, 42, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_int_equal(hs.proto, HOSTS_PROTO_DHCP);
        assert_string_equal(hosts_proto_source(hs.proto), "dhcp");
        assert_int_equal(hs.msg_type, 3);
        assert_int_equal(hs.vlan, 42);
        assert_mac(hs.mac, "08:ed:ed:12:34:56");
        assert_string_equal(hs.hostname, "cam-dh1");
        assert_string_equal(hs.vendor_class, "dahua");
        assert_int_equal(hs.n_addresses, 1);
        assert_v4(0, 10, 77, 0, 33);

        struct hosts_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        hosts_sighting_to_observation(&hs, "eth9", &buf, &o);
        assert_string_equal(o.source, "dhcp");
        assert_string_equal(o.kind, "host");
        assert_int_equal(o.n_macs, 1);
        assert_string_equal(o.macs[0], "08:ed:ed:12:34:56");
        assert_int_equal(o.n_addresses, 1);
        assert_string_equal(o.addresses[0], "10.77.0.33");
        assert_string_equal(o.hostname, "cam-dh1");
        assert_string_equal(o.dhcp_vendor_class, "dahua");
        assert_int_equal(o.vlan, 42);
        assert_string_equal(o.via.interface, "eth9");

        /* the same request again: same digest; another hostname: another */
        uint64_t d = hosts_sighting_digest(&hs);
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_true(hosts_sighting_digest(&hs) == d);
        f[n - 13] = 'X';                        /* a byte of the hostname */
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_true(hosts_sighting_digest(&hs) != d);
}

static void test_dhcp_discover_and_ack(void **state) {
        static const uint8_t discover[] = {
                53, 1, 1,                               /* DHCPDISCOVER */
                50, 4, 10, 77, 0, 99,                   /* a hint, not an address */
                60, 9, 'H', 'I', 'K', 'V', 'I', 'S', 'I', 'O', 'N',
                255,
        };
        static const uint8_t ack[] = { 53, 1, 5, 54, 4, 10, 77, 0, 1, 51, 4, 0, 0, 0x0e, 0x10, 255 };
        static const uint8_t offer[] = { 53, 1, 2, 255 };
        static const uint8_t yi[4] = { 10, 77, 0, 34 };
        uint8_t f[1024];
        size_t n;

        n = dhcp_frame(1, dahua_mac, zero4, zero4, discover, sizeof discover, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_int_equal(hs.n_addresses, 0);
        assert_string_equal(hs.vendor_class, "HIKVISION");

        n = dhcp_frame(2, dahua_mac, zero4, yi, ack, sizeof ack, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_int_equal(hs.msg_type, 5);
        assert_int_equal(hs.n_addresses, 1);
        assert_v4(0, 10, 77, 0, 34);
        assert_string_equal(hs.vendor_class, "");

        n = dhcp_frame(2, dahua_mac, zero4, yi, offer, sizeof offer, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), -ENODATA);
}

static void test_dhcp_bad_options(void **state) {
        static const uint8_t truncated[] = { 53, 1, 3, 12, 40, 'a', 'b' };     /* hostname of 40 in 2 */
        static const uint8_t bad_type[] = { 53, 2, 3, 3, 255 };                 /* message type of 2 bytes */
        static const uint8_t bad_req[] = { 53, 1, 3, 50, 3, 10, 0, 0, 255 };    /* requested address of 3 */
        static const uint8_t empty_host[] = { 53, 1, 3, 12, 0, 255 };           /* empty hostname */
        static const uint8_t no_end[] = { 53, 1, 3, 12, 2, 'h', '1' };          /* no end option: tolerated */
        uint8_t f[1024];
        size_t n;

        n = dhcp_frame(1, dahua_mac, zero4, zero4, truncated, sizeof truncated, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_TRUNCATED);
        n = dhcp_frame(1, dahua_mac, zero4, zero4, bad_type, sizeof bad_type, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);
        n = dhcp_frame(1, dahua_mac, zero4, zero4, bad_req, sizeof bad_req, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);
        n = dhcp_frame(1, dahua_mac, zero4, zero4, empty_host, sizeof empty_host, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);
        n = dhcp_frame(1, dahua_mac, zero4, zero4, no_end, sizeof no_end, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_string_equal(hs.hostname, "h1");

        /* wrong magic cookie */
        n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, -1, f);
        f[14 + 20 + 8 + 236] = 0x00;
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_BAD_DHCP);

        /* UDP length past the frame */
        n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, -1, f);
        f[14 + 20 + 4] = 0x7f;
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_SHORT);

        /* IP total length shorter than its header */
        n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, -1, f);
        f[14 + 2] = 0, f[14 + 3] = 10;
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_BAD_IP);

        /* a fragment, and another UDP port: not ours */
        n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, -1, f);
        f[14 + 6] = 0x20;                       /* more fragments */
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EPROTONOSUPPORT);
        n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, -1, f);
        f[14 + 20 + 3] = 53;                    /* destination port 53 */
        assert_int_equal(hosts_frame_parse(f, n, &hs), -EPROTONOSUPPORT);

        /* every cut of a good request fails cleanly or parses */
        n = dhcp_frame(1, dahua_mac, zero4, zero4, request_opts, sizeof request_opts, -1, f);
        for (size_t cut = 0; cut < n; cut++) {
                int r = hosts_frame_parse(f, cut, &hs);
                assert_true(r == -EBADMSG || r == -EPROTONOSUPPORT);
        }
}

static void test_dhcp_escaping(void **state) {
        static const uint8_t opts[] = {
                53, 1, 3,
                12, 6, 'c', 0x1b, '[', 'm', 0, 'x',     /* ESC, then a NUL ending the text */
                60, 3, 0xfe, 'A', 'B',                  /* invalid UTF-8 */
                255,
        };
        uint8_t f[1024];
        size_t n = dhcp_frame(1, dahua_mac, zero4, zero4, opts, sizeof opts, -1, f);
        assert_int_equal(hosts_frame_parse(f, n, &hs), 0);
        assert_string_equal(hs.hostname, "c\\x1b[m");
        assert_string_equal(hs.vendor_class, "\\xfeAB");
}

/* ---- DHCPv6 ---- */

static const uint8_t dhcp6_solicit[] = {
        0x33, 0x33, 0x00, 0x01, 0x00, 0x02,     /* all DHCP servers and relays */
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,     /* src: locally administered */
        0x86, 0xdd,
        0x60, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x11, 0x01,         /* payload 60, UDP, hop limit 1 */
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* fe80::1 */
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0x02,
        0x02, 0x22, 0x02, 0x23, 0x00, 0x3c, 0x00, 0x00,         /* UDP 546 -> 547, length 60 */
        0x01, 0xab, 0xcd, 0xef,                                 /* SOLICIT, transaction id */
        0x00, 0x01, 0x00, 0x0a,                                 /* CLIENTID, 10 bytes */
        0x00, 0x03, 0x00, 0x01, 0x44, 0x47, 0xcc, 0x0a, 0x0b, 0x0c, /* DUID-LL Ethernet 44:47:cc:0a:0b:0c */
        0x00, 0x10, 0x00, 0x0d,                                 /* VENDOR_CLASS, 13 bytes */
        0x00, 0x00, 0x9c, 0x41,                                 /* enterprise 39997 */
        0x00, 0x07, 'h', 'i', 'k', 'v', 'i', 's', 'i',          /* one class "hikvisi" */
        0x00, 0x27, 0x00, 0x07,                                 /* CLIENT_FQDN, 7 bytes */
        0x00, 0x05, 'c', 'a', 'm', '-', '1',                    /* flags, "cam-1" */
        0x00, 0x08, 0x00, 0x02, 0x00, 0x00,                     /* ELAPSED_TIME (skipped) */
};

static void test_dhcp6_solicit(void **state) {
        assert_int_equal(PARSE(dhcp6_solicit), 0);
        assert_int_equal(hs.proto, HOSTS_PROTO_DHCP6);
        assert_string_equal(hosts_proto_source(hs.proto), "dhcp");
        assert_string_equal(hosts_proto_name(hs.proto), "dhcp6");
        assert_mac(hs.mac, "44:47:cc:0a:0b:0c");        /* from the DUID */
        assert_string_equal(hs.vendor_class, "hikvisi");
        assert_string_equal(hs.hostname, "cam-1");
        assert_int_equal(hs.n_addresses, 0);
}

static void test_dhcp6_reply(void **state) {
        static const uint8_t f[] = {
                0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0x86, 0xdd,
                0x60, 0x00, 0x00, 0x00, 0x00, 0x4a, 0x11, 0x40,                 /* payload 74 */
                0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
                0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
                0x02, 0x23, 0x02, 0x22, 0x00, 0x4a, 0x00, 0x00,                 /* 547 -> 546, length 74 */
                0x07, 0x00, 0x00, 0x01,                                         /* REPLY */
                0x00, 0x01, 0x00, 0x0e,                                         /* CLIENTID, 14 bytes */
                0x00, 0x01, 0x00, 0x01, 0x2a, 0x00, 0x00, 0x00,                 /* DUID-LLT, Ethernet, time */
                0x08, 0xed, 0xed, 0x0d, 0x0e, 0x0f,                             /* 08:ed:ed:0d:0e:0f */
                0x00, 0x03, 0x00, 0x28,                                         /* IA_NA, 40 bytes */
                0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x15, 0x18, /* IAID, T1, T2 */
                0x00, 0x05, 0x00, 0x18,                                         /* IAADDR, 24 bytes */
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01, /* 2001:db8::1001 */
                0x00, 0x00, 0x1c, 0x20, 0x00, 0x00, 0x2a, 0x30,                 /* preferred, valid */
        };
        assert_int_equal(PARSE(f), 0);
        assert_mac(hs.mac, "08:ed:ed:0d:0e:0f");
        assert_int_equal(hs.n_addresses, 1);
        assert_int_equal(hs.addresses[0].family, 6);
        assert_int_equal(hs.addresses[0].bytes[14], 0x10);

        struct hosts_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        hosts_sighting_to_observation(&hs, "eth9", &buf, &o);
        assert_string_equal(o.addresses[0], "2001:db8::1001");

        /* IA_NA shorter than its fixed part */
        uint8_t g[sizeof f];
        memcpy(g, f, sizeof g);
        g[14 + 40 + 8 + 4 + 18 + 3] = 0x04;    /* IA_NA length 4 */
        assert_int_equal(PARSE(g), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);
}

static void test_dhcp6_bad(void **state) {
        uint8_t f[sizeof dhcp6_solicit];

        memcpy(f, dhcp6_solicit, sizeof f);
        f[14 + 40 + 8 + 4 + 3] = 0x40;          /* CLIENTID of 64 bytes, past the end */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_TRUNCATED);

        memcpy(f, dhcp6_solicit, sizeof f);
        f[14 + 40 + 8 + 4 + 14 + 3] = 0x03;     /* VENDOR_CLASS of 3: no room for the enterprise */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);

        memcpy(f, dhcp6_solicit, sizeof f);
        f[14 + 40 + 8 + 4 + 14 + 4 + 4 + 1] = 0x20;     /* class data of 32 in 7 */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_OPTION_LENGTH);

        memcpy(f, dhcp6_solicit, sizeof f);
        f[14 + 40 + 8] = 2;                     /* ADVERTISE names no client here */
        assert_int_equal(PARSE(f), -ENODATA);

        memcpy(f, dhcp6_solicit, sizeof f);
        f[14] = 0x40;                           /* IP version 4 in an IPv6 ethertype */
        assert_int_equal(PARSE(f), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_BAD_IP);

        for (size_t cut = 0; cut < sizeof f; cut++) {
                int r = hosts_frame_parse(dhcp6_solicit, cut, &hs);
                assert_true(r == -EBADMSG || r == -EPROTONOSUPPORT);
        }
}

/* ---- front end ---- */

static void test_frame_level(void **state) {
        static const uint8_t three_tags[] = {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08, 0xed, 0xed, 0x00, 0x00, 0x01,
                0x88, 0xa8, 0x00, 0x01, 0x81, 0x00, 0x00, 0x02, 0x81, 0x00, 0x00, 0x03, 0x08, 0x06,
        };
        static const uint8_t lldp[] = {
                0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, 0x08, 0xed, 0xed, 0x00, 0x00, 0x01, 0x88, 0xcc,
        };
        static const uint8_t priority_tag[] = {
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x44, 0x47, 0xcc, 0x01, 0x02, 0x03,
                0x81, 0x00, 0xa0, 0x00,                 /* PCP 5, VLAN 0: priority only */
                0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
                0x44, 0x47, 0xcc, 0x01, 0x02, 0x03, 10, 77, 0, 21,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 77, 0, 1,
        };
        assert_int_equal(PARSE(three_tags), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_TOO_MANY_TAGS);
        assert_int_equal(PARSE(lldp), -EPROTONOSUPPORT);
        assert_int_equal(hosts_frame_parse(lldp, 5, &hs), -EBADMSG);
        assert_int_equal(hs.reason, HOSTS_REASON_SHORT);
        assert_int_equal(PARSE(priority_tag), 0);
        assert_int_equal(hs.vlan, -1);
        assert_string_equal(hosts_reason_name(_HOSTS_REASON_MAX), "unknown");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_arp_request),
                cmocka_unit_test(test_arp_reply_tagged),
                cmocka_unit_test(test_arp_gratuitous_and_probe),
                cmocka_unit_test(test_arp_bad),
                cmocka_unit_test(test_nd_solicit),
                cmocka_unit_test(test_nd_advert),
                cmocka_unit_test(test_nd_bad),
                cmocka_unit_test(test_dhcp_request),
                cmocka_unit_test(test_dhcp_discover_and_ack),
                cmocka_unit_test(test_dhcp_bad_options),
                cmocka_unit_test(test_dhcp_escaping),
                cmocka_unit_test(test_dhcp6_solicit),
                cmocka_unit_test(test_dhcp6_reply),
                cmocka_unit_test(test_dhcp6_bad),
                cmocka_unit_test(test_frame_level),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
