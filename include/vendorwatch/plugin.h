/* SPDX-License-Identifier: MIT */
/*
 * vendorwatch plugin ABI.
 *
 * This is the only header a plugin includes.  A plugin is a shared object that
 * exports one symbol, VW_PLUGIN_SYMBOL ("vw_plugin"), a `const struct vw_plugin`.
 * The host refuses a plugin whose abi_version differs from VW_PLUGIN_ABI_VERSION.
 *
 * A plugin never touches the inventory: it gets the event loop, accessors for
 * its own configuration group, and observe() through `struct vw_host_ops`.
 * All strings are NUL-terminated UTF-8 (untrusted bytes are escaped by the
 * plugin before they reach the host).  Everything passed to observe() is
 * owned by the caller and copied by the host before observe() returns.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VW_PLUGIN_ABI_VERSION 3u
#define VW_PLUGIN_SYMBOL "vw_plugin"

struct sd_event;                /* <systemd/sd-event.h> */
struct vw_plugin_ctx;           /* opaque: one per plugin instance */
struct vw_config_group;         /* opaque: the plugin's configuration group */

/* LLDP system capability bits (IEEE 802.1AB-2016 8.5.8), used for CDP too. */
enum {
        VW_CAP_OTHER     = 1u << 0,
        VW_CAP_REPEATER  = 1u << 1,
        VW_CAP_BRIDGE    = 1u << 2,
        VW_CAP_WLAN_AP   = 1u << 3,
        VW_CAP_ROUTER    = 1u << 4,
        VW_CAP_TELEPHONE = 1u << 5,
        VW_CAP_DOCSIS    = 1u << 6,
        VW_CAP_STATION   = 1u << 7,
        VW_CAP_CVLAN     = 1u << 8,
        VW_CAP_SVLAN     = 1u << 9,
        VW_CAP_TPMR      = 1u << 10,
};

/* Where an observation was seen: the reporting device and its port (SNMP
 * neighbour tables, forwarding tables), or the capture interface (LLDP/CDP,
 * ARP/DHCP).  Any member may be NULL. */
struct vw_via {
        const char *device;     /* inventory id of the reporting device, or NULL */
        const char *port;       /* its local port name */
        const char *interface;  /* capture interface name */
        const char *agent;      /* SNMP agent address that reported it */
};

/* One sighting.  Every field is optional: NULL pointers, zero counts, and -1
 * for vlan and ttl mean "not seen".  The JSON form uses the same names (see
 * docs/observation.md). */
struct vw_observation {
        const char *source;             /* "lldp", "cdp", "snmp", "jsonl", "arp", "dhcp", … */
        uint64_t time_usec;             /* CLOCK_REALTIME; 0 = now */
        const char *kind;               /* "network" or "host"; NULL = network */

        const char *chassis_id;         /* MACs as aa:bb:cc:dd:ee:ff, else printable text */
        const char *chassis_subtype;    /* "mac", "ifname", "ifalias", "local", "netaddr",
                                           "portcomp", "chassiscomp", "cdp" */
        const char *port_id;
        const char *port_subtype;
        const char *port_descr;
        const char *sys_name;
        const char *sys_descr;
        const char *sys_object_id;      /* dotted, no leading dot */
        const char *platform;           /* CDP platform */
        const char *sw_version;         /* CDP software version */

        const char *const *macs;        /* aa:bb:cc:dd:ee:ff */
        size_t n_macs;
        const char *const *addresses;   /* numeric IPv4/IPv6 */
        size_t n_addresses;
        const char *const *entity_mfg;  /* ENTITY-MIB entPhysicalMfgName values */
        size_t n_entity_mfg;
        const char *const *entity_model;
        size_t n_entity_model;
        const char *entity_serial;
        const char *med_mfg;            /* LLDP-MED inventory manufacturer */
        const char *med_model;
        const char *med_serial;
        const char *dhcp_vendor_class;  /* DHCP option 60 */
        const char *hostname;           /* DHCP option 12 */

        uint32_t caps_system;           /* VW_CAP_* */
        uint32_t caps_enabled;
        int32_t vlan;                   /* 1..4094, -1 = none */
        int32_t ttl;                    /* seconds; 0 = the neighbour is leaving; -1 = none */

        struct vw_via via;
};

/* Initialise to "nothing seen". */
#define VW_OBSERVATION_INIT { .vlan = -1, .ttl = -1 }

/* One observation in a batch (vw_host_ops.observe_batch). */
struct vw_sighting {
        const struct vw_observation *obs;
        /* In: 0, or a reference the host gave back for an earlier sighting
         * of this neighbour that the plugin vouches `obs` equals in every
         * field but the time, the TTL, the port ID and its subtype, the port
         * description and the MACs (it compared the bytes the fields were
         * decoded from; sightings in between that differed dropped it).  The
         * host checks that the reference still holds and otherwise merges
         * `obs` in full.  Out: the reference for the next sighting (0 =
         * none).  Opaque; meaningless to another plugin or host run. */
        uint64_t ref;
        /* In: NULL, or obs->n_macs numbers: macs[k] as 0xaabbccddeeff for
         * aa:bb:cc:dd:ee:ff (the one for a NULL hole is not read).  The host
         * takes these instead of parsing the texts, which must name the same
         * MACs: a plugin that decoded the bytes has them at hand. */
        const uint64_t *mac_values;
};

