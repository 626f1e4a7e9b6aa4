/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "alerts.h"
#include "inventory.h"
#include "policy.h"

/* The persistent inventory: SQLite in WAL mode.  Changes are queued on the
 * loop thread (cheap, coalesced per device) and written by one writer thread
 * in batched transactions; every change gets an increasing number, and
 * store_sync() reports when everything queued before it is committed. */

typedef struct StoreOptions {
        const char *path;
        unsigned retention_days;        /* alert history and cleared alerts; 0 = default 365 */
        uint64_t max_size_bytes;        /* 0 = default 1 GiB; oldest history goes first */
        unsigned flush_msec;            /* batching delay; 0 = default 100 */
} StoreOptions;

typedef struct Store Store;
struct sd_event;

/* Open or create (with its folder, 0750), check integrity, migrate the schema.  A corrupt,
 * unreadable, unwritable or too new database fails with *ret_error naming
 * the file.  Nothing runs in the background until the first change. */
int store_open(const StoreOptions *o, Store **ret, char **ret_error);
/* Commit everything queued, stop the writer, close.  NULL-safe. */
Store *store_free(Store *s);
/* The checks of store_open without keeping it open (--check-config); a
 * missing file is fine when it could be created (nothing is created). */
int store_check(const char *path, char **ret_error);

/* Restore, before discovery starts.  The device callback keeps the
 * observations it wants by taking them out of the array (setting entries to
 * NULL); the rest are freed after it returns.  The alert callback owns the
 * alert.  A negative return aborts the load. */
typedef struct StoreLoadOps {
        int (*device)(void *userdata, const char *id, DeviceKind kind, uint64_t first_seen, uint64_t last_seen,
                      bool absent, Observation **obs, size_t n_obs);
        int (*link)(void *userdata, const Link *l);
        int (*alert)(void *userdata, Alert *a);
        int (*waiver)(void *userdata, const char *device, uint64_t until_usec, const char *reason,
                      bool from_config, uint64_t created_usec);
} StoreLoadOps;
int store_load(Store *s, const StoreLoadOps *ops, void *userdata, char **ret_error);

/* Queue changes (loop thread).  Each returns the change number, or 0 when
 * out of memory (the failure is counted in store_status). */
uint64_t store_put_device(Store *s, const Device *d);
uint64_t store_delete_device(Store *s, const char *id);
uint64_t store_put_link(Store *s, const Link *l);
uint64_t store_put_waiver(Store *s, const Waiver *w);
uint64_t store_delete_waiver(Store *s, const char *device);
uint64_t store_put_alert(Store *s, const Alert *a, const char *event, const char *json);
/* An AlertSinkFn for alerts_set_persist(am, store_alert_persist, store). */
void store_alert_persist(void *store, const Alert *a, const char *event, const char *json);

uint64_t store_last_change(const Store *s);
uint64_t store_committed(Store *s);

/* `cb` runs on the loop once every change queued before this call is
 * committed (error < 0 when the write failed).  Needs store_attach_event(). */
typedef void (*StoreSyncFn)(void *userdata, uint64_t committed, int error);
int store_sync(Store *s, StoreSyncFn cb, void *userdata);
/* Block until everything queued is committed (SIGTERM, one-shot modes, tests). */
int store_flush(Store *s);
/* Deliver sync completions through the loop (an eventfd source). */
int store_attach_event(Store *s, struct sd_event *e);

/* Pruning by retention and size (the writer runs it hourly too). */
int store_prune(Store *s, uint64_t now);
json_object *store_status(Store *s);

/* The device's stored JSON form (also used by the benchmark). */
json_object *store_device_to_json(const Device *d);

static inline void store_freep(Store **s) { store_free(*s); }
