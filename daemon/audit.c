/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "audit.h"
#include "policy-commands.h"
#include "namemap.h"

#define USEC_PER_SEC 1000000ull
#define SOURCE_TIMEOUT_DEFAULT (600 * USEC_PER_SEC)
#define SOURCE_TIMEOUT_MIN (30 * USEC_PER_SEC)

/* "lldp@eth1", "snmp@10.0.0.1", "jsonl": what goes blind together. */
#define SOURCE_KEY_MAX 512

typedef struct SourceInfo {
        uint64_t last_seen;
        uint32_t max_ttl;               /* seconds */
        bool lost;
        bool finished;                  /* an offline source that reached its end */
} SourceInfo;

struct Audit {
        const RolesConfig *roles;
        const PolicyConfig *policy;
        Store *store;
        AlertManager *alerts;
        Waivers *waivers;
        NameMap *sources;                /* source key -> SourceInfo* */
        char last_source[SOURCE_KEY_MAX];       /* the last one seen, and its info */
        SourceInfo *last_source_info;
        /* the same for the refresh path, by the key's parts (no key built) */
        char last_name[SOURCE_KEY_MAX], last_where[SOURCE_KEY_MAX];
        bool last_has_where;
        SourceInfo *last_parts_info;
        /* the refresh path's source, touched once per batch (audit_batch_end()):
         * while a batch is merged the plugin's strings stay where they are,
         * so the same pointers are the same source */
        struct {
                const char *source, *interface, *agent;
                int32_t ttl;            /* the highest in the batch */
                bool pending;
        } touch;
        bool restoring;
        uint64_t n_evaluations;
        uint64_t evaluation_nsec;       /* time spent in role + policy */
        uint64_t restore_nsec[3];       /* load, classify, evaluate */
};

int audit_new(const RolesConfig *roles, const PolicyConfig *policy, Store *store, Audit **ret) {
        if (!roles || !policy)
                return -EINVAL;
        _cleanup_(audit_freep) Audit *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->roles = roles;
        a->policy = policy;
        a->store = store;
        int r = alert_manager_new(&policy->alerts, &a->alerts);
        if (r >= 0)
                r = waivers_new(&a->waivers);
        if (r >= 0)
                r = namemap_new(&a->sources);
        if (r >= 0)
                r = waivers_apply_config(a->waivers, policy);
        if (r < 0)
                return r;
        if (store)
                alerts_set_persist(a->alerts, store_alert_persist, store);
        *ret = TAKE_PTR(a);
        return 0;
}

Audit *audit_free(Audit *a) {
        if (!a)
                return NULL;
        alert_manager_free(a->alerts);
        waivers_free(a->waivers);
        size_t cur = 0;
        void *v;
        while (namemap_next(a->sources, &cur, NULL, &v))
                free(v);
        namemap_free(a->sources);
        free(a);
        return NULL;
}

AlertManager *audit_alerts(Audit *a) {
        return a->alerts;
}

Waivers *audit_waivers(Audit *a) {
        return a->waivers;
}

/* Into buf (cut at SOURCE_KEY_MAX): every observation passes here. */
static const char *source_key_of(const char *source, const char *interface, const char *agent,
                                 char buf[static SOURCE_KEY_MAX]) {
        const char *where = interface ? interface : agent;
        const char *parts[] = { source ? source : "unknown", where ? "@" : "", where ? where : "" };
        strjoin_cut(buf, SOURCE_KEY_MAX, parts, ELEMENTSOF(parts));
        return buf;
}

static const char *source_key(const PackedObs *o, char buf[static SOURCE_KEY_MAX]) {
        return source_key_of(PACKED_OBS_GET(o, source), PACKED_OBS_GET(o, via.interface), PACKED_OBS_GET(o, via.agent),
                             buf);
}

