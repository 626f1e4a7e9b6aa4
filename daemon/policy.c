/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "policy.h"
#include "namemap.h"

struct Waivers {
        NameMap *by_device;              /* device -> Waiver* */
};

static const char *const severity_names[] = {
        [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit", [LOG_ERR] = "err",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

int severity_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(severity_names); i++)
                if (streq(s, severity_names[i]))
                        return (int) i;
        return -EINVAL;
}

const char *severity_to_string(int level) {
        return level >= 0 && (size_t) level < ELEMENTSOF(severity_names) ? severity_names[level] : "crit";
}

int policy_config_new(PolicyConfig **ret) {
        PolicyConfig *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        if (!(c->unknown_as = strdup("core"))) {
                free(c);
                return -ENOMEM;
        }
        ALERTS_CONFIG_DEFAULTS(c->alerts);
        *ret = c;
        return 0;
}

static void waiver_done(Waiver *w) {
        free(w->device);
        free(w->reason);
}

PolicyConfig *policy_config_free(PolicyConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_restricted; i++) {
                free(c->restricted[i].vendor);
                strv_free(c->restricted[i].roles);
        }
        free(c->restricted);
        for (size_t i = 0; i < c->n_waivers; i++)
                waiver_done(&c->waivers[i]);
        free(c->waivers);
        free(c->unknown_as);
        free(c->alerts.ident);
        free(c);
        return NULL;
}

int policy_add_restriction(PolicyConfig *c, const char *vendor, bool made_by, const char *const *roles,
                           int severity, double min_confidence) {
        if (isempty(vendor) || !roles || !roles[0] || severity < LOG_EMERG || severity > LOG_DEBUG ||
            !(min_confidence >= 0.0 && min_confidence <= 1.0))
                return -EINVAL;
        size_t n = 0;
        while (roles[n])
                n++;
        Restriction r = { .made_by = made_by, .severity = severity, .min_confidence = min_confidence };
        r.vendor = strdup(vendor);
        r.roles = calloc(n + 1, sizeof(char *));
        bool ok = r.vendor && r.roles;
        for (size_t i = 0; ok && i < n; i++)
                ok = (r.roles[i] = strdup(roles[i]));
        Restriction *nr = ok ? realloc(c->restricted, (c->n_restricted + 1) * sizeof *nr) : NULL;
        if (!nr) {
                free(r.vendor);
                strv_free(r.roles);
                return -ENOMEM;
        }
        c->restricted = nr;
        nr[c->n_restricted++] = r;
        return 0;
}

/* --- waivers -------------------------------------------------------------- */

int waiver_parse_date(const char *s, uint64_t *ret_until_usec) {
        unsigned y, m, d;
        int n = 0;
        if (!s || sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &n) != 3 || n != 10 || s[n] || y < 1970 || m < 1 ||
            m > 12 || d < 1 || d > 31)
                return -EINVAL;
        struct tm tm = { .tm_year = (int) y - 1900, .tm_mon = (int) m - 1, .tm_mday = (int) d };
        time_t t = timegm(&tm);
        /* timegm normalises 2025-02-30 into March: refuse that */
        if (t == (time_t) -1 || tm.tm_mday != (int) d || tm.tm_mon != (int) m - 1)
                return -EINVAL;
        *ret_until_usec = ((uint64_t) t + 86400) * 1000000ull;
        return 0;
}

int waivers_new(Waivers **ret) {
        Waivers *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        int r = namemap_new(&w->by_device);
        if (r < 0) {
                free(w);
                return r;
        }
        *ret = w;
        return 0;
}

static void waiver_free(Waiver *w) {
        if (w) {
                waiver_done(w);
                free(w);
        }
}

Waivers *waivers_free(Waivers *w) {
        if (!w)
                return NULL;
        size_t cur = 0;
        void *v;
        while (namemap_next(w->by_device, &cur, NULL, &v))
                waiver_free(v);
        namemap_free(w->by_device);
        free(w);
        return NULL;
}

int waivers_set(Waivers *w, const char *device, uint64_t until_usec, const char *reason, bool from_config,
                uint64_t created_usec) {
        if (isempty(device))
                return -EINVAL;
        Waiver *n = calloc(1, sizeof *n);
        if (!n)
                return -ENOMEM;
        *n = (Waiver) { .device = strdup(device), .until_usec = until_usec, .reason = strdup(reason ? reason : ""),
                        .from_config = from_config, .created_usec = created_usec };
        void *old = NULL;
        int r = n->device && n->reason ? namemap_put(w->by_device, device, n, &old) : -ENOMEM;
        if (r < 0) {
                waiver_free(n);
                return r;
        }
        waiver_free(old);
        return 0;
}

