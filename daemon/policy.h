/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "alerts.h"
#include "inventory.h"

/* The policy stage: is this device's maker allowed in its role?  Pure: a
 * function of the configuration, the waivers, the device and the time. */

typedef struct Restriction {
        char *vendor;                   /* slug */
        bool made_by;                   /* also match devices this vendor made for another brand */
        char **roles;                   /* strv: roles the vendor is forbidden in */
        int severity;                   /* syslog level, LOG_CRIT by default */
        double min_confidence;          /* 0..1 */
} Restriction;

typedef struct Waiver {
        char *device;                   /* device id */
        uint64_t until_usec;            /* valid until (exclusive): the end of the given day, UTC */
        char *reason;
        bool from_config;               /* config waivers are replaced on reload; the rest persist */
        uint64_t created_usec;
} Waiver;

typedef struct Waivers Waivers;

typedef struct PolicyConfig {
        Restriction *restricted;
        size_t n_restricted;
        char *unknown_as;               /* role policy assumes for "unknown"; default "core" (fail closed) */
        Waiver *waivers;                /* from the config file */
        size_t n_waivers;
        AlertsConfig alerts;
} PolicyConfig;

int policy_config_new(PolicyConfig **ret);
PolicyConfig *policy_config_free(PolicyConfig *c);
/* Builder used by the parser and tests; `roles` NULL-terminated. */
int policy_add_restriction(PolicyConfig *c, const char *vendor, bool made_by, const char *const *roles,
                           int severity, double min_confidence);

/* Parse root keys `policy`, `waivers` and `alerts` (policy-config.c);
 * `roles` (may be NULL) is used to check that every role named exists. */
typedef struct CfgGroup CfgGroup;
typedef struct RolesConfig RolesConfig;
int policy_config_parse(CfgGroup *root, const RolesConfig *roles, PolicyConfig **ret);

/* "crit" -> LOG_CRIT …; -EINVAL for anything else. */
int severity_from_string(const char *s);
const char *severity_to_string(int level);

/* "YYYY-MM-DD": the waiver holds through that whole day (UTC). */
int waiver_parse_date(const char *s, uint64_t *ret_until_usec);

int waivers_new(Waivers **ret);
Waivers *waivers_free(Waivers *w);
/* Add or replace the waiver of `device`. */
int waivers_set(Waivers *w, const char *device, uint64_t until_usec, const char *reason, bool from_config,
                uint64_t created_usec);
int waivers_remove(Waivers *w, const char *device);
/* Replace every config waiver with those of `c` (runtime ones stay). */
int waivers_apply_config(Waivers *w, const PolicyConfig *c);
/* The waiver of a device, expired or not; NULL when none. */
const Waiver *waivers_get(const Waivers *w, const char *device);
size_t waivers_count(const Waivers *w);
const Waiver *waivers_next(const Waivers *w, size_t *cursor);
json_object *waiver_to_json(const Waiver *w, uint64_t now);

/* Decide.  The device's role comes from d->role ("unknown"/NULL is read as
 * c->unknown_as); vendor and confidence from d->vendor (made_by counts when
 * the entry says so).  A matching, unexpired waiver gives waived=true and
 * violation=false with the rule kept.  `w` may be NULL.  *ret is updated
 * in place: returns 1 when it changed, 0 when it was already right. */
int policy_evaluate(const PolicyConfig *c, const Waivers *w, const Device *d, uint64_t now, PolicyState *ret);
void policy_state_done(PolicyState *s);
bool policy_state_equal(const PolicyState *a, const PolicyState *b);

static inline void policy_config_freep(PolicyConfig **c) { policy_config_free(*c); }
static inline void waivers_freep(Waivers **w) { waivers_free(*w); }