static bool source_is_lost(Audit *a, const PackedObs *o) {
        char buf[SOURCE_KEY_MAX];
        const char *k = source_key(o, buf);
        SourceInfo *si = k ? namemap_get(a->sources, k) : NULL;
        return si && si->lost;
}

/* A source sent something: `k` is its key (for the alert when it was lost). */
static void source_touch(Audit *a, SourceInfo *si, const char *k, int32_t ttl, uint64_t now) {
        si->last_seen = now;
        si->finished = false;
        if (ttl > 0 && (uint32_t) ttl > si->max_ttl)
                si->max_ttl = (uint32_t) ttl;
        if (si->lost) {
                si->lost = false;
                alerts_source_back(a->alerts, k, now);
        }
}

/* The info of the source with key `k`, made when new (NULL: no memory).
 * Sources are few and a stream of observations comes from one at a time,
 * so the last one is kept at hand. */
static SourceInfo *source_info(Audit *a, const char *k) {
        SourceInfo *si = a->last_source_info;
        if (si && streq(a->last_source, k))
                return si;
        si = namemap_get(a->sources, k);
        if (!si) {
                si = calloc(1, sizeof *si);
                if (!si || namemap_put(a->sources, k, si, NULL) < 0) {
                        free(si);
                        return NULL;
                }
        }
        /* info records live as long as the audit */
        a->last_source_info = si;
        snprintf(a->last_source, sizeof a->last_source, "%s", k);
        return si;
}

static void source_seen_key(Audit *a, const char *k, int32_t ttl, uint64_t now) {
        SourceInfo *si = source_info(a, k);
        if (si)
                source_touch(a, si, k, ttl, now);
}

/* As source_seen_key() for the key's parts, which the refresh path has at
 * hand: the key is built only when the source is not the last one. */
static void source_seen_parts(Audit *a, const char *source, const char *interface, const char *agent, int32_t ttl,
                              uint64_t now) {
        const char *name = source ? source : "unknown", *where = interface ? interface : agent;
        SourceInfo *si = a->last_parts_info;
        if (!si || !streq(a->last_name, name) || a->last_has_where != !!where ||
            (where && !streq(a->last_where, where)) || si->lost) {
                char buf[SOURCE_KEY_MAX];
                const char *k = source_key_of(source, interface, agent, buf);
                si = source_info(a, k);
                if (!si)
                        return;
                source_touch(a, si, k, ttl, now);
                if (strlen(name) < sizeof a->last_name && (!where || strlen(where) < sizeof a->last_where)) {
                        strcpy(a->last_name, name);
                        strcpy(a->last_where, where ? where : "");
                        a->last_has_where = where;
                        a->last_parts_info = si;
                } else
                        a->last_parts_info = NULL;
                return;
        }
        source_touch(a, si, NULL, ttl, now);    /* not lost: no alert needs the key */
}

static void source_seen(Audit *a, const PackedObs *o, uint64_t now) {
        char buf[SOURCE_KEY_MAX];
        source_seen_key(a, source_key(o, buf), o->ttl, now);
}

/* The device's newest observation: the one that just arrived. */
static const PackedObs *newest(const Device *d) {
        const PackedObs *best = NULL;
        for (size_t i = 0; i < d->n_obs; i++)
                if (d->obs[i] && (!best || d->obs[i]->time_usec >= best->time_usec))
                        best = d->obs[i];
        return best;
}

static bool all_sources_lost(Audit *a, const Device *d) {
        if (d->n_obs == 0)
                return false;
        for (size_t i = 0; i < d->n_obs; i++)
                if (!source_is_lost(a, d->obs[i]))
                        return false;
        return true;
}

static unsigned count_neighbours(Inventory *inv, const char *id) {
        unsigned n = 0;
        size_t links = inventory_n_links(inv);
        for (size_t i = 0; i < links; i++) {
                const Link *l = inventory_link(inv, i);
                if (streq_ptr(l->local, id) || streq_ptr(l->remote, id))
                        n++;
        }
        return n;
}

