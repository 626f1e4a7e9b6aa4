/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "inventory.h"

/* The role stage: which segment a device sits in and whether that is core or
 * edge.  Pure: a function of the configuration and the device. */

typedef struct RolePrefix {
        int family;                     /* AF_INET or AF_INET6 */
        uint8_t addr[16];               /* network bytes, host bits cleared */
        unsigned len;                   /* prefix length */
        char text[48];                  /* "10.0.0.0/8", for verdicts */
} RolePrefix;

typedef struct Segment {
        char *name;
        char *role;
        RolePrefix *prefixes;
        size_t n_prefixes;
        uint16_t *vlans;
        size_t n_vlans;
        char **interfaces;              /* capture interfaces (strv) */
        char **snmp_groups;             /* SNMP target groups (strv) */
        /* what those groups reach, from the snmp plugin's config: their seeds
         * (as host prefixes), sweep and crawl prefixes */
        struct SnmpScope *snmp_scopes;
        size_t n_snmp_scopes;
} Segment;

typedef struct SnmpScope {
        char *group;
        RolePrefix prefix;
} SnmpScope;

typedef enum OverrideMatch {
        OVERRIDE_ID,
        OVERRIDE_CHASSIS_ID,
        OVERRIDE_MAC,
        OVERRIDE_SYS_NAME,              /* POSIX extended regex */
        _OVERRIDE_MATCH_MAX,
} OverrideMatch;

typedef struct RoleOverride RoleOverride;       /* opaque: holds a compiled regex */

typedef struct RoleHeuristics {
        bool enabled;                   /* off by default */
        unsigned core_min_neighbours;   /* router+bridge with >= N neighbours => core */
        bool router_is_core;            /* routing enabled => core */
        bool station_is_edge;           /* station/phone/AP only => edge */
} RoleHeuristics;

typedef struct RolesConfig {
        Segment *segments;
        size_t n_segments;
        RoleOverride **overrides;
        size_t n_overrides;
        RoleHeuristics heuristics;
} RolesConfig;

/* What the caller knows beyond the device itself.  `attached_segment` is the
 * hook for end hosts: the segment of the switch they were seen on (looked up
 * by the caller from via.device), used when nothing more specific matches. */
typedef struct RoleHints {
        unsigned n_neighbours;
        const char *attached_segment;
} RoleHints;

int roles_config_new(RolesConfig **ret);
RolesConfig *roles_config_free(RolesConfig *c);

/* Builders, used by the parser and by tests.  Return -EINVAL for a bad
 * value (unknown segment name, bad prefix, bad regex). */
int roles_add_segment(RolesConfig *c, const char *name, const char *role, Segment **ret);
int segment_add_prefix(Segment *s, const char *cidr);
int segment_add_snmp_scope(Segment *s, const char *group, const RolePrefix *p);
bool strv_contains(char *const *l, const char *s);
int segment_add_vlan(Segment *s, int64_t vlan);
int segment_add_interface(Segment *s, const char *ifname);
int segment_add_snmp_group(Segment *s, const char *group);
int roles_add_override(RolesConfig *c, OverrideMatch match, const char *value, const char *role, const char *segment);
const Segment *roles_find_segment(const RolesConfig *c, const char *name);

/* Parse "10.0.0.0/8", "2001:db8::/32" or a bare address (host prefix). */
int role_prefix_parse(const char *s, RolePrefix *ret);
bool role_prefix_match(const RolePrefix *p, const char *address);
char *role_prefix_format(const RolePrefix *p, char *buf, size_t n);

/* Rule order: override -> segment by address (longest prefix over all
 * segments) -> VLAN -> capture interface -> attached switch's segment ->
 * heuristics -> "unknown".  ret->rule says what decided it.  `hints` may be
 * NULL.  *ret is updated in place (pass the device's current verdict, or a
 * zeroed one): returns 1 when it changed, 0 when it was already right. */
int role_evaluate(const RolesConfig *c, const Device *d, RoleVerdict *ret);
/* True when a network device's role depends on nothing but its observations'
 * fields other than their MACs: no MAC override, no neighbour counting. */
bool roles_ignore_macs_and_links(const RolesConfig *c);
int role_evaluate_full(const RolesConfig *c, const Device *d, const RoleHints *hints, RoleVerdict *ret);
void role_verdict_done(RoleVerdict *v);
/* A verdict in one allocation (role_verdict_done frees it). */
int role_verdict_make(const char *role, const char *segment, const char *rule, RoleVerdict *ret);
bool role_verdict_equal(const RoleVerdict *a, const RoleVerdict *b);


/* Parse the root keys `segments`, `overrides` and `heuristics` (roles-config.c).
 * Errors go to the group's CfgError as "file:line: reason". */
typedef struct CfgGroup CfgGroup;
int roles_config_parse(CfgGroup *root, RolesConfig **ret);

static inline void roles_config_freep(RolesConfig **c) { roles_config_free(*c); }
