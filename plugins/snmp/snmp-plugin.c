/* SPDX-License-Identifier: MIT */
/* The plugin's face to the host: the vw_plugin table. */
#include <errno.h>
#include <stdlib.h>

#include "snmp-config.h"
#include "snmp-engine.h"
#include "vendorwatch/plugin.h"

static int snmp_start(const struct vw_host *host, struct vw_plugin_ctx *ctx, bool check_only, void **ret_state) {
        SnmpConfig *cfg;
        int r = snmp_config_load(host, ctx, &cfg);
        if (r < 0)
                return r;
        if (check_only) {
                snmp_config_free(cfg);
                *ret_state = NULL;
                return 0;
        }
        if (host->ops->oneshot && host->ops->oneshot(ctx)) {
                /* an offline run (--replay) does not poll the network */
                snmp_config_free(cfg);
                *ret_state = NULL;
                host->ops->done(ctx);
                return 0;
        }
        SnmpEngine *e;
        r = snmp_engine_new(host, ctx, cfg, &e);
        if (r < 0)
                return r;
        *ret_state = e;
        return 0;
}

static void snmp_stop(void *state) {
        snmp_engine_free(state);
}

static char *snmp_status(void *state) {
        return state ? snmp_engine_status(state) : NULL;
}

static int snmp_rescan(void *state, const char *target) {
        if (!state)
                return -EOPNOTSUPP;
        return snmp_engine_rescan(state, target);
}

__attribute__((visibility("default"))) const struct vw_plugin vw_plugin = {
        .abi_version = VW_PLUGIN_ABI_VERSION,
        .name = "snmp",
        .description = "active SNMP discovery (v1/v2c/v3) with LLDP-MIB/CDP-MIB neighbour crawl",
        .start = snmp_start,
        .stop = snmp_stop,
        .status = snmp_status,
        .rescan = snmp_rescan,
};