static uint64_t mono_nsec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int evaluate(Audit *a, Inventory *inv, Device *d, uint64_t now) {
        uint64_t t0 = mono_nsec();
        RoleHints hints = {};
        /* end hosts inherit the segment of the switch they were seen on */
        for (size_t i = 0; inv && d->kind == DEVICE_HOST && i < d->n_obs && !hints.attached_segment; i++) {
                const char *via = PACKED_OBS_GET(d->obs[i], via.device);
                Device *sw = via ? inventory_get(inv, via) : NULL;
                if (sw && sw != d)
                        hints.attached_segment = sw->role.segment;
        }
        if (inv && a->roles->heuristics.enabled)
                hints.n_neighbours = count_neighbours(inv, d->id);

        int r = role_evaluate_full(a->roles, d, &hints, &d->role);
        if (r < 0)
                return r;
        int k = policy_evaluate(a->policy, a->waivers, d, now, &d->policy);
        if (k < 0)
                return k;
        a->n_evaluations++;
        a->evaluation_nsec += mono_nsec() - t0;
        return r > 0 || k > 0;          /* 1: a verdict changed */
}

static bool shut_down(const Device *d) {
        const PackedObs *o = newest(d);
        return d->absent && o && o->ttl == 0;
}

static void touch_flush(Audit *a, uint64_t now) {
        if (!a->touch.pending)
                return;
        a->touch.pending = false;
        source_seen_parts(a, a->touch.source, a->touch.interface, a->touch.agent, a->touch.ttl, now);
}

void audit_batch_end(Audit *a, uint64_t now) {
        if (a)
                touch_flush(a, now);
}

int audit_device_changed(Audit *a, Inventory *inv, Device *d, uint64_t now) {
        if (!a || !d)
                return -EINVAL;
        touch_flush(a, now);            /* sources are seen in the order they spoke */
        const PackedObs *o = newest(d);
        if (o && !a->restoring) {
                source_seen(a, o, now);
                if (d->stale && !all_sources_lost(a, d))
                        d->stale = false;
        }
        int r = evaluate(a, inv, d, now);
        if (r < 0)
                return r;
        /* an LLDP shutdown frame is positive evidence that it left */
        if (shut_down(d))
                r = alerts_device_gone(a->alerts, d->id, "shutdown frame", now);
        else
                r = alerts_device_update(a->alerts, d, now);
        if (a->store && !a->restoring)
                store_put_device(a->store, d);
        return r;
}

int audit_device_refreshed(Audit *a, Inventory *inv, Device *d, const struct vw_observation *obs, bool was_present,
                           uint64_t now) {
        /* Role and policy read the device's fields, which a refresh left
         * as they were, except its presence and MACs; the context (neighbour
         * counts, the switch a host hangs off) and waivers, which expire,
         * are read afresh by the full path, and so is a violator (whose
         * alert, if raising it failed once, is raised on its next sighting). */
        if (!a || !d || a->restoring || !was_present || d->absent || d->kind != DEVICE_NETWORK || d->policy.waived ||
            d->policy.violation || !roles_ignore_macs_and_links(a->roles))
                return audit_device_changed(a, inv, d, now);
        if (a->touch.pending && a->touch.source == obs->source && a->touch.interface == obs->via.interface &&
            a->touch.agent == obs->via.agent) {
                if (obs->ttl > a->touch.ttl)
                        a->touch.ttl = obs->ttl;
        } else {
                touch_flush(a, now);
                a->touch.source = obs->source;
                a->touch.interface = obs->via.interface;
                a->touch.agent = obs->via.agent;
                a->touch.ttl = obs->ttl;
                a->touch.pending = true;
        }
        if (a->store)
                store_put_device(a->store, d);
        return 0;
}

int audit_device_gone(Audit *a, const char *id, const char *reason, uint64_t now) {
        int r = alerts_device_gone(a->alerts, id, reason, now);
        if (a->store)
                store_delete_device(a->store, id);
        return r;
}

