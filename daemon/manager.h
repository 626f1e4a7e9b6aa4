/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-event.h>

#include "config.h"
#include "inventory.h"
#include "vendor.h"

typedef struct Plugin Plugin;
typedef struct Control Control;
struct Audit;
struct Store;

typedef struct ManagerStats {
        uint64_t observations;          /* accepted by the inventory */
        uint64_t rejected;              /* no identity, or over the device cap */
        uint64_t conflicts;             /* strong identifiers of two devices in one observation */
        uint64_t classified;            /* vendor verdicts computed (not served from cache) */
        uint64_t refreshed;             /* observations merged by the refresh path (inventory.c's memo) */
        uint64_t reloads, reload_failures;
} ManagerStats;

/* Owns the loop and everything else: no mutable globals. */
typedef struct Manager {
        sd_event *event;
        Config *config;
        char *config_arg;               /* --config as given (NULL: defaults / default file) */
        char *plugin_dir_arg;           /* --plugin-dir */
        Inventory *inventory;
        VendorDb *vendors;
        Plugin **plugins;
        size_t n_plugins;
        Control *control;
        bool oneshot;                   /* --replay: exit once every source is done */
        size_t sources_pending;         /* oneshot: plugins that have not called done() */
        uint64_t start_usec;
        ManagerStats stats;
        sd_event_source *age_timer;
        sd_event_source *watchdog_timer;
        uint64_t watchdog_usec;
        struct Store *store;            /* NULL in one-shot modes */
        struct Audit *audit;            /* role → policy → alerts → store */
        sd_event_source *audit_timer;
        sd_event_source *metrics_timer;
        sd_event_source *reeval_source;         /* re-evaluation after a reload, in slices */
        size_t reeval_cursor;
        unsigned reeval_slices;
        uint64_t reeval_start;
        unsigned metrics_failures;
        int exit_code;
} Manager;

int manager_new(bool oneshot, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free)

/* Load config, registries, plugins.  The config must already be set. */
int manager_load_vendors(Manager *m, const Config *c, VendorDb **ret);
int manager_start(Manager *m);
int manager_reload(Manager *m, char **ret_error);
/* Classify and evaluate every device again, in slices that keep the loop
 * responsive. */
int manager_reevaluate_all(Manager *m);

/* The pipeline: inventory → vendor → role → policy (→ alerts, store). */
void manager_observe(Manager *m, const struct vw_observation *obs);
/* The same for several, in order, with their state loaded together. */
void manager_observe_batch(Manager *m, struct vw_sighting *s, size_t n);
/* Re-run vendor, role and policy for one device (after a change). */
void manager_device_changed(Manager *m, Device *d, bool reclassify);
/* Identify without storing (the `identify` command). */
int manager_identify(Manager *m, const struct vw_observation *obs, VendorVerdict *ret);

uint64_t now_realtime_usec(void);
