/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "observation.h"
#include "vendor.h"

typedef enum DeviceKind {
        DEVICE_NETWORK,
        DEVICE_HOST,
} DeviceKind;

#define DEVICE_SOURCES_MAX 8

/* Filled by the role stage (roles.c); one allocation, owned by .role. */
typedef struct RoleVerdict {
        char *role;                     /* "core", "edge", …, or "unknown"; NULL = not evaluated */
        char *segment;                  /* segment name or NULL */
        char *rule;                     /* which rule decided it, e.g. "segment core: prefix 10.0.0.0/8" */
} RoleVerdict;

/* Filled by the policy stage (policy.c). */
typedef struct PolicyState {
        bool violation;                 /* the device currently violates policy */
        bool waived;
        int severity;                   /* syslog level */
        char *rule;                     /* the policy entry that matched */
} PolicyState;

/* One of a device's identifiers: a pointer to its text or, with
 * DEVICE_KEY_MAC set, a MAC key by its value ("mac:" and twelve digits,
 * written out on demand: device_key()).  The first (the id) is always text;
 * the port MACs a switch is heard from, most of its keys, take a word each. */
typedef uint64_t DeviceKey;
#define DEVICE_KEY_MAC (UINT64_C(1) << 63)
#define DEVICE_KEY_MAC_SIZE 17          /* "mac:" + 12 hex digits + NUL */

typedef struct Device {
        /* what a refresh reads and writes (inventory.c, audit.c) comes
         * first: the first two cache lines, which inventory_prefetch()
         * asks for (checked below) */
        const char *id;                 /* stable key: "mac:00e0fc123456", "chassis:local:xyz", …;
                                           the first of keys[] */
        DeviceKind kind;
        uint32_t index;                 /* its place in the inventory (insertion order) */
        uint64_t last_seen;             /* usec, CLOCK_REALTIME */
        uint64_t expires;               /* usec; 0 = never (no TTL seen) */
        uint64_t generation;            /* bumped on every change */
        bool absent;                    /* TTL expired or shutdown frame; kept until retention */
        bool stale;                     /* its source went blind */
        uint16_t n_obs;
        uint32_t n_keys;                /* in keys[]; device_n_keys() counts the window's too */
        PolicyState policy;

        /* the latest observation from each source, newest attributes win */
        PackedObs *obs[DEVICE_SOURCES_MAX];

        /* the third line: what a refresh reads of the device's MAC keys */
        DeviceKey *keys;                /* identifiers indexing this device; one block with their text */
        uint32_t cap_keys;              /* room in keys[] */
        uint64_t mac_window;            /* first MAC block (inventory.c) of its window + 1, 0 = none */
        uint64_t mac_bits;              /* bit k: the window's k-th value is one of its MAC keys
                                           (which then has no word in keys[]) */
        uint64_t first_seen;
        VendorVerdict vendor;
        RoleVerdict role;

        uint64_t vendor_fingerprint;    /* inputs of the last vendor verdict */
} Device;

typedef struct Link {
        char *key;                      /* "local\tlocal_port\tremote"; the block the fields live in */
        const char *local;              /* device id, or "capture:<iface>" */
        const char *local_port;
        const char *remote;             /* device id */
        char *remote_port;              /* in port[] when it fits, else in a block of its own */
        const char *source;
        uint64_t last_seen;
        uint32_t remote_port_size;      /* bytes of remote_port's own block, 0 = none (in port[] or NULL) */
        char port[36];                  /* a remote port short enough, next to the rest (the inventory
                                           points remote_port at it again when its array moves) */
} Link;

typedef struct Inventory Inventory;

typedef struct InventoryLimits {
        size_t max_devices;             /* 0 = default 1,000,000 */
        uint64_t retention_usec;        /* how long an absent device is kept; 0 = default 30 days */
} InventoryLimits;

int inventory_new(const InventoryLimits *limits, Inventory **ret);

/* How many identifiers the device has: keys[], then the MACs of its window
 * (inventory.c), which have no word there. */
size_t device_n_keys(const Device *d);
/* The device's i-th identifier (i < device_n_keys()) as text; a MAC key's
 * is written to buf. */
