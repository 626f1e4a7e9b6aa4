/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "macro.h"
#include "vendorwatch/plugin.h"

/* An observation together with the memory behind its pointers: what the
 * inventory keeps and what JSON parsing produces. */
typedef struct Observation {
        struct vw_observation o;
        /* one allocation holding every string and array of `o` */
        void *storage;
} Observation;

/* Deep copy `src` into one allocation. */
int observation_dup(const struct vw_observation *src, Observation **ret);
Observation *observation_free(Observation *o);

/* Parse one JSON-lines observation (docs/observation.md).  Unknown keys are
 * ignored; a present key of the wrong type is an error.  On failure
 * *ret_error (malloc'd) says why.  `ret_id` (optional) receives a copy of the
 * "id" member, if any. */
int observation_from_json(const char *line, size_t len, Observation **ret, char **ret_id, char **ret_error);
/* The same with a caller's tokener (reset here), for loops over many lines. */
int observation_from_json_tok(json_tokener *tok, const char *line, size_t len, Observation **ret, char **ret_id,
                              char **ret_error);

/* Build the JSON form (MACs as aa:bb:cc:dd:ee:ff). */
json_object *observation_to_json(const struct vw_observation *o);

/* Normalise a MAC written as aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff or
 * bare hex.  Returns 0 and the 6 bytes, or -EINVAL. */
int mac_parse(const char *s, uint8_t ret[6]);
/* Format as aa:bb:cc:dd:ee:ff into buf[18]. */
char *mac_format(const uint8_t mac[6], char buf[static 18]);

/* Weak MACs: locally administered, multicast, all-zero, VRRP
 * 00:00:5e:00:01/02:xx, HSRP 00:00:0c:07:ac:xx and 00:00:0c:9f:fx:xx. */
bool mac_is_weak(const uint8_t mac[6]);

static inline void observation_freep(Observation **o) { observation_free(*o); }

/* The form the inventory keeps an observation in: the scalars, then only the
 * strings that are there, back to back (a struct vw_observation is 264 bytes
 * of mostly NULL pointers before its first string).  Read it through the
 * accessors below; packed_obs_view() rebuilds a struct vw_observation that
 * points into it. */
enum {
        OBS_MACS,
        OBS_ADDRESSES,
        OBS_ENTITY_MFG,
        OBS_ENTITY_MODEL,
        OBS_ARRAYS_MAX,
};

typedef struct PackedObs {
        uint64_t time_usec;
        uint32_t caps_system, caps_enabled;
        int32_t vlan, ttl;
        uint32_t present;               /* bit i: string field i is there (see observation.c) */
        uint32_t n_items[OBS_ARRAYS_MAX];
        uint32_t stamp;                 /* set by the inventory when it keeps it; a renew keeps it */
        char data[];                    /* the strings present, then the array items, each NUL-terminated */
} PackedObs;

int packed_obs_new(const struct vw_observation *src, PackedObs **ret);
PackedObs *packed_obs_free(PackedObs *p);
/* The volatile tail of a packed observation (port ID, its subtype, port
 * description, MACs) starts this many bytes into its data. */
size_t packed_obs_tail_offset(const PackedObs *p);
/* Rewrite the scalars and the tail from `src`, which the caller knows equals
 * *p in everything else (packed_obs_compare, or a plugin's word); in the
 * block when it fits (`room`: bytes the block is known to hold, at most its
 * usable size; 0 = ask the allocator).  The time is `time_usec` (src's, or
 * when it has none, the time it was received).  The stamp stays.  -ENOMEM
 * leaves *p as it was. */
int packed_obs_patch(PackedObs **p, size_t tail_offset, size_t room, const struct vw_observation *src,
                     uint64_t time_usec);
/* A string field by its offset in struct vw_observation (the via members
 * too: offsetof(struct vw_observation, via.port)); NULL when absent. */
const char *packed_obs_get(const PackedObs *p, size_t offset);
#define PACKED_OBS_GET(p, field) packed_obs_get((p), offsetof(struct vw_observation, field))
/* The first item of an array (the next one starts after its NUL), NULL when
 * empty; *ret_n is the number of items. */
const char *packed_obs_items(const PackedObs *p, unsigned array, size_t *ret_n);
static inline const char *packed_obs_next_item(const char *item) {
        return item + strlen(item) + 1;
}

/* A struct vw_observation pointing into a PackedObs. */
typedef struct ObsView {
        struct vw_observation o;
        const char **heap;              /* item pointers when they do not fit below */
        const char *items[32];
} ObsView;

int packed_obs_view(const PackedObs *p, ObsView *ret);

/* How a new observation from the same source compares with the stored one
 * (a neighbour re-announcing itself). */
enum {
        /* every field is equal but the time, the TTL, the port ID (and its
         * subtype), the port description and the MACs */
        OBS_SAME_IDENTITY = 1 << 0,
        /* as many MACs, each in the same 36-bit registry block (the finest an
         * IEEE assignment goes) as the one at its place before */
        OBS_SAME_MAC_BLOCKS = 1 << 1,
};
unsigned packed_obs_compare(const PackedObs *p, const struct vw_observation *o);
void obs_view_done(ObsView *v);
