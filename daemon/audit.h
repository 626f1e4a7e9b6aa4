/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "alerts.h"
#include "inventory.h"
#include "policy.h"
#include "roles.h"
#include "store.h"

/* The audit: role -> policy -> alerts -> store for every device change, in
 * one place, so the manager calls one function per event.  Owns the alert
 * manager and the waivers; borrows the configs (swap them with
 * audit_set_config on reload) and the store (may be NULL). */

typedef struct Audit Audit;

int audit_new(const RolesConfig *roles, const PolicyConfig *policy, Store *store, Audit **ret);
Audit *audit_free(Audit *a);

AlertManager *audit_alerts(Audit *a);
Waivers *audit_waivers(Audit *a);

/* Restore inventory, waivers and open alerts from the store, then run
 * `classify` (the vendor stage, may be NULL) and evaluate every device
 * without raising anything already open.  Before discovery. */
typedef void (*AuditClassifyFn)(Device *d, void *userdata);
int audit_restore(Audit *a, Inventory *inv, AuditClassifyFn classify, void *userdata, uint64_t now,
                  char **ret_error);

/* A device was created or changed (after vendor classification): decide its
 * role and policy, raise/clear, queue it for the store.  Also tracks the
 * device's sources for source-lost detection. */
int audit_device_changed(Audit *a, Inventory *inv, Device *d, uint64_t now);
/* The same for a neighbour that announced itself again (ObserveResult.refresh)
 * with its vendor verdict unchanged: role and policy are evaluated again only
 * when something they read may have changed. */
int audit_device_refreshed(Audit *a, Inventory *inv, Device *d, const struct vw_observation *obs, bool was_present,
                           uint64_t now);
/* After the observations of one call (observe, or a plugin's batch): the
 * refreshed ones' source is marked as seen here, once.  `obs` passed to
 * audit_device_refreshed() must stay valid until then. */
void audit_batch_end(Audit *a, uint64_t now);
/* A device left for good: "forget", "retention". */
int audit_device_gone(Audit *a, const char *id, const char *reason, uint64_t now);
/* Reload: new configs (borrowed), config waivers re-applied, every device
 * re-evaluated; transitions only where the verdict changed. */
int audit_set_config(Audit *a, Inventory *inv, const RolesConfig *roles, const PolicyConfig *policy, uint64_t now);
int audit_reevaluate_all(Audit *a, Inventory *inv, uint64_t now);

/* Call about once a second: reminders, flood summary, silent sources. */
void audit_tick(Audit *a, Inventory *inv, uint64_t now);
/* A source said it went blind / is back (plugins, capture errors). */
int audit_source_lost(Audit *a, Inventory *inv, const char *source, const char *what, uint64_t now);
int audit_source_back(Audit *a, const char *source, uint64_t now);
/* An offline source (a file import) reached its end: its silence from now
 * on is expected, not blindness.  `name` matches source keys "name" and
 * "name@…". */
void audit_source_done(Audit *a, const char *name);

/* Control commands.  Replies are the payload (the server adds version/ok). */
json_object *audit_cmd_alerts(Audit *a, bool all);                     /* array of alert objects */
json_object *audit_cmd_segments(Audit *a, Inventory *inv);              /* array of segment objects */
/* `waive`: *ret_error (malloc'd) says what was wrong with the request. */
int audit_cmd_waive(Audit *a, Inventory *inv, const char *id, const char *until, const char *reason, uint64_t now,
                    json_object **ret, char **ret_error);
json_object *audit_status(Audit *a);

static inline void audit_freep(Audit **a) { audit_free(*a); }
