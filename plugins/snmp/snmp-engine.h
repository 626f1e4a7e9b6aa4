/* SPDX-License-Identifier: MIT */
#pragma once

#include "snmp-config.h"
#include "vendorwatch/plugin.h"

/* The poller: targets, net-snmp single sessions driven by the host's
 * sd-event loop, the rediscovery schedule and the crawl. */
typedef struct SnmpEngine SnmpEngine;

/* Takes ownership of `cfg`. */
int snmp_engine_new(const struct vw_host *host, struct vw_plugin_ctx *ctx, SnmpConfig *cfg, SnmpEngine **ret);
SnmpEngine *snmp_engine_free(SnmpEngine *e);
/* JSON object text, malloc'd. */
char *snmp_engine_status(SnmpEngine *e);
/* NULL = every target; else an address (or ADDRESS:PORT) that is a target
 * or lies inside the configured address space. */
int snmp_engine_rescan(SnmpEngine *e, const char *target);