int audit_reevaluate_all(Audit *a, Inventory *inv, uint64_t now) {
        size_t cur = 0;
        int ret = 0;
        for (Device *d; (d = inventory_next(inv, &cur));) {
                int r = evaluate(a, inv, d, now);
                if (r < 0) {
                        ret = r;
                        continue;
                }
                if (!shut_down(d))
                        alerts_device_update(a->alerts, d, now);
                if (r > 0 && a->store && !a->restoring)
                        store_put_device(a->store, d);
        }
        return ret;
}

int audit_set_config(Audit *a, Inventory *inv, const RolesConfig *roles, const PolicyConfig *policy, uint64_t now) {
        if (!roles || !policy)
                return -EINVAL;
        int r = alert_manager_set_config(a->alerts, &policy->alerts);
        if (r < 0)
                return r;
        a->roles = roles;
        a->policy = policy;
        r = waivers_apply_config(a->waivers, policy);
        if (r < 0)
                return r;
        return inv ? audit_reevaluate_all(a, inv, now) : 0;
}

/* --- restore ----------------------------------------------------------------- */

typedef struct RestoreCtx {
        Audit *audit;
        Inventory *inv;
        uint64_t now;
        size_t n_devices, n_failed;
} RestoreCtx;

static int restore_device(void *userdata, const char *id, DeviceKind kind, uint64_t first_seen, uint64_t last_seen,
                          bool absent, Observation **obs, size_t n_obs) {
        RestoreCtx *c = userdata;
        Device *d = NULL;
        /* replay the stored observations: the inventory rebuilds the same
         * device (same strong identifiers, same key) through its one path */
        for (size_t i = 0; i < n_obs; i++) {
                if (!obs[i])
                        continue;
                bool conflict = false;
                Device *got = NULL;
                uint64_t t = obs[i]->o.time_usec ? obs[i]->o.time_usec : last_seen;
                if (inventory_observe(c->inv, &obs[i]->o, t, &got, &conflict) >= 0 && got)
                        d = got;
        }
        if (!d) {
                c->n_failed++;
                return 0;       /* one unreadable device must not cost the rest */
        }
        if (first_seen && first_seen < d->first_seen)
                d->first_seen = first_seen;
        if (last_seen > d->last_seen)
                d->last_seen = last_seen;
        d->absent = absent;
        c->n_devices++;
        return 0;
}

static int restore_link(void *userdata, const Link *l) {
        RestoreCtx *c = userdata;
        int r = inventory_restore_link(c->inv, l);
        return r == -EINVAL || r == -ENOSPC || r == -E2BIG ? 0 : r;    /* a row we cannot use is skipped */
}

static int restore_alert(void *userdata, Alert *al) {
        RestoreCtx *c = userdata;
        int r = alerts_restore(c->audit->alerts, al);
        if (r < 0)
                alert_free(al);
        return r;
}

static int restore_waiver(void *userdata, const char *device, uint64_t until, const char *reason, bool from_config,
                          uint64_t created) {
        RestoreCtx *c = userdata;
        /* config waivers come from the config file, not from the store */
        if (from_config)
                return 0;
        return waivers_set(c->audit->waivers, device, until, reason, false, created);
}

int audit_restore(Audit *a, Inventory *inv, AuditClassifyFn classify, void *userdata, uint64_t now,
                  char **ret_error) {
        if (!a->store)
                return 0;
        RestoreCtx c = { .audit = a, .inv = inv, .now = now };
        StoreLoadOps ops = {
                .device = restore_device,
                .link = restore_link,
                .alert = restore_alert,
                .waiver = restore_waiver,
        };
        a->restoring = true;
        uint64_t t0 = mono_nsec();
        int r = store_load(a->store, &ops, &c, ret_error);
        if (r >= 0)
                r = waivers_apply_config(a->waivers, a->policy);
        uint64_t t1 = mono_nsec();
        size_t cur = 0;
        for (Device *d; r >= 0 && classify && (d = inventory_next(inv, &cur));)
                classify(d, userdata);
        uint64_t t2 = mono_nsec();
        /* verdicts with today's config; transitions only where they differ
         * from the restored open alerts */
        if (r >= 0)
                r = audit_reevaluate_all(a, inv, now);
        a->restoring = false;
        a->restore_nsec[0] = t1 - t0;
        a->restore_nsec[1] = t2 - t1;
        a->restore_nsec[2] = mono_nsec() - t2;
        return r;
}

