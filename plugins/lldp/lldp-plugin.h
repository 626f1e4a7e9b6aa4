/* SPDX-License-Identifier: MIT */
/* State of the lldp plugin, shared by plugin.c (config, frames, status) and
 * capture.c (interfaces: libpcap handles and the rtnetlink watch). */
#pragma once

#include <inttypes.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "lldp-parse.h"
#include "vendorwatch/plugin.h"

enum iface_state {
        IFACE_ABSENT,           /* not (or no longer) in the kernel */
        IFACE_DOWN,             /* present, administratively or operationally down */
        IFACE_CAPTURING,
        IFACE_FAILED,           /* present and up, but the capture could not be opened */
};

/* Neighbours heard on one interface, by a hash of protocol + chassis ID, for
 * the per-interface cap.  Open addressing; an expired slot is reused. */
struct neigh_slot {
        uint64_t key;           /* 0 = empty */
        uint64_t expires_usec;  /* frame time + TTL */
};

struct lldp_plugin;

struct lldp_iface {
        struct lldp_plugin *pl;
        char name[256];         /* interface, or the capture file's base name */
        int ifindex;
        enum iface_state state;
        bool configured;        /* named literally in `interfaces` (not a glob) */

        pcap_t *pcap;
        sd_event_source *io;
        uint64_t capture_since_usec;    /* CLOCK_MONOTONIC, for the silence warning */
        uint64_t last_heard_mono;
        uint64_t last_heard_usec;       /* CLOCK_REALTIME of the last good frame */
        bool silent_warned;
        bool cap_warned;

        /* counters, kept across re-captures */
        uint64_t frames, lldp, cdp, other;
        uint64_t malformed[_LLDP_REASON_MAX];
        uint64_t tlv_unknown, tlv_ignored;
        uint64_t snapped;       /* decoded only up to the capture's snaplen */
        uint64_t cap_refused;
        uint64_t shutdowns;
        uint64_t pcap_recv, pcap_drop, pcap_ifdrop;     /* of closed handles */

        struct neigh_slot *neigh;
        size_t neigh_slots;     /* power of two */
        size_t neigh_used;      /* occupied slots, live or expired */
};

struct lldp_plugin {
        /* copies: the host's struct need not outlive start() */
        const struct vw_host_ops *ops;
        struct sd_event *host_event;
        struct vw_plugin_ctx *ctx;
        sd_event *event;
        bool oneshot;

        /* config */
        char **patterns;        /* `interfaces`, NULL = every up Ethernet interface */
        size_t n_patterns;
        char *pcap_file;
        bool promiscuous;
        uint64_t max_neighbors;
        uint64_t silent_warning_sec;

        /* live capture */
        struct lldp_iface **ifaces;
        size_t n_ifaces;
        int nl_fd;
        sd_event_source *nl_io;
        sd_event_source *silence_timer;
        uint32_t nl_seq;

        /* offline */
        pcap_t *file;
        struct lldp_iface *file_iface;  /* counters for the file, named after it */
        sd_event_source *file_defer;
        bool file_done;
        char *file_error;

        struct lldp_neighbor nb;        /* decode scratch, reused per frame */
};

static inline bool isempty_str(const char *s) {
        return !s || !*s;
}

#define log_pl(pl, level, ...) (pl)->ops->log((pl)->ctx, (level), __VA_ARGS__)

/* plugin.c: one captured frame (pcap callback signature). */
void lldp_handle_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes);
struct lldp_iface *lldp_iface_new(struct lldp_plugin *pl, const char *name);
void lldp_iface_free(struct lldp_iface *i);

/* capture.c */
int capture_start(struct lldp_plugin *pl);
void capture_stop(struct lldp_plugin *pl);
int capture_file_open(struct lldp_plugin *pl, bool check_only);
void capture_file_close(struct lldp_plugin *pl);
void capture_iface_stats(struct lldp_iface *i, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
const char *capture_state_name(enum iface_state s);
