/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp-addr.h"
#include "vendorwatch/plugin.h"

typedef enum SnmpVersion {
        SNMP_VERSION_V1,
        SNMP_VERSION_V2C,
        SNMP_VERSION_V3,
} SnmpVersion;

typedef enum SnmpAuth {
        SNMP_AUTH_NONE,
        SNMP_AUTH_SHA,
        SNMP_AUTH_SHA256,
} SnmpAuth;

typedef enum SnmpPriv {
        SNMP_PRIV_NONE,
        SNMP_PRIV_AES,
} SnmpPriv;

typedef struct SnmpSeed {
        SnmpAddr addr;
        uint16_t port;                  /* 0 = the group's */
} SnmpSeed;

/* A target group: credentials plus the addresses they apply to. */
typedef struct SnmpGroup {
        char *name;
        SnmpVersion version;
        uint16_t port;
        char *community;                /* secret */
        char *user;
        SnmpAuth auth;
        SnmpPriv priv;
        char *auth_password;            /* secret */
        char *priv_password;            /* secret */
        char *context;
        SnmpSeed *seeds;
        size_t n_seeds;
        SnmpPrefix *sweep;              /* swept actively */
        size_t n_sweep;
        SnmpPrefix *prefixes;           /* this group's address space (crawl, credentials) */
        size_t n_prefixes;
} SnmpGroup;

typedef struct SnmpConfig {
        SnmpGroup *groups;
        size_t n_groups;
        SnmpPrefix *allowed;            /* crawl fence besides the groups' own prefixes */
        size_t n_allowed;
        unsigned concurrency;
        unsigned timeout_ms;
        unsigned retries;
        unsigned max_repetitions;
        uint64_t interval_usec;
        uint64_t backoff_initial_usec;
        uint64_t backoff_max_usec;
        size_t max_rows;
        size_t max_host_rows;           /* per end-host table column */
        size_t max_macs_per_access_port;
        size_t max_targets;
        size_t max_sweep;
        size_t max_requests;            /* per poll */
        bool crawl;
        bool hosts;                     /* read forwarding and ARP tables */
        char *persistent_dir;
} SnmpConfig;

/* Read and check the plugin's configuration group (and the secrets file it
 * names).  Errors are reported through cfg_error (file:line) and returned. */
int snmp_config_load(const struct vw_host *host, struct vw_plugin_ctx *ctx, SnmpConfig **ret);
SnmpConfig *snmp_config_free(SnmpConfig *c);

/* The group whose sweep or prefixes hold `a`, else NULL. */
const SnmpGroup *snmp_config_group_for(const SnmpConfig *c, const SnmpAddr *a);
/* Whether the crawl may poll `a`: inside allowed_prefixes or any group's
 * sweep/prefixes, or a seed. */
bool snmp_config_allows(const SnmpConfig *c, const SnmpAddr *a);