/* --- sources -------------------------------------------------------------------- */

static void mark_stale(Audit *a, Inventory *inv) {
        size_t cur = 0;
        for (Device *d; inv && (d = inventory_next(inv, &cur));)
                if (!d->stale && all_sources_lost(a, d)) {
                        d->stale = true;
                        if (a->store)
                                store_put_device(a->store, d);
                }
}

int audit_source_lost(Audit *a, Inventory *inv, const char *source, const char *what, uint64_t now) {
        SourceInfo *si = namemap_get(a->sources, source);
        if (!si) {
                si = calloc(1, sizeof *si);
                if (!si || namemap_put(a->sources, source, si, NULL) < 0) {
                        free(si);
                        return -ENOMEM;
                }
                si->last_seen = now;
        }
        si->lost = true;
        int r = alerts_source_lost(a->alerts, source, what, now);
        mark_stale(a, inv);
        return r;
}

int audit_source_back(Audit *a, const char *source, uint64_t now) {
        SourceInfo *si = namemap_get(a->sources, source);
        if (si)
                si->lost = false;
        return alerts_source_back(a->alerts, source, now);
}

void audit_source_done(Audit *a, const char *name) {
        size_t cur = 0, n = name ? strlen(name) : 0;
        const char *key;
        void *v;
        while (a && name && namemap_next(a->sources, &cur, &key, &v))
                if (strncmp(key, name, n) == 0 && (key[n] == 0 || key[n] == '@'))
                        ((SourceInfo *) v)->finished = true;
}

static uint64_t source_timeout(const Audit *a, const SourceInfo *si) {
        if (a->policy->alerts.source_timeout_usec)
                return a->policy->alerts.source_timeout_usec;
        if (si->max_ttl) {
                uint64_t t = 3ull * si->max_ttl * USEC_PER_SEC;
                return t < SOURCE_TIMEOUT_MIN ? SOURCE_TIMEOUT_MIN : t;
        }
        return SOURCE_TIMEOUT_DEFAULT;
}

void audit_tick(Audit *a, Inventory *inv, uint64_t now) {
        size_t cur = 0;
        const char *key;
        void *v;
        bool any = false;
        while (namemap_next(a->sources, &cur, &key, &v)) {
                SourceInfo *si = v;
                if (si->lost || si->finished || now < si->last_seen + source_timeout(a, si))
                        continue;
                si->lost = true;
                any = true;
                char what[96];
                snprintf(what, sizeof what, "no observations for %llu s",
                         (unsigned long long) ((now - si->last_seen) / USEC_PER_SEC));
                alerts_source_lost(a->alerts, key, what, now);
        }
        if (any)
                mark_stale(a, inv);
        alerts_tick(a->alerts, now);
}

/* --- commands ----------------------------------------------------------------- */

json_object *audit_cmd_alerts(Audit *a, bool all) {
        json_object *list = json_object_new_array();
        size_t cur = 0;
        for (const Alert *al; list && (al = alerts_next(a->alerts, all, &cur));)
                json_object_array_add(list, alert_to_json(al));
        return list;
}

json_object *audit_cmd_segments(Audit *a, Inventory *inv) {
        return roles_segments_json(a->roles, inv);
}

