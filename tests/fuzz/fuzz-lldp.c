/* SPDX-License-Identifier: MIT */
/* The whole frame path: Ethernet/VLAN front end, LLDP (and CDP) decoders and
 * the observation built from the result.  Input: one Ethernet frame.  The
 * same bytes also go straight to the LLDPDU decoder and, with a pretend
 * snaplen cut, through the frame path again, and through the volatile-only
 * decoder, whose stable spans must be the full decoder's. */
#include <stdint.h>
#include <string.h>

#include "lldp-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct lldp_neighbor *n) {
        struct lldp_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        lldp_neighbor_to_observation(n, "fuzz0", &buf, &o);
        /* every string must be terminated inside its buffer */
        size_t total = 0;
        const char *s[] = { o.chassis_id, o.port_id, o.port_descr, o.sys_name, o.sys_descr,
                            o.platform, o.sw_version, o.med_mfg, o.med_model, o.med_serial };
        for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
                total += s[i] ? strlen(s[i]) : 0;
        for (size_t i = 0; i < o.n_addresses; i++)
                total += strlen(o.addresses[i]);
        (void) total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct lldp_neighbor n;

        static struct lldp_neighbor v;
        int full = lldp_frame_parse(data, size, size, &n);
        if (full == 0)
                check(&n);
        if (lldp_frame_parse_volatile(data, size, size, &v) == 0) {
                check(&v);
                /* what the volatile decoder takes, the full one takes too
                 * (the plugin decodes such a frame again in full) */
                if (full != 0)
                        __builtin_trap();
                /* a frame the full decoder takes has the same stable bytes
                 * and the same chassis bytes either way (the plugin's reuse
                 * and its neighbour key rest on it); the volatile decoder
                 * leaves an LLDP chassis ID's text to its caller */
                if (full == 0 && (v.n_stable != n.n_stable || v.stable_len != n.stable_len ||
                                  v.chassis_raw != n.chassis_raw || v.chassis_raw_len != n.chassis_raw_len ||
                                  (v.proto == LLDP_PROTO_LLDP && v.chassis_id[0]) ||
                                  (v.proto == LLDP_PROTO_CDP && strcmp(v.chassis_id, n.chassis_id) != 0) ||
                                  v.chassis_subtype != n.chassis_subtype || v.proto != n.proto))
                        __builtin_trap();
                for (unsigned k = 0; full == 0 && k < n.n_stable; k++)
                        if (v.stable[k].p != n.stable[k].p || v.stable[k].len != n.stable[k].len)
                                __builtin_trap();
                /* CDP goes the full way there too: nothing from an earlier
                 * frame may be left in the texts the volatile decoder skips */
                if (full == 0 && v.proto == LLDP_PROTO_CDP &&
                    (strcmp(v.sys_name, n.sys_name) != 0 || strcmp(v.sys_descr, n.sys_descr) != 0 ||
                     strcmp(v.platform, n.platform) != 0 || strcmp(v.sw_version, n.sw_version) != 0 ||
                     strcmp(v.med_mfg, n.med_mfg) != 0 || strcmp(v.med_model, n.med_model) != 0 ||
                     strcmp(v.med_serial, n.med_serial) != 0))
                        __builtin_trap();
        } else if (full == 0 || v.reason != n.reason || v.proto != n.proto)
                __builtin_trap();       /* it refuses less, never more, and for the same reason */
        if (size > 16 && lldp_frame_parse(data, size - 16, size, &n) == 0)
                check(&n);
        lldp_neighbor_reset(&n);
        if (lldp_pdu_parse(data, size, &n) == 0)
                check(&n);
        return 0;
}