int waivers_remove(Waivers *w, const char *device) {
        Waiver *o = namemap_remove(w->by_device, device);
        if (!o)
                return -ENOENT;
        waiver_free(o);
        return 0;
}

int waivers_apply_config(Waivers *w, const PolicyConfig *c) {
        /* collect first: the map must not change under iteration */
        size_t n = 0, cur = 0;
        const char *key;
        void *v;
        _cleanup_free_ char **drop = calloc(namemap_size(w->by_device) + 1, sizeof(char *));
        if (!drop)
                return -ENOMEM;
        while (namemap_next(w->by_device, &cur, &key, &v))
                if (((Waiver *) v)->from_config)
                        drop[n++] = ((Waiver *) v)->device;
        for (size_t i = 0; i < n; i++)
                waiver_free(namemap_remove(w->by_device, drop[i]));
        for (size_t i = 0; c && i < c->n_waivers; i++) {
                const Waiver *cw = &c->waivers[i];
                /* a waiver given at run time (persisted) wins over the file */
                if (waivers_get(w, cw->device))
                        continue;
                int r = waivers_set(w, cw->device, cw->until_usec, cw->reason, true, cw->created_usec);
                if (r < 0)
                        return r;
        }
        return 0;
}

const Waiver *waivers_get(const Waivers *w, const char *device) {
        return w && device ? namemap_get(w->by_device, device) : NULL;
}

size_t waivers_count(const Waivers *w) {
        return w ? namemap_size(w->by_device) : 0;
}

const Waiver *waivers_next(const Waivers *w, size_t *cursor) {
        void *v;
        return w && namemap_next(w->by_device, cursor, NULL, &v) ? v : NULL;
}

json_object *waiver_to_json(const Waiver *w, uint64_t now) {
        json_object *j = json_object_new_object();
        char buf[16];
        time_t t = (time_t) (w->until_usec / 1000000) - 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
        json_object_object_add(j, "device", json_object_new_string(w->device));
        json_object_object_add(j, "until", json_object_new_string(buf));
        json_object_object_add(j, "reason", json_object_new_string(w->reason));
        json_object_object_add(j, "origin", json_object_new_string(w->from_config ? "config" : "runtime"));
        json_object_object_add(j, "expired", json_object_new_boolean(now >= w->until_usec));
        return j;
}

/* --- evaluation ----------------------------------------------------------- */

void policy_state_done(PolicyState *s) {
        if (!s)
                return;
        free(s->rule);
        *s = (PolicyState) {};
}

bool policy_state_equal(const PolicyState *a, const PolicyState *b) {
        return a->violation == b->violation && a->waived == b->waived && a->severity == b->severity &&
               streq_ptr(a->rule, b->rule);
}

static bool strv_has(char *const *l, const char *s) {
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

/* In place, like role_evaluate: no allocation when nothing changed. */
static int state_set(PolicyState *ret, bool violation, bool waived, int severity, const char *rule) {
        if (ret->violation == violation && ret->waived == waived && ret->severity == severity &&
            streq_ptr(ret->rule, rule))
                return 0;
        char *r = rule ? strdup(rule) : NULL;
        if (rule && !r)
                return -ENOMEM;
        policy_state_done(ret);
        *ret = (PolicyState) { .violation = violation, .waived = waived, .severity = severity, .rule = r };
        return 1;
}

int policy_evaluate(const PolicyConfig *c, const Waivers *w, const Device *d, uint64_t now, PolicyState *ret) {
        if (!c || !d || !ret)
                return -EINVAL;

        const char *role = d->role.role;
        bool unknown = !role || streq(role, "unknown");
        if (unknown)
                role = c->unknown_as ? c->unknown_as : "unknown";
        const char *vendor = d->vendor.vendor, *maker = d->vendor.made_by;

        for (size_t i = 0; vendor && i < c->n_restricted; i++) {
                const Restriction *r = &c->restricted[i];
                bool brand = streq_ptr(vendor, r->vendor);
                bool made = r->made_by && streq_ptr(maker, r->vendor);
                if (!brand && !made)
                        continue;
                if (!strv_has(r->roles, role) || d->vendor.confidence < r->min_confidence)
                        continue;

                char rule[256];
                const char *tail = unknown ? " (role unknown)" : "";
                if (brand)
                        snprintf(rule, sizeof rule, "%s in %s%s", r->vendor, role, tail);
                else
                        snprintf(rule, sizeof rule, "%s (maker of %s) in %s%s", r->vendor, vendor, role, tail);
                const Waiver *wv = waivers_get(w, d->id);
                bool waived = wv && now < wv->until_usec;
                return state_set(ret, !waived, waived, r->severity, rule);
        }
        return state_set(ret, false, false, 0, NULL);
}
