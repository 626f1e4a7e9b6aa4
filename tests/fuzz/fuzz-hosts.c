/* SPDX-License-Identifier: MIT */
/* The end-host decoders (ARP, ND, DHCP, DHCPv6): the input as a whole
 * Ethernet frame, then the same bytes as the payload of a DHCP (IPv4/UDP
 * 68 -> 67), a DHCPv6 (IPv6/UDP 546 -> 547) and an ICMPv6 packet, so the
 * option walkers get fuzzed without the fuzzer having to find the headers
 * first.  Every sighting is turned into an observation and digested. */
#include <stdint.h>
#include <string.h>

#include "hosts-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct hosts_sighting *s) {
        struct hosts_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        hosts_sighting_to_observation(s, "fuzz0", &buf, &o);
        size_t total = strlen(o.source) + strlen(o.macs[0]);
        total += o.hostname ? strlen(o.hostname) : 0;
        total += o.dhcp_vendor_class ? strlen(o.dhcp_vendor_class) : 0;
        for (size_t i = 0; i < o.n_addresses; i++)
                total += strlen(o.addresses[i]);
        (void) total;
        (void) hosts_sighting_digest(s);
}

static void put16(uint8_t *p, size_t v) {
        p[0] = (uint8_t) (v >> 8), p[1] = (uint8_t) v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct hosts_sighting s;
        static uint8_t frame[14 + 40 + 8 + 65536];
        static const uint8_t eth4[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08, 0xed, 0xed, 0x00, 0x00, 0x01,
                                          0x08, 0x00 };
        static const uint8_t eth6[14] = { 0x33, 0x33, 0x00, 0x01, 0x00, 0x02, 0x44, 0x47, 0xcc, 0x00, 0x00, 0x01,
                                          0x86, 0xdd };

        if (hosts_frame_parse(data, size, &s) == 0)
                check(&s);
        if (size > 65000)
                return 0;

        /* IPv4 + UDP 68 -> 67 */
        size_t n = 0;
        memcpy(frame, eth4, 14), n = 14;
        static const uint8_t ip4[20] = { 0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255 };
        memcpy(frame + n, ip4, 20);
        put16(frame + n + 2, 20 + 8 + size);
        n += 20;
        static const uint8_t udp4[8] = { 0, 68, 0, 67, 0, 0, 0, 0 };
        memcpy(frame + n, udp4, 8);
        put16(frame + n + 4, 8 + size);
        n += 8;
        memcpy(frame + n, data, size);
        if (hosts_frame_parse(frame, n + size, &s) == 0)
                check(&s);

        /* IPv6 + UDP 546 -> 547, and IPv6 + ICMPv6 with hop limit 255 */
        static const uint8_t ip6[40] = { 0x60, 0, 0, 0, 0, 0, 17, 255,
                                         0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21,
                                         0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 };
        memcpy(frame, eth6, 14), n = 14;
        memcpy(frame + n, ip6, 40);
        put16(frame + n + 4, 8 + size);
        n += 40;
        static const uint8_t udp6[8] = { 0x02, 0x22, 0x02, 0x23, 0, 0, 0, 0 };
        memcpy(frame + n, udp6, 8);
        put16(frame + n + 4, 8 + size);
        n += 8;
        memcpy(frame + n, data, size);
        if (hosts_frame_parse(frame, n + size, &s) == 0)
                check(&s);

        frame[14 + 6] = 58;
        put16(frame + 14 + 4, size);
        memcpy(frame + 14 + 40, data, size);
        if (hosts_frame_parse(frame, 14 + 40 + size, &s) == 0)
                check(&s);
        return 0;
}
