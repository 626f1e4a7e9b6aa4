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

#include "hosts-parse.h"
#include "lldp-parse.h"
#include "pcap-block.h"
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
        struct neigh_record *record;    /* LLDP: what its stable TLVs decoded to, or NULL */
};

/* What an LLDP neighbour's stable TLVs (all but Port ID, TTL and Port
 * Description) decoded to, with their bytes to recognise them by: a frame
 * whose stable bytes are the same decodes only the rest (plugin.c).  What a
 * frame compares and reads is the header's first line and the stable bytes
 * after it; the decoded texts follow them, as offsets into data[] (a record
 * whose data would not fit in them is not made). */
enum {
        RECORD_SYS_NAME,
        RECORD_SYS_DESCR,
        RECORD_MED_MFG,
        RECORD_MED_MODEL,
        RECORD_MED_SERIAL,
        RECORD_ADDRESSES,
        _RECORD_TEXTS = RECORD_ADDRESSES + LLDP_MAX_ADDRESSES,
};
#define RECORD_NO_TEXT UINT16_MAX

struct neigh_record {
        uint64_t ref;                   /* the host's reference for the next sighting */
        uint32_t stable_len;
        int32_t vlan;                   /* of the frame's tag, -1 = untagged */
        int32_t pvid;
        uint32_t caps_system, caps_enabled;
        uint32_t n_unknown, n_ignored;
        uint16_t text[_RECORD_TEXTS];   /* offsets into data[], RECORD_NO_TEXT = none */
        uint8_t n_addresses;
        uint32_t size;                  /* bytes allocated, for the budget */
        struct neigh_record *next_dead; /* on the plugin's list of records to free */
        char data[];                    /* the stable bytes, the chassis ID's text, then
                                           the other texts */
};

/* End hosts (hosts.c): open-addressing tables whose slots start with this
 * head, so one set of functions serves both. */
struct slot_head {
        uint64_t key;           /* 0 = empty */
        uint32_t expires_sec;   /* frame time (s) after which the slot is free */
};

enum { HOST_SOURCE_ARP, HOST_SOURCE_ND, HOST_SOURCE_DHCP, _HOST_SOURCE_MAX };

/* One host (MAC + VLAN) and what was last sent about it per source.  The
 * inventory keeps one observation per source, so what DHCP said in different
 * messages (the client's name and class, the server's address) is kept here
 * and sent together. */
struct host_slot {
        struct slot_head h;
        uint32_t sent_sec[_HOST_SOURCE_MAX];
        uint32_t sent_digest[_HOST_SOURCE_MAX];        /* 0 = nothing sent yet */
        char *dhcp_names;               /* "hostname\0vendor class\0", malloc'd, or NULL */
        struct hosts_address dhcp_addr[2];              /* last IPv4 and IPv6 from DHCP; family 0 = none */
};

/* One address (+ VLAN) and the MAC that last claimed it: flip-flops. */
struct addr_slot {
        struct slot_head h;
        uint8_t mac[6];
        uint16_t changes;       /* MAC changes since window_sec */
        uint32_t window_sec;
        uint32_t quiet_until_sec;       /* flapping: frames claiming it are dropped until then */
};

struct slot_table {
        void *slots;
        size_t size;            /* bytes per slot */
        size_t n_slots;         /* power of two */
        size_t used;            /* occupied, live or expired */
        uint32_t swept_sec;     /* last sweep for expired slots (at most one per second) */
        void (*drop)(struct slot_head *s);      /* frees what a slot owns, or NULL */
};

struct hosts_counters {
        uint64_t frames[_HOSTS_PROTO_MAX];      /* decoded, per protocol */
        uint64_t malformed[_HOSTS_REASON_MAX];
        uint64_t no_host;               /* well formed, names no host (offers, advertises…) */
        uint64_t observations;          /* sent to the pipeline */
        uint64_t repeats;               /* same as the last one sent within host_refresh_sec */
        uint64_t cap_refused;           /* new hosts past max_hosts_per_interface */
        uint64_t gratuitous;            /* gratuitous ARP (announcements and probes) */
        uint64_t gratuitous_limited;    /* ... dropped by the rate limit */
        uint64_t flip_flops;            /* an address moved to another MAC */
        uint64_t flap_suppressed;       /* frames dropped: their address is flapping */
        uint64_t untracked;             /* addresses past the table's cap: not checked for flip-flops */
};

