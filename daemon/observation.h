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
