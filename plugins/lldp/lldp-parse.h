/* SPDX-License-Identifier: MIT */
/*
 * LLDP (IEEE 802.1AB-2016) and CDP (v1/v2) frame decoders.
 *
 * Pure functions: bytes in, a parsed neighbour out.  Nothing here allocates,
 * logs or keeps state, so the capture path can call them per frame and the
 * fuzzers and unit tests can call them on anything.  Every string that leaves
 * the decoder is NUL-terminated, valid UTF-8 (other bytes escaped as \xNN) and
 * stored in the neighbour's own fixed buffers; an over-long value is cut at a
 * character boundary.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vendorwatch/plugin.h"

/* Why a frame was refused.  The plugin counts these per interface. */
enum lldp_reason {
        LLDP_REASON_OK,
        LLDP_REASON_SHORT,              /* shorter than its Ethernet/LLC/CDP header */
        LLDP_REASON_TLV_TRUNCATED,      /* a TLV header or value runs past the frame */
        LLDP_REASON_TLV_LENGTH,         /* a TLV length impossible for its type */
        LLDP_REASON_MISSING_CHASSIS,    /* first TLV is not Chassis ID (CDP: no Device ID) */
        LLDP_REASON_MISSING_PORT,       /* second TLV is not Port ID */
        LLDP_REASON_MISSING_TTL,        /* third TLV is not Time To Live */
        LLDP_REASON_DUPLICATE,          /* a mandatory TLV repeated */
        LLDP_REASON_BAD_SUBTYPE,        /* reserved chassis/port ID subtype */
        LLDP_REASON_BAD_VERSION,        /* CDP version other than 1 or 2 */
        LLDP_REASON_TOO_MANY_TAGS,      /* more than two VLAN tags */
        _LLDP_REASON_MAX,
};

const char *lldp_reason_name(enum lldp_reason r);

enum lldp_proto {
        LLDP_PROTO_NONE,
        LLDP_PROTO_LLDP,
        LLDP_PROTO_CDP,
};

#define LLDP_MAX_ADDRESSES 8

/* Sizes hold the longest escaped value of the field's TLV (4 bytes per input
 * byte in the worst case) or a generous cut for CDP's unbounded strings. */
struct lldp_neighbor {
        enum lldp_proto proto;
        enum lldp_reason reason;        /* why the frame was refused */
        bool cut;                       /* the capture kept less than the wire carried */
        bool snapped;                   /* ... and decoding stopped at that cut */

        uint8_t src_mac[6];             /* Ethernet source */
        int32_t vlan;                   /* innermost 802.1Q/802.1ad tag, -1 = untagged */
        int32_t pvid;                   /* 802.1 Port VLAN ID TLV / CDP native VLAN, -1 = none */
        int32_t ttl;                    /* seconds */

        const char *chassis_subtype;    /* static names as in plugin.h */
        /* LLDP: the Chassis ID TLV's value (its subtype, then the ID) in the
         * frame, which the plugin's neighbour key hashes; NULL for CDP */
        const uint8_t *chassis_raw;
        size_t chassis_raw_len;
        const char *port_subtype;
        uint32_t caps_system, caps_enabled;

        unsigned n_unknown;             /* TLVs skipped: unknown type or organisation */
        unsigned n_ignored;             /* optional TLVs skipped because they were malformed */

        char chassis_id[1024];
        char port_id[1024];
        char port_descr[1024];
        char sys_name[1024];
        char sys_descr[2048];
        char platform[1024];            /* CDP */
        char sw_version[2048];          /* CDP */
        char med_mfg[132];              /* LLDP-MED inventory (32 bytes on the wire) */
        char med_model[132];
        char med_serial[132];
        char med_hw_rev[132];
        char med_fw_rev[132];
        char med_sw_rev[132];

        unsigned n_addresses;
        char addresses[LLDP_MAX_ADDRESSES][46];       /* INET6_ADDRSTRLEN */

        /* LLDP: where the TLVs other than Port ID, TTL and Port Description
         * are in the frame (pointers into it), in order.  Two frames whose
         * stable TLVs are equal byte for byte decode to the same fields but
         * those three, the VLAN tag and the source MAC.  n_stable = 0 when
         * they are not known (CDP, a cut frame, several port descriptions). */
        unsigned n_stable;
        struct lldp_span {
                const uint8_t *p;
                size_t len;
        } stable[3];
        size_t stable_len;              /* their total */
        /* set by lldp_frame_parse_volatile(): the stable TLVs were walked and
         * their lengths checked, but not decoded (the caller knows them) */
        bool volatile_only;
};

/* Reset to "nothing seen" without clearing the buffers (cheap per frame). */
void lldp_neighbor_reset(struct lldp_neighbor *n);

/* Decode one Ethernet frame (destination MAC first): 802.1Q/802.1ad tags,
 * then an LLDPDU (ethertype 0x88cc) or a CDP frame (802.3 + SNAP 00000c/2000).
 * `wire_len` is the frame's length on the wire: when the capture kept less
 * (snaplen), TLVs cut by the capture end decoding instead of refusing the
 * frame, as long as the mandatory ones were complete.
 * Returns 0 with *n filled; -EBADMSG with n->reason set for a malformed frame;
 * -EPROTONOSUPPORT for a frame that is neither (other ethertypes, VTP, DTP…). */
int lldp_frame_parse(const uint8_t *frame, size_t len, size_t wire_len, struct lldp_neighbor *n);

/* The same, decoding of an LLDPDU only what changes from frame to frame
 * (Port ID, TTL, Port Description); the Chassis ID is checked and its bytes
 * noted (chassis_raw), and the other stable TLVs are walked, not decoded:
 * n->stable says where they are.  Their texts (chassis ID, system name and
 * description, LLDP-MED) are left empty or as they were, and
 * lldp_neighbor_to_observation() leaves them out.  For a caller
 * that keeps what the same stable bytes decoded to before: when they
 * differ, it decodes the frame again with lldp_frame_parse().  A frame the
 * full decoder would refuse for a stable TLV may pass here, but its stable
 * bytes then differ from any that decoded. */
int lldp_frame_parse_volatile(const uint8_t *frame, size_t len, size_t wire_len, struct lldp_neighbor *n);

/* Decode an LLDPDU (the bytes after the ethertype) into a neighbour that
 * lldp_neighbor_reset() cleared.  0 or -EBADMSG. */
int lldp_pdu_parse(const uint8_t *pdu, size_t len, struct lldp_neighbor *n);

/* Decode a CDP PDU (the bytes after the SNAP header), likewise. */
int cdp_pdu_parse(const uint8_t *pdu, size_t len, struct lldp_neighbor *n);

/* Scratch memory an observation points into, owned by the caller. */
struct lldp_obs_buf {
        char src_mac[18];
        const char *macs[1];
        const char *addresses[LLDP_MAX_ADDRESSES];
};

/* Fill *o (initialised with VW_OBSERVATION_INIT by the caller) from a decoded
 * neighbour.  `o` points into `n` and `buf`; both must outlive its use. */
void lldp_neighbor_to_observation(const struct lldp_neighbor *n, const char *interface,
                                  struct lldp_obs_buf *buf, struct vw_observation *o);