struct hosts_iface {
        struct slot_table hosts;        /* struct host_slot */
        struct slot_table addrs;        /* struct addr_slot */
        struct hosts_counters n;
        bool cap_warned;
        double garp_tokens;
        uint64_t garp_refill_usec;
        uint64_t garp_logged_usec, flap_logged_usec;    /* frame time of the last warning */
        uint64_t garp_since_log, flap_since_log;
        uint64_t last_usec;             /* frame time of the last host frame */
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

        struct hosts_iface hosts;       /* used with `hosts = true` */
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
        bool hosts;                     /* learn end hosts from ARP/ND/DHCP */
        uint64_t max_hosts;
        uint32_t host_refresh_sec;
        uint32_t host_ttl_sec;
        uint32_t garp_per_sec;
        uint32_t flap_limit;

        /* live capture */
        struct lldp_iface **ifaces;
        size_t n_ifaces;
        int nl_fd;
        sd_event_source *nl_io;
        sd_event_source *silence_timer;
        uint32_t nl_seq;

        /* offline */
        pcap_t *file;
        struct pcapblk_reader *file_reader;
        struct lldp_iface *file_iface;  /* counters for the file, named after it */
        sd_event_source *file_defer;
        bool file_done;
        char *file_error;

        /* Decoded frames waiting to be observed as one batch (the host
         * loads their state together): decode scratch, one per frame. */
        struct lldp_pending *pending;
        size_t n_pending;
        size_t obs_size;                /* sizeof(struct vw_observation), not a constant to the compiler */
        bool batch;                     /* the host has observe_batch */
        /* neighbour records: their bytes (bounded), and the ones replaced or
         * dropped, freed once the batch that may point at them is out */
        size_t record_bytes;
        struct neigh_record *dead;
        uint64_t record_hits, record_misses;
        struct hosts_sighting hs;
};

#define LLDP_BATCH 64
#define FRAME_COPY_INITIAL 1536

struct lldp_pending {
        struct lldp_neighbor nb;        /* decoded from frame[], which it points into */
        uint8_t *frame;                 /* room for a copy: libpcap reuses its buffer */
        size_t frame_cap;
        const uint8_t *frame_at;        /* the copy, the frame where it lies (a block of
                                           the capture file), or libpcap's own for a
                                           frame flushed at once */
        size_t caplen, wire_len;
        uint64_t time_usec;
        struct lldp_iface *iface;
        uint64_t key;                   /* in the interface's neighbour table */
        bool admitted;                  /* passed the cap: o is to be observed */
        struct lldp_obs_buf buf;
        struct vw_observation o;
        struct neigh_record *record;    /* its neighbour's, to keep the host's reference in */
        uint64_t ref;
        uint64_t mac_value;             /* o.macs[0] as a number (vw_sighting.mac_values) */
};

static inline bool isempty_str(const char *s) {
        return !s || !*s;
}

#define log_pl(pl, level, ...) (pl)->ops->log((pl)->ctx, (level), __VA_ARGS__)

/* plugin.c: one captured frame (pcap callback signature).  Its observation
 * may wait in the batch: lldp_flush() after each pcap_dispatch(), and before
 * anything else is observed. */
void lldp_handle_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes);
/* The same for a frame whose bytes stay put until the next lldp_flush()
 * (`kept`: decoded where it lies) or only until the call returns. */
void lldp_take_frame(struct lldp_iface *i, const struct pcap_pkthdr *h, const u_char *bytes, bool kept);
void lldp_flush(struct lldp_plugin *pl);
struct lldp_iface *lldp_iface_new(struct lldp_plugin *pl, const char *name);
void lldp_iface_free(struct lldp_iface *i);

/* hosts.c: a frame that is not LLDP/CDP; false when it is no host frame
 * either. */
bool hosts_handle_frame(struct lldp_iface *i, const struct pcap_pkthdr *h, const u_char *bytes);
struct json_object *hosts_status(const struct lldp_iface *i, uint64_t now_usec);
void hosts_iface_done(struct lldp_iface *i);

/* capture.c */
int capture_start(struct lldp_plugin *pl);
void capture_stop(struct lldp_plugin *pl);
int capture_file_open(struct lldp_plugin *pl, bool check_only);
void capture_file_close(struct lldp_plugin *pl);
void capture_iface_stats(struct lldp_iface *i, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
const char *capture_state_name(enum iface_state s);