int audit_cmd_waive(Audit *a, Inventory *inv, const char *id, const char *until, const char *reason, uint64_t now,
                    json_object **ret, char **ret_error) {
        uint64_t until_usec;
        if (isempty(id))
                return (*ret_error = strdup("waive: \"id\" is required")) ? -EINVAL : -ENOMEM;
        if (waiver_parse_date(until, &until_usec) < 0)
                return asprintf(ret_error, "waive: \"until\" must be a date YYYY-MM-DD, got \"%.32s\"",
                                until ? until : "") < 0 ? -ENOMEM : -EINVAL;
        if (until_usec <= now)
                return (*ret_error = strdup("waive: \"until\" is in the past")) ? -EINVAL : -ENOMEM;
        if (isempty(reason))
                return (*ret_error = strdup("waive: \"reason\" is required")) ? -EINVAL : -ENOMEM;
        Device *d = inventory_get(inv, id);
        if (!d)
                return asprintf(ret_error, "waive: no device \"%.200s\"", id) < 0 ? -ENOMEM : -ENOENT;

        int r = waivers_set(a->waivers, d->id, until_usec, reason, false, now);
        if (r < 0)
                return r;
        const Waiver *w = waivers_get(a->waivers, d->id);
        if (a->store)
                store_put_waiver(a->store, w);
        r = audit_device_changed(a, inv, d, now);
        if (r < 0)
                return r;
        json_object *j = json_object_new_object();
        json_object_object_add(j, "waiver", waiver_to_json(w, now));
        json_object_object_add(j, "violation", json_object_new_boolean(d->policy.violation));
        json_object_object_add(j, "waived", json_object_new_boolean(d->policy.waived));
        *ret = j;
        return 0;
}

#define SOURCES_LISTED 64

json_object *audit_status(Audit *a) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "alerts", alerts_status(a->alerts));
        json_object_object_add(j, "waivers", json_object_new_int64((int64_t) waivers_count(a->waivers)));
        json_object_object_add(j, "evaluations", json_object_new_int64((int64_t) a->n_evaluations));
        json_object_object_add(j, "evaluation_usec", json_object_new_int64((int64_t) (a->evaluation_nsec / 1000)));
        json_object *rs = json_object_new_object();
        json_object_object_add(rs, "load_usec", json_object_new_int64((int64_t) (a->restore_nsec[0] / 1000)));
        json_object_object_add(rs, "classify_usec", json_object_new_int64((int64_t) (a->restore_nsec[1] / 1000)));
        json_object_object_add(rs, "evaluate_usec", json_object_new_int64((int64_t) (a->restore_nsec[2] / 1000)));
        json_object_object_add(j, "restore", rs);
        /* What went blind matters: the lost sources first, then the others,
         * at most SOURCES_LISTED of them (an SNMP sweep has a source per
         * agent, and status is polled), with the totals. */
        json_object *src = json_object_new_array();
        size_t total = 0, lost = 0;
        for (int pass = 0; pass < 2; pass++) {
                size_t cur = 0;
                const char *key;
                void *v;
                while (namemap_next(a->sources, &cur, &key, &v)) {
                        const SourceInfo *si = v;
                        if (pass == 0) {
                                total++;
                                lost += si->lost;
                        }
                        if (si->lost != (pass == 0) || json_object_array_length(src) >= SOURCES_LISTED)
                                continue;
                        json_object *o = json_object_new_object();
                        json_object_object_add(o, "source", json_object_new_string(key));
                        json_object_object_add(o, "lost", json_object_new_boolean(si->lost));
                        json_object_object_add(o, "finished", json_object_new_boolean(si->finished));
                        json_object_object_add(o, "last_seen_usec", json_object_new_int64((int64_t) si->last_seen));
                        json_object_array_add(src, o);
                }
        }
        json_object_object_add(j, "sources_total", json_object_new_uint64(total));
        json_object_object_add(j, "sources_lost", json_object_new_uint64(lost));
        json_object_object_add(j, "sources", src);
        if (a->store)
                json_object_object_add(j, "store", store_status(a->store));
        return j;
}