const char *device_key(const Device *d, size_t i, char buf[static DEVICE_KEY_MAC_SIZE]);
/* A key word for `text`: a MAC key ("mac:" + twelve lowercase hex digits)
 * by its value, any other as a pointer to the text (which must outlive it). */
DeviceKey device_key_of_text(const char *text);
Inventory *inventory_free(Inventory *inv);

/* Merge one observation.  Returns 0 and the device it landed on (new or
 * updated), -ENOSPC at the device cap, -EINVAL for an observation with no
 * identity at all.  *ret_conflict is set when it carried strong identifiers
 * of two different devices (kept apart, reported by the caller). */
int inventory_observe(Inventory *inv, const struct vw_observation *obs, uint64_t now, Device **ret, bool *ret_conflict);

/* The same, with what the observation did. */
typedef struct ObserveResult {
        Device *device;                 /* where it landed */
        bool conflict;
        bool was_present;               /* the device was there before, neither absent nor stale */
        /* a known neighbour again, and only its time, TTL, port, port
         * description or MACs changed */
        bool refresh;
        /* ... and its MACs stayed in their registry blocks: what the vendor
         * engine reads is unchanged */
        bool same_vendor_inputs;
        /* for the neighbour's next sighting (inventory_refresh), 0 = none */
        uint64_t ref;
} ObserveResult;
int inventory_merge(Inventory *inv, const struct vw_observation *obs, uint64_t now, ObserveResult *ret);
/* The refresh path for a plugin that knows `obs` equals the observation
 * that returned `ref` in everything but the time, TTL, port ID, port
 * description and MACs (it compared what it decoded them from).  1 and
 * *ret filled when taken; 0 when the reference is stale (the device went,
 * or its observation was replaced since): merge it the full way then. */
int inventory_refresh(Inventory *inv, uint64_t ref, const struct vw_observation *obs, uint64_t now,
                      ObserveResult *ret);
/* A hint: these observations are merged next, in this order (at most
 * INVENTORY_BATCH_MAX of them count); their state is loaded together. */
#define INVENTORY_BATCH_MAX 64
void inventory_prefetch(Inventory *inv, const struct vw_sighting *s, size_t n);
/* After the batch: what is left of it (an observation that failed) is
 * forgotten, so that nothing later is mistaken for it. */
void inventory_batch_end(Inventory *inv);

Device *inventory_get(Inventory *inv, const char *id);
int inventory_forget(Inventory *inv, const char *id);
size_t inventory_count(Inventory *inv);

/* Mark devices whose TTL passed as absent, drop absent ones past retention.
 * `cb` is called for every device whose state changed. */
void inventory_age(Inventory *inv, uint64_t now, void (*cb)(Device *d, bool removed, void *userdata), void *userdata);

/* Iterate in insertion order; stable under modification of the current
 * device.  Start with *cursor = 0; returns NULL at the end. */
Device *inventory_next(Inventory *inv, size_t *cursor);

/* Links (topology). */
size_t inventory_n_links(Inventory *inv);
/* The link the last inventory_observe() made or whose remote port it changed
 * (NULL if none); cleared by the call.  For the store. */
const Link *inventory_take_changed_link(Inventory *inv);
/* A link from the store (empty ports mean none). */
int inventory_restore_link(Inventory *inv, const Link *l);
const Link *inventory_link(Inventory *inv, size_t i);

/* The merged view: newest non-NULL value across the device's observations. */
const char *device_attr(const Device *d, size_t offset);
#define DEVICE_ATTR(d, field) device_attr((d), offsetof(struct vw_observation, field))
/* The source of the device's i-th observation ("unknown" when it named none). */
const char *device_obs_source(const Device *d, size_t i);

/* The device's JSON: id, kind, chassis_id, sys_name, sys_descr,
 * sys_object_id, macs, addresses, sources, first_seen, last_seen (RFC 3339),
 * state, vendor…, role…, and with `detail` the evidence and observations. */
json_object *device_to_json(const Device *d, bool detail);
/* The same as text, appended to `o` (a device listing needs no json-c tree). */
struct JsonOut;
void device_write_json(struct JsonOut *o, const Device *d, bool detail);

const char *device_kind_to_string(DeviceKind k);