enum vw_log_level {
        VW_LOG_ERR = 3,
        VW_LOG_WARNING = 4,
        VW_LOG_NOTICE = 5,
        VW_LOG_INFO = 6,
        VW_LOG_DEBUG = 7,
};

/* What the host offers a plugin.  Every function is safe to call from the
 * loop thread only. */
struct vw_host_ops {
        /* Hand one observation to the pipeline (copied before return). */
        void (*observe)(struct vw_plugin_ctx *ctx, const struct vw_observation *obs);

        /* Diagnostics, prefixed with the plugin's name by the host. */
        void (*log)(struct vw_plugin_ctx *ctx, enum vw_log_level level, const char *fmt, ...)
                __attribute__((format(printf, 3, 4)));

        /* An offline source (pcap_file, a jsonl file) reached its end. */
        void (*done)(struct vw_plugin_ctx *ctx);

        /* Configuration accessors.  `key` may be a dotted path inside the
         * group.  They return 0 and set *ret when the key is present and of
         * the right type, -ENOENT when absent (*ret untouched), -EINVAL on a
         * wrong type or value out of [min, max], with the reason recorded
         * for the host's file:line message.  Keys a plugin never asks for
         * are reported by the host as unknown. */
        int (*cfg_string)(struct vw_plugin_ctx *ctx, const char *key, const char **ret);
        int (*cfg_int)(struct vw_plugin_ctx *ctx, const char *key, int64_t min, int64_t max, int64_t *ret);
        int (*cfg_bool)(struct vw_plugin_ctx *ctx, const char *key, bool *ret);
        /* A list or array of strings: *ret_n entries, valid until stop. */
        int (*cfg_strings)(struct vw_plugin_ctx *ctx, const char *key, const char *const **ret, size_t *ret_n);
        /* Number of elements of a list of groups at `key` (0 when absent),
         * then address element i as "key.[i].sub". */
        int (*cfg_count)(struct vw_plugin_ctx *ctx, const char *key, size_t *ret_n);
        /* Report a semantic error at the key's file:line (returns -EINVAL). */
        int (*cfg_error)(struct vw_plugin_ctx *ctx, const char *key, const char *fmt, ...)
                __attribute__((format(printf, 3, 4)));

        /* Resolve a path from the config against the config file's folder
         * (malloc'd result, caller frees). */
        char *(*cfg_path)(struct vw_plugin_ctx *ctx, const char *path);

        /* True when the daemon runs a one-shot (--replay): no timers that
         * outlive the input, exit when done. */
        bool (*oneshot)(struct vw_plugin_ctx *ctx);

        /* Hand one observation in its JSON form (docs/observation.md) to the
         * pipeline: the host owns the schema.  Returns 0, or -EINVAL with a
         * malloc'd reason in *ret_error (caller frees). */
        int (*observe_json)(struct vw_plugin_ctx *ctx, const char *json, size_t len, char **ret_error);

        /* Since ABI 2: hand several sightings at once, in order: the same
         * as observe() on each, but the host fetches the state of all of
         * them from memory together (a capture file or a busy interface
         * delivers frames from thousands of neighbours in turn), and a
         * neighbour heard again can skip identity resolution (struct
         * vw_sighting).  NULL in a host that lacks it: call observe(). */
        void (*observe_batch)(struct vw_plugin_ctx *ctx, struct vw_sighting *s, size_t n);
};

struct vw_host {
        uint32_t abi_version;           /* the host's VW_PLUGIN_ABI_VERSION */
        const struct vw_host_ops *ops;
        struct sd_event *event;         /* the daemon's loop (sd_event_ref if kept) */
        const char *instance;           /* the plugin's name from the config */
};

struct vw_plugin {
        uint32_t abi_version;           /* VW_PLUGIN_ABI_VERSION at build time */
        const char *name;               /* "lldp", "snmp", "jsonl" */
        const char *description;

        /* Read and validate the configuration through host->ops->cfg_*;
         * with `check_only` stop there (--check-config, reload validation),
         * else open what the plugin needs and register its event sources.
         * Returns >= 0 and *ret_state on success, -errno after logging why. */
        int (*start)(const struct vw_host *host, struct vw_plugin_ctx *ctx, bool check_only, void **ret_state);

        /* Undo start: unregister sources, close, free.  NULL-safe. */
        void (*stop)(void *state);

        /* A JSON object (malloc'd text) with counters for `status`, or NULL. */
        char *(*status)(void *state);

        /* Optional: an admin asked for an immediate rescan of `target` (NULL
         * = everything).  Returns -EOPNOTSUPP when the plugin cannot. */
        int (*rescan)(void *state, const char *target);

        /* Optional alert sink: called once per alert transition with the
         * alert as a JSON object text. */
        void (*alert)(void *state, const char *alert_json);
};

#ifdef __cplusplus
}
#endif
