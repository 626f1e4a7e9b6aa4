/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "inventory.h"

/* Alerts are transitions: raised once when a device enters violation,
 * cleared when it leaves on positive evidence.  The manager keeps the open
 * alerts (restored from the store on start, so a restart raises nothing
 * twice), sends each transition once over one transport, rate-limits the
 * lines (never the store or the sinks), and reminds about open ones. */

/* MESSAGE_IDs of the journal entries (fixed forever). */
#define ALERT_MESSAGE_ID_RAISED  "6fc030f2850c4eb0958f61ae74b1b32b"
#define ALERT_MESSAGE_ID_CLEARED "f99aad67932c419f952211f03c83aadb"
#define ALERT_MESSAGE_ID_SUMMARY "a6072614ecaa4e5ea5691c84e5b16b59"

typedef enum AlertTransport {
        ALERT_TRANSPORT_AUTO,
        ALERT_TRANSPORT_JOURNAL,
        ALERT_TRANSPORT_SYSLOG,
        ALERT_TRANSPORT_NONE,           /* one-shot modes: sinks and store only */
        _ALERT_TRANSPORT_MAX,
} AlertTransport;

typedef struct AlertsConfig {
        AlertTransport transport;
        int facility;                   /* LOG_DAEMON */
        char *ident;                    /* "vendorwatchd"; NULL = default */
        uint64_t reminder_usec;         /* 0 = no reminders */
        unsigned rate_limit_per_sec;    /* individual lines per second (10) */
        unsigned burst;                 /* lines allowed at once (20) */
        int source_lost_severity;       /* LOG_ERR */
        uint64_t source_timeout_usec;   /* a source silent this long is lost; 0 = 3 x its
                                           longest TTL, or 10 minutes without TTLs */
} AlertsConfig;

#define ALERTS_CONFIG_DEFAULTS(c)                                               \
        ((c) = (AlertsConfig) { .transport = ALERT_TRANSPORT_AUTO, .facility = 3 << 3, \
                                .rate_limit_per_sec = 10, .burst = 20, .source_lost_severity = 3 })

typedef enum AlertKind {
        ALERT_VIOLATION,
        ALERT_SOURCE_LOST,
        _ALERT_KIND_MAX,
} AlertKind;

typedef struct Alert {
        uint64_t id;                    /* unique, increasing; the store's key */
        AlertKind kind;
        char *key;                      /* "device:<id>" or "source:<name>": one open alert per key */
        char *subject;                  /* device id or source name */
        char *vendor, *role, *segment, *mgmt, *chassis, *attached, *rule;
        double confidence;
        int severity;
        bool open;
        uint64_t raised_usec, cleared_usec, notified_usec;
        char *clear_reason;
} Alert;

typedef struct AlertManager AlertManager;

/* Where a transition goes besides the transport.  `event` is "raised",
 * "cleared" or "reminder"; `json` the alert_to_json() text with "event". */
typedef void (*AlertSinkFn)(void *userdata, const Alert *a, const char *event, const char *json);
/* The line transport; replaceable for tests.  `priority` is the syslog level. */
typedef void (*AlertEmitFn)(void *userdata, const Alert *a, const char *event, int priority, const char *line);

int alert_manager_new(const AlertsConfig *c, AlertManager **ret);
AlertManager *alert_manager_free(AlertManager *am);
/* Swap in a new configuration (reload).  Copies. */
int alert_manager_set_config(AlertManager *am, const AlertsConfig *c);
/* The transport actually used ("journal", "syslog", "none"). */
const char *alert_manager_transport(const AlertManager *am);

/* Sinks see every transition, rate limit or not.  The persist hook (the
 * store) is called before the sinks and the line. */
int alerts_add_sink(AlertManager *am, AlertSinkFn fn, void *userdata);
void alerts_set_persist(AlertManager *am, AlertSinkFn fn, void *userdata);
void alerts_set_emitter(AlertManager *am, AlertEmitFn fn, void *userdata);

/* Take over an alert restored from the store (open or not). */
int alerts_restore(AlertManager *am, Alert *a);

/* After policy_evaluate: raise when d->policy.violation and nothing is
 * open for the device, clear when something is open and it no longer
 * violates.  Stale or absent devices keep their state: only positive
 * evidence clears.  Returns 1 on a transition, 0 otherwise. */
int alerts_device_update(AlertManager *am, const Device *d, uint64_t now);
/* The device left for good (forget, LLDP shutdown, retention): clear. */
int alerts_device_gone(AlertManager *am, const char *device_id, const char *reason, uint64_t now);
/* A source went blind (interface down, SNMP target silent) / came back. */
int alerts_source_lost(AlertManager *am, const char *source, const char *what, uint64_t now);
int alerts_source_back(AlertManager *am, const char *source, uint64_t now);

/* Reminders and the flood summary; call about once a second. */
void alerts_tick(AlertManager *am, uint64_t now);

size_t alerts_n_open(const AlertManager *am);
const Alert *alerts_get_open(const AlertManager *am, const char *key);
/* Iterate the alerts kept in memory (open ones, plus recent cleared ones
 * with `all`), oldest first. */
const Alert *alerts_next(const AlertManager *am, bool all, size_t *cursor);
/* Counters: lines sent, lines held back by the rate limit, summaries. */
json_object *alerts_status(const AlertManager *am);

json_object *alert_to_json(const Alert *a);
/* Rebuild from alert_to_json() output (the store's copy). */
int alert_from_json(json_object *j, Alert **ret);
Alert *alert_free(Alert *a);
/* The one-line form: `vendorwatch alert=raised severity=crit device=… rule="…"`. */
char *alert_format_line(const Alert *a, const char *event);

const char *alert_transport_to_string(AlertTransport t);
int alert_transport_from_string(const char *s);
const char *alert_kind_to_string(AlertKind k);
/* "daemon", "local0" … -> LOG_DAEMON …; -EINVAL otherwise. */
int syslog_facility_from_string(const char *s);

static inline void alert_manager_freep(AlertManager **am) { alert_manager_free(*am); }
static inline void alert_freep(Alert **a) { alert_free(*a); }
