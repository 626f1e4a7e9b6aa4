/* SPDX-License-Identifier: MIT */
/* A device's JSON record from arbitrary identifiers and observations: it must
 * be one strict JSON object, and its MAC and address lists, strings and times
 * must be what the plain reference (tests/unit/test-helpers-device-json.h)
 * says.
 *
 * Input: 16 bytes of first_seen and last_seen (usec, little-endian), then
 * NUL-separated items, each led by one byte saying where it goes:
 *   'O' starts another observation (at most DEVICE_SOURCES_MAX),
 *   'M' a MAC, 'A' an address, 'C' chassis id, 'N' system name,
 *   'D' description, 'P' port id, 'S' source (of the current observation),
 *   'T' the observation's time (the rest read as a number),
 *   'W' a MAC of the device's window (the first one places it; one past its
 *   64 values is left out),
 *   anything else: an identifier, the leading byte included. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/test-helpers-device-json.h"

#define ITEMS_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 16 || size > 1 << 16)
                return 0;
        uint64_t first = 0, last = 0;
        for (size_t i = 0; i < 8; i++) {
                first |= (uint64_t) data[i] << (8 * i);
                last |= (uint64_t) data[8 + i] << (8 * i);
        }
        /* one copy, NUL-terminated, cut into items in place */
        char *text = malloc(size - 16 + 1);
        if (!text)
                return 0;
        memcpy(text, data + 16, size - 16);
        text[size - 16] = '\0';

        struct vw_observation obs[DEVICE_SOURCES_MAX];
        static const char *macs[DEVICE_SOURCES_MAX][ITEMS_MAX], *addrs[DEVICE_SOURCES_MAX][ITEMS_MAX];
        static char *keys[ITEMS_MAX];
        size_t n_obs = 0, n_keys = 0;
        uint64_t window = 0, window_bits = 0;
        for (char *p = text, *end = text + (size - 16); p <= end; p += strlen(p) + 1) {
                if (*p == '\0')
                        continue;
                char tag = *p;
                const char *v = p + 1;
                uint8_t m[6];
                if (tag == 'W') {
                        if (mac_parse(v, m) == 0) {
                                uint64_t x = 0;
                                for (size_t k = 0; k < 6; k++)
                                        x = x << 8 | m[k];
                                if (window == 0)
                                        window = (x >> 4) + 1;
                                uint64_t k = x - ((window - 1) << 4);
                                if (k < 64)
                                        window_bits |= UINT64_C(1) << k;
                        }
                        continue;
                }
                if (tag == 'O' || (n_obs == 0 && strchr("MACNDPST", tag))) {
                        if (n_obs == DEVICE_SOURCES_MAX)
                                continue;
                        obs[n_obs] = (struct vw_observation) VW_OBSERVATION_INIT;
                        obs[n_obs].macs = macs[n_obs];
                        obs[n_obs].addresses = addrs[n_obs];
                        n_obs++;
                        if (tag == 'O')
                                continue;
                }
                if (!strchr("MACNDPST", tag)) {
                        if (n_keys < ITEMS_MAX)
                                keys[n_keys++] = p;
                        continue;
                }
                struct vw_observation *o = &obs[n_obs - 1];
                switch (tag) {
                case 'M':
                        if (o->n_macs < ITEMS_MAX)
                                macs[n_obs - 1][o->n_macs++] = v;
                        break;
                case 'A':
                        if (o->n_addresses < ITEMS_MAX)
                                addrs[n_obs - 1][o->n_addresses++] = v;
                        break;
                case 'C': o->chassis_id = v; break;
                case 'N': o->sys_name = v; break;
                case 'D': o->sys_descr = v; break;
                case 'P': o->port_id = v; break;
                case 'S': o->source = v; break;
                case 'T': o->time_usec = strtoull(v, NULL, 10); break;
                }
        }

        static DeviceKey words[ITEMS_MAX];
        Device d = {
                .id = n_keys > 0 ? keys[0] : "none",
                .keys = device_json_keys(keys, n_keys, words),   /* MAC keys by value, as kept */
                .n_keys = (uint32_t) n_keys,
                .mac_window = window,
                .mac_bits = window_bits,
                .first_seen = first,
                .last_seen = last,
        };
        bool packed = true;
        for (size_t i = 0; i < n_obs && packed; i++) {
                packed = packed_obs_new(&obs[i], &d.obs[d.n_obs]) >= 0;
                if (packed)
                        d.n_obs++;
        }
        if (packed) {
                const char *bad = device_json_check(&d, false);
                if (bad) {
                        fprintf(stderr, "fuzz-device-json: %s\n", bad);
                        abort();
                }
        }
        for (size_t i = 0; i < d.n_obs; i++)
                packed_obs_free(d.obs[i]);
        free(text);
        return 0;
}
