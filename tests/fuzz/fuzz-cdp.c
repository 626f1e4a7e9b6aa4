/* SPDX-License-Identifier: MIT */
/* The CDP decoder on its own (input: the bytes after the SNAP header), then
 * the same bytes wrapped in an 802.3 + SNAP frame so the front end's length
 * handling is exercised too. */
#include <stdint.h>
#include <string.h>

#include "lldp-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct lldp_neighbor *n) {
        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        lldp_neighbor_to_observation(n, "fuzz0", &buf, &o);
        size_t total = strlen(o.source);
        const char *s[] = { o.chassis_id, o.port_id, o.sys_name, o.platform, o.sw_version };
        for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
                total += s[i] ? strlen(s[i]) : 0;
        for (size_t i = 0; i < o.n_addresses; i++)
                total += strlen(o.addresses[i]);
        (void) total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct lldp_neighbor n;
        static uint8_t frame[22 + 65536];
        static const uint8_t head[22] = {
                0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 0x00, 0x1b, 0x2b, 0x11, 0x22, 0x33,
                0x00, 0x00, /* 802.3 length, set below */
                0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00,
        };

        lldp_neighbor_reset(&n);
        if (cdp_pdu_parse(data, size, &n) == 0)
                check(&n);

        if (size > 65536)
                return 0;
        memcpy(frame, head, sizeof head);
        size_t l = size + 8 > 1500 ? 1500 : size + 8;   /* a length field, else an ethertype */
        frame[12] = (uint8_t) (l >> 8), frame[13] = (uint8_t) l;
        memcpy(frame + sizeof head, data, size);
        if (lldp_frame_parse(frame, sizeof head + size, sizeof head + size, &n) == 0)
                check(&n);
        return 0;
}
