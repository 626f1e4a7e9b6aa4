/* SPDX-License-Identifier: MIT */
/*
 * End-host decoders: ARP, IPv6 neighbour discovery (NS/NA), DHCP and DHCPv6.
 *
 * Pure functions like the LLDP/CDP decoders: bytes in, one sighting of a host
 * out (its MAC, the addresses it uses or was given, the DHCP hostname and
 * vendor class, the VLAN), no allocation, no logging, no state.  Addresses are
 * kept as raw bytes so that the capture path can compare them before paying
 * for text; hosts_sighting_to_observation() formats them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vendorwatch/plugin.h"

/* Why a frame was refused.  The plugin counts these per interface. */
enum hosts_reason {
        HOSTS_REASON_OK,
        HOSTS_REASON_SHORT,             /* shorter than its headers, or than its IP/UDP length says */
        HOSTS_REASON_TOO_MANY_TAGS,     /* more than two VLAN tags */
        HOSTS_REASON_BAD_ARP,           /* not Ethernet/IPv4 ARP (hardware/protocol type or sizes) */
        HOSTS_REASON_BAD_IP,            /* IPv4/IPv6 header inconsistent */
        HOSTS_REASON_BAD_UDP,           /* UDP length inconsistent */
        HOSTS_REASON_BAD_ND,            /* ICMPv6 ND with a bad code or hop limit */
        HOSTS_REASON_BAD_DHCP,          /* BOOTP header short or without the DHCP magic cookie */
        HOSTS_REASON_OPTION_TRUNCATED,  /* an option runs past the packet */
        HOSTS_REASON_OPTION_LENGTH,     /* an option length impossible for its type */
        _HOSTS_REASON_MAX,
};

const char *hosts_reason_name(enum hosts_reason r);

enum hosts_proto {
        HOSTS_PROTO_NONE,
        HOSTS_PROTO_ARP,
        HOSTS_PROTO_ND,
        HOSTS_PROTO_DHCP,
        HOSTS_PROTO_DHCP6,
        _HOSTS_PROTO_MAX,
};

/* "arp", "nd", "dhcp" (DHCPv6 too): the observation's source. */
const char *hosts_proto_source(enum hosts_proto p);
/* "arp", "nd", "dhcp", "dhcp6": for counters. */
const char *hosts_proto_name(enum hosts_proto p);

#define HOSTS_MAX_ADDRESSES 4

struct hosts_address {
        uint8_t family;                 /* 4 or 6 */
        uint8_t bytes[16];
};

struct hosts_sighting {
        enum hosts_proto proto;
        enum hosts_reason reason;       /* why the frame was refused */
        int32_t vlan;                   /* innermost 802.1Q/802.1ad tag, -1 = untagged */
        uint8_t src_mac[6];             /* Ethernet source */
        uint8_t mac[6];                 /* the host's own hardware address */
        uint8_t msg_type;               /* ARP op, ICMPv6 type, DHCP(v6) message type */
        bool gratuitous;                /* ARP announcement (sender = target) or probe (sender 0.0.0.0) */

        unsigned n_addresses;
        struct hosts_address addresses[HOSTS_MAX_ADDRESSES];

        char hostname[1024];            /* DHCP option 12 / DHCPv6 client FQDN, escaped */
        char vendor_class[1024];        /* DHCP option 60 / DHCPv6 vendor class data, escaped */
};

/* Reset to "nothing seen" without clearing the buffers. */
void hosts_sighting_reset(struct hosts_sighting *s);

/* Decode one Ethernet frame (destination MAC first) behind at most two VLAN
 * tags.  Returns
 *   0                with *s describing one host;
 *   -EBADMSG         malformed, s->reason says why;
 *   -ENODATA         well formed but names no host (a DHCP offer, a DHCPv6
 *                    advertise, an ARP from a multicast sender…);
 *   -EPROTONOSUPPORT anything else (other ethertypes, UDP ports, ICMPv6
 *                    types, fragments). */
int hosts_frame_parse(const uint8_t *frame, size_t len, struct hosts_sighting *s);

/* Scratch memory an observation points into, owned by the caller. */
struct hosts_obs_buf {
        char mac[18];
        const char *macs[1];
        char address_text[HOSTS_MAX_ADDRESSES][46];
        const char *addresses[HOSTS_MAX_ADDRESSES];
};

/* Fill *o (initialised with VW_OBSERVATION_INIT by the caller) from a
 * sighting: kind "host", source by protocol, via.interface.  `o` points into
 * `s`, `buf` and `interface`. */
void hosts_sighting_to_observation(const struct hosts_sighting *s, const char *interface,
                                   struct hosts_obs_buf *buf, struct vw_observation *o);

/* A 64-bit digest of what an observation from this sighting would say
 * (protocol family, MAC, VLAN, addresses, hostname, vendor class): equal
 * digests, same observation. */
uint64_t hosts_sighting_digest(const struct hosts_sighting *s);
