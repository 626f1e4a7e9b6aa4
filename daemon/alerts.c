/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "alerts.h"
#include "namemap.h"

/* Cleared alerts kept in memory for `alerts --all` (the store keeps all). */
#define ALERTS_KEEP_CLEARED 10000

struct sink {
        AlertSinkFn fn;
        void *userdata;
};

struct AlertManager {
        AlertsConfig config;
        AlertTransport transport;       /* resolved: never AUTO */
        bool syslog_open;

        Alert **all;                    /* oldest first */
        size_t n_all, n_alloc, n_cleared;
        NameMap *open;                   /* key -> Alert* */
        uint64_t next_id;

        struct sink *sinks;
        size_t n_sinks;
        struct sink persist;
        AlertEmitFn emit;
        void *emit_userdata;

        /* rate limit: a token bucket over lines */
        double tokens;
        uint64_t tokens_usec;
        unsigned held_raised, held_cleared, held_other;
        uint64_t last_summary_usec;

        uint64_t n_lines, n_held, n_summaries;
};

static const char *const transport_names[_ALERT_TRANSPORT_MAX] = {
        [ALERT_TRANSPORT_AUTO] = "auto",
        [ALERT_TRANSPORT_JOURNAL] = "journal",
        [ALERT_TRANSPORT_SYSLOG] = "syslog",
        [ALERT_TRANSPORT_NONE] = "none",
};

static const char *const kind_names[_ALERT_KIND_MAX] = {
        [ALERT_VIOLATION] = "violation",
        [ALERT_SOURCE_LOST] = "source-lost",
};

static const struct {
        const char *name;
        int facility;
} facilities[] = {
        { "kern", LOG_KERN },     { "user", LOG_USER },     { "mail", LOG_MAIL },     { "daemon", LOG_DAEMON },
        { "auth", LOG_AUTH },     { "syslog", LOG_SYSLOG }, { "lpr", LOG_LPR },       { "news", LOG_NEWS },
        { "uucp", LOG_UUCP },     { "cron", LOG_CRON },     { "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
        { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
        { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const char *const level_names[] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };

static const char *level_name(int l) {
        return l >= 0 && (size_t) l < ELEMENTSOF(level_names) ? level_names[l] : "crit";
}

const char *alert_transport_to_string(AlertTransport t) {
        return t >= 0 && t < _ALERT_TRANSPORT_MAX ? transport_names[t] : NULL;
}

int alert_transport_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(transport_names); i++)
                if (streq(s, transport_names[i]))
                        return (int) i;
        return -EINVAL;
}

const char *alert_kind_to_string(AlertKind k) {
        return k >= 0 && k < _ALERT_KIND_MAX ? kind_names[k] : NULL;
}

int syslog_facility_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(facilities); i++)
                if (streq(s, facilities[i].name))
                        return facilities[i].facility;
        return -EINVAL;
}

static const char *facility_name(int f) {
        for (size_t i = 0; i < ELEMENTSOF(facilities); i++)
                if (facilities[i].facility == f)
                        return facilities[i].name;
        return "daemon";
}

Alert *alert_free(Alert *a) {
        if (!a)
                return NULL;
        free(a->key);
        free(a->subject);
        free(a->vendor);
        free(a->role);
        free(a->segment);
        free(a->mgmt);
        free(a->chassis);
        free(a->attached);
        free(a->rule);
        free(a->clear_reason);
        free(a);
        return NULL;
}

/* --- the line ------------------------------------------------------------- */

/* key=value, quoted when the value has spaces, quotes or '=', with control
 * characters escaped: device data is untrusted and must not split a line. */
static void put_kv(FILE *f, const char *key, const char *v) {
        if (isempty(v))
                v = "-";
        bool quote = false;
        for (const char *p = v; *p; p++)
                if (isspace((unsigned char) *p) || *p == '"' || *p == '=' || *p == '\\' ||
                    (unsigned char) *p < 0x20 || *p == 0x7f)
                        quote = true;
        fprintf(f, " %s=", key);
        if (!quote) {
                fputs(v, f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

char *alert_format_line(const Alert *a, const char *event) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        if (!f)
                return NULL;
        fprintf(f, "vendorwatch alert=%s", event);
        put_kv(f, "severity", level_name(a->severity));
        if (a->kind == ALERT_SOURCE_LOST) {
                put_kv(f, "kind", "source-lost");
                put_kv(f, "source", a->subject);
                put_kv(f, "what", a->rule);
        } else {
                char conf[16];
                snprintf(conf, sizeof conf, "%.2f", a->confidence);
                put_kv(f, "device", a->subject);
                put_kv(f, "vendor", a->vendor);
                put_kv(f, "confidence", conf);
                put_kv(f, "role", a->role);
                put_kv(f, "segment", a->segment);
                put_kv(f, "mgmt", a->mgmt);
                put_kv(f, "chassis", a->chassis);
                put_kv(f, "attached", a->attached);
                put_kv(f, "rule", a->rule);
        }
        if (streq(event, "cleared"))
                put_kv(f, "reason", a->clear_reason);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* --- JSON ----------------------------------------------------------------- */

static void add_str(json_object *j, const char *k, const char *v) {
        json_object_object_add(j, k, v ? json_object_new_string(v) : NULL);
}

static void add_time(json_object *j, const char *k, uint64_t usec) {
        char buf[32];
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;
        if (usec == 0 || !gmtime_r(&t, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
                json_object_object_add(j, k, NULL);
                return;
        }
        json_object_object_add(j, k, json_object_new_string(buf));
}

json_object *alert_to_json(const Alert *a) {
        json_object *j = json_object_new_object();
        if (!j)
                return NULL;
        json_object_object_add(j, "id", json_object_new_int64((int64_t) a->id));
        add_str(j, "kind", kind_names[a->kind]);
        add_str(j, "key", a->key);
        add_str(j, a->kind == ALERT_SOURCE_LOST ? "source" : "device", a->subject);
        add_str(j, "state", a->open ? "raised" : "cleared");
        add_str(j, "severity", level_name(a->severity));
        add_str(j, "vendor", a->vendor);
        json_object_object_add(j, "confidence", json_object_new_double(a->confidence));
        add_str(j, "role", a->role);
        add_str(j, "segment", a->segment);
        add_str(j, "mgmt", a->mgmt);
        add_str(j, "chassis", a->chassis);
        add_str(j, "attached", a->attached);
        add_str(j, "rule", a->rule);
        json_object_object_add(j, "raised_usec", json_object_new_int64((int64_t) a->raised_usec));
        json_object_object_add(j, "cleared_usec", json_object_new_int64((int64_t) a->cleared_usec));
        json_object_object_add(j, "notified_usec", json_object_new_int64((int64_t) a->notified_usec));
        add_str(j, "clear_reason", a->clear_reason);
        add_time(j, "raised_at", a->raised_usec);
        add_time(j, "cleared_at", a->open ? 0 : a->cleared_usec);
        return j;
}

static int get_str(json_object *j, const char *k, char **ret) {
        json_object *v;
        *ret = NULL;
        if (!json_object_object_get_ex(j, k, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        return (*ret = strdup(json_object_get_string(v))) ? 0 : -ENOMEM;
}

static uint64_t get_u64(json_object *j, const char *k) {
        json_object *v;
        return json_object_object_get_ex(j, k, &v) ? (uint64_t) json_object_get_int64(v) : 0;
}

int alert_from_json(json_object *j, Alert **ret) {
        if (!json_object_is_type(j, json_type_object))
                return -EBADMSG;
        _cleanup_(alert_freep) Alert *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        _cleanup_free_ char *kind = NULL, *state = NULL, *sev = NULL;
        json_object *v;
        int r = 0;
        r = r ?: get_str(j, "kind", &kind);
        r = r ?: get_str(j, "key", &a->key);
        r = r ?: get_str(j, "device", &a->subject);
        if (!r && !a->subject)
                r = get_str(j, "source", &a->subject);
        r = r ?: get_str(j, "state", &state);
        r = r ?: get_str(j, "severity", &sev);
        r = r ?: get_str(j, "vendor", &a->vendor);
        r = r ?: get_str(j, "role", &a->role);
        r = r ?: get_str(j, "segment", &a->segment);
        r = r ?: get_str(j, "mgmt", &a->mgmt);
        r = r ?: get_str(j, "chassis", &a->chassis);
        r = r ?: get_str(j, "attached", &a->attached);
        r = r ?: get_str(j, "rule", &a->rule);
        r = r ?: get_str(j, "clear_reason", &a->clear_reason);
        if (r < 0)
                return r;
        if (!a->key || !a->subject || !kind || !state)
                return -EBADMSG;
        a->kind = streq(kind, "source-lost") ? ALERT_SOURCE_LOST : ALERT_VIOLATION;
        a->open = streq(state, "raised");
        a->severity = LOG_CRIT;
        for (size_t i = 0; sev && i < ELEMENTSOF(level_names); i++)
                if (streq(sev, level_names[i]))
                        a->severity = (int) i;
        a->id = get_u64(j, "id");
        a->raised_usec = get_u64(j, "raised_usec");
        a->cleared_usec = get_u64(j, "cleared_usec");
        a->notified_usec = get_u64(j, "notified_usec");
        if (json_object_object_get_ex(j, "confidence", &v))
                a->confidence = json_object_get_double(v);
        *ret = TAKE_PTR(a);
        return 0;
}

/* --- transport ------------------------------------------------------------ */

static AlertTransport resolve_transport(AlertTransport t) {
        if (t != ALERT_TRANSPORT_AUTO)
                return t;
        /* under journald: our stderr goes to the journal, or its socket exists */
        struct stat st;
        if (getenv("JOURNAL_STREAM") || stat("/run/systemd/journal/socket", &st) == 0)
                return ALERT_TRANSPORT_JOURNAL;
        return ALERT_TRANSPORT_SYSLOG;
}

static const char *ident(const AlertManager *am) {
        return am->config.ident ? am->config.ident : "vendorwatchd";
}

static void emit_journal(AlertManager *am, const Alert *a, const char *event, int priority, const char *line) {
        const char *mid = streq(event, "cleared") ? ALERT_MESSAGE_ID_CLEARED
                          : streq(event, "summary") ? ALERT_MESSAGE_ID_SUMMARY
                                                    : ALERT_MESSAGE_ID_RAISED;
        if (!a) {
                sd_journal_send("MESSAGE=%s", line, "MESSAGE_ID=%s", mid, "PRIORITY=%d", priority,
                                "SYSLOG_FACILITY=%d", am->config.facility >> 3, "SYSLOG_IDENTIFIER=%s", ident(am),
                                "VENDORWATCH_EVENT=%s", event, NULL);
                return;
        }
        char conf[16];
        snprintf(conf, sizeof conf, "%.2f", a->confidence);
#define F(x) ((x) ? (x) : "")
        sd_journal_send("MESSAGE=%s", line, "MESSAGE_ID=%s", mid, "PRIORITY=%d", priority,
                        "SYSLOG_FACILITY=%d", am->config.facility >> 3, "SYSLOG_IDENTIFIER=%s", ident(am),
                        "VENDORWATCH_EVENT=%s", event, "VENDORWATCH_KIND=%s", kind_names[a->kind],
                        "VENDORWATCH_ALERT_ID=%" PRIu64, a->id,
                        "VENDORWATCH_DEVICE=%s", F(a->subject), "VENDORWATCH_VENDOR=%s", F(a->vendor),
                        "VENDORWATCH_CONFIDENCE=%s", conf, "VENDORWATCH_ROLE=%s", F(a->role),
                        "VENDORWATCH_SEGMENT=%s", F(a->segment), "VENDORWATCH_MGMT=%s", F(a->mgmt),
                        "VENDORWATCH_CHASSIS=%s", F(a->chassis), "VENDORWATCH_ATTACHED=%s", F(a->attached),
                        "VENDORWATCH_RULE=%s", F(a->rule), "VENDORWATCH_SEVERITY=%s", level_name(a->severity),
                        NULL);
#undef F
}

static void emit_line(AlertManager *am, const Alert *a, const char *event, int priority, const char *line) {
        am->n_lines++;
        if (am->emit) {
                am->emit(am->emit_userdata, a, event, priority, line);
                return;
        }
        switch (am->transport) {
        case ALERT_TRANSPORT_JOURNAL:
                emit_journal(am, a, event, priority, line);
                break;
        case ALERT_TRANSPORT_SYSLOG:
                if (!am->syslog_open) {
                        /* openlog keeps the ident pointer: it lives in am->config */
                        openlog(ident(am), LOG_PID | LOG_NDELAY, am->config.facility);
                        am->syslog_open = true;
                }
                syslog(LOG_MAKEPRI(am->config.facility, priority), "%s", line);
                break;
        default:
                break;
        }
}

/* --- manager -------------------------------------------------------------- */

static int config_copy(const AlertsConfig *src, AlertsConfig *dst) {
        AlertsConfig c = *src;
        if (src->ident && !(c.ident = strdup(src->ident)))
                return -ENOMEM;
        *dst = c;
        return 0;
}

int alert_manager_new(const AlertsConfig *c, AlertManager **ret) {
        _cleanup_(alert_manager_freep) AlertManager *am = calloc(1, sizeof *am);
        if (!am)
                return -ENOMEM;
        am->next_id = 1;
        int r = namemap_new(&am->open);
        if (r < 0)
                return r;
        AlertsConfig def;
        ALERTS_CONFIG_DEFAULTS(def);
        r = alert_manager_set_config(am, c ? c : &def);
        if (r < 0)
                return r;
        am->tokens = am->config.burst;
        *ret = TAKE_PTR(am);
        return 0;
}

AlertManager *alert_manager_free(AlertManager *am) {
        if (!am)
                return NULL;
        for (size_t i = 0; i < am->n_all; i++)
                alert_free(am->all[i]);
        free(am->all);
        namemap_free(am->open);
        free(am->sinks);
        if (am->syslog_open)
                closelog();
        free(am->config.ident);
        free(am);
        return NULL;
}

int alert_manager_set_config(AlertManager *am, const AlertsConfig *c) {
        AlertsConfig n;
        int r = config_copy(c, &n);
        if (r < 0)
                return r;
        if (am->syslog_open) {
                closelog();     /* ident or facility may have changed */
                am->syslog_open = false;
        }
        free(am->config.ident);
        am->config = n;
        am->transport = resolve_transport(n.transport);
        if (am->tokens > n.burst)
                am->tokens = n.burst;
        return 0;
}

const char *alert_manager_transport(const AlertManager *am) {
        return am->emit ? "custom" : transport_names[am->transport];
}

int alerts_add_sink(AlertManager *am, AlertSinkFn fn, void *userdata) {
        struct sink *n = realloc(am->sinks, (am->n_sinks + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        am->sinks = n;
        n[am->n_sinks++] = (struct sink) { fn, userdata };
        return 0;
}

void alerts_set_persist(AlertManager *am, AlertSinkFn fn, void *userdata) {
        am->persist = (struct sink) { fn, userdata };
}

void alerts_set_emitter(AlertManager *am, AlertEmitFn fn, void *userdata) {
        am->emit = fn;
        am->emit_userdata = userdata;
}

/* Drop the oldest cleared alerts from memory (they stay in the store). */
static void trim_cleared(AlertManager *am) {
        if (am->n_cleared <= ALERTS_KEEP_CLEARED)
                return;
        size_t drop = am->n_cleared - ALERTS_KEEP_CLEARED * 3 / 4, k = 0;
        for (size_t i = 0; i < am->n_all; i++) {
                Alert *a = am->all[i];
                if (drop > 0 && !a->open) {
                        alert_free(a);
                        drop--;
                        am->n_cleared--;
                } else
                        am->all[k++] = a;
        }
        am->n_all = k;
}

static int remember(AlertManager *am, Alert *a) {
        if (am->n_all == am->n_alloc) {
                size_t n = am->n_alloc ? am->n_alloc * 2 : 64;
                Alert **l = realloc(am->all, n * sizeof *l);
                if (!l)
                        return -ENOMEM;
                am->all = l;
                am->n_alloc = n;
        }
        if (a->open) {
                Alert *old = NULL;
                int r = namemap_put(am->open, a->key, a, (void **) &old);
                if (r < 0)
                        return r;
                if (old) {      /* two open alerts for one key in the store: keep the newer */
                        old->open = false;
                        am->n_cleared++;
                }
        } else
                am->n_cleared++;
        am->all[am->n_all++] = a;
        if (a->id >= am->next_id)
                am->next_id = a->id + 1;
        trim_cleared(am);
        return 0;
}

int alerts_restore(AlertManager *am, Alert *a) {
        if (!a || !a->key)
                return -EINVAL;
        return remember(am, a);
}

static bool take_token(AlertManager *am, uint64_t now) {
        if (am->config.rate_limit_per_sec == 0)
                return true;    /* 0 = unlimited */
        if (now > am->tokens_usec) {
                am->tokens += (double) (now - am->tokens_usec) / 1e6 * am->config.rate_limit_per_sec;
                if (am->tokens > am->config.burst)
                        am->tokens = am->config.burst;
        }
        am->tokens_usec = now;
        if (am->tokens < 1.0)
                return false;
        am->tokens -= 1.0;
        return true;
}

/* One transition: persist, sinks, then the line (rate-limited). */
static void transition(AlertManager *am, Alert *a, const char *event, uint64_t now) {
        json_object *j = alert_to_json(a);
        if (j)
                json_object_object_add(j, "event", json_object_new_string(event));
        const char *text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "{}";
        if (am->persist.fn)
                am->persist.fn(am->persist.userdata, a, event, text);
        for (size_t i = 0; i < am->n_sinks; i++)
                am->sinks[i].fn(am->sinks[i].userdata, a, event, text);
        json_object_put(j);

        if (!take_token(am, now)) {
                am->n_held++;
                if (streq(event, "raised"))
                        am->held_raised++;
                else if (streq(event, "cleared"))
                        am->held_cleared++;
                else
                        am->held_other++;
                return;
        }
        _cleanup_free_ char *line = alert_format_line(a, event);
        if (line)
                emit_line(am, a, event, streq(event, "cleared") ? LOG_NOTICE : a->severity, line);
}

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static const char *first_address(const Device *d) {
        for (size_t i = 0; i < d->n_obs; i++) {
                size_t n;
                const char *first = packed_obs_items(d->obs[i], OBS_ADDRESSES, &n);
                if (first)
                        return first;
        }
        return NULL;
}

/* Where to walk to: the switch and port that reported the device (forwarding
 * tables) before the capture interface that heard it, with the VLAN it was
 * seen on: "sw-1:Gi1/0/3 vlan 100", "capture:eth1 vlan 100". */
static char *attached(const Device *d) {
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < d->n_obs; i++) {
                        const PackedObs *o = d->obs[i];
                        const char *device = PACKED_OBS_GET(o, via.device), *port = PACKED_OBS_GET(o, via.port),
                                   *interface = PACKED_OBS_GET(o, via.interface);
                        char vlan[24] = "";
                        char *s = NULL;
                        if (o->vlan > 0)
                                snprintf(vlan, sizeof vlan, " vlan %d", (int) o->vlan);
                        if (pass == 0 && device &&
                            asprintf(&s, "%s%s%s%s", device, port ? ":" : "", port ? port : "", vlan) >= 0)
                                return s;
                        if (pass == 1 && interface && asprintf(&s, "capture:%s%s", interface, vlan) >= 0)
                                return s;
                }
        return NULL;
}

static const char *chassis(const Device *d) {
        for (size_t i = 0; i < d->n_obs; i++) {
                const char *c = PACKED_OBS_GET(d->obs[i], chassis_id);
                if (c)
                        return c;
        }
        return NULL;
}

static bool same_as_device(const Alert *a, const Device *d, const char *att) {
        return streq_ptr(a->vendor, d->vendor.vendor) && streq_ptr(a->role, d->role.role) &&
               streq_ptr(a->segment, d->role.segment) && streq_ptr(a->mgmt, first_address(d)) &&
               streq_ptr(a->chassis, chassis(d)) && streq_ptr(a->attached, att) &&
               streq_ptr(a->rule, d->policy.rule) && a->confidence == d->vendor.confidence &&
               a->severity == d->policy.severity;
}

/* Refresh the descriptive fields of an alert from the device. */
static int fill_from_device(Alert *a, const Device *d) {
        _cleanup_free_ char *att = attached(d);
        if (same_as_device(a, d, att))
                return 0;       /* the common case: the same device seen again */
        Alert n = *a;
        n.vendor = dup_or_null(d->vendor.vendor);
        n.role = dup_or_null(d->role.role);
        n.segment = dup_or_null(d->role.segment);
        n.mgmt = dup_or_null(first_address(d));
        n.chassis = dup_or_null(chassis(d));
        n.attached = TAKE_PTR(att);
        n.rule = dup_or_null(d->policy.rule);
        n.confidence = d->vendor.confidence;
        n.severity = d->policy.severity;
        if ((d->vendor.vendor && !n.vendor) || (d->role.role && !n.role) || (d->policy.rule && !n.rule)) {
                free(n.vendor), free(n.role), free(n.segment), free(n.mgmt), free(n.chassis), free(n.attached),
                        free(n.rule);
                return -ENOMEM;
        }
        free(a->vendor), free(a->role), free(a->segment), free(a->mgmt), free(a->chassis), free(a->attached),
                free(a->rule);
        *a = n;
        return 0;
}

static int raise_alert(AlertManager *am, AlertKind kind, const char *key, const char *subject, uint64_t now,
                       Alert **ret) {
        _cleanup_(alert_freep) Alert *a = calloc(1, sizeof *a);
        if (!a)
                return -ENOMEM;
        a->kind = kind;
        a->key = strdup(key);
        a->subject = strdup(subject);
        if (!a->key || !a->subject)
                return -ENOMEM;
        a->id = am->next_id;
        a->open = true;
        a->raised_usec = a->notified_usec = now;
        *ret = TAKE_PTR(a);
        return 0;
}

static int clear_alert(AlertManager *am, Alert *a, const char *reason, uint64_t now) {
        char *r = strdup(reason);
        if (!r)
                return -ENOMEM;
        free(a->clear_reason);
        a->clear_reason = r;
        a->open = false;
        a->cleared_usec = now;
        namemap_remove(am->open, a->key);
        am->n_cleared++;
        transition(am, a, "cleared", now);
        trim_cleared(am);
        return 1;
}

static const char *clear_reason(const Alert *a, const Device *d) {
        if (d->policy.waived)
                return "waived";
        if (!streq_ptr(a->vendor, d->vendor.vendor))
                return "re-classified";
        if (!streq_ptr(a->role, d->role.role) || !streq_ptr(a->segment, d->role.segment))
                return "re-segmented";
        return "policy changed";
}

int alerts_device_update(AlertManager *am, const Device *d, uint64_t now) {
        if (!d || !d->id)
                return -EINVAL;
        /* every device change passes here: the key on the stack */
        char key[8 + 512];
        size_t idlen = strlen(d->id);
        if (idlen >= sizeof key - 8)
                return -E2BIG;
        memcpy(key, "device:", 7);
        memcpy(key + 7, d->id, idlen + 1);
        Alert *a = namemap_get(am->open, key);

        if (d->policy.violation) {
                if (a)  /* still open: keep its fields current, say nothing */
                        return fill_from_device(a, d) < 0 ? -ENOMEM : 0;
                Alert *n;
                int r = raise_alert(am, ALERT_VIOLATION, key, d->id, now, &n);
                if (r < 0)
                        return r;
                if ((r = fill_from_device(n, d)) < 0 || (r = remember(am, n)) < 0) {
                        alert_free(n);
                        return r;
                }
                transition(am, n, "raised", now);
                return 1;
        }
        if (!a)
                return 0;
        return clear_alert(am, a, clear_reason(a, d), now);
}

int alerts_device_gone(AlertManager *am, const char *device_id, const char *reason, uint64_t now) {
        _cleanup_free_ char *key = NULL;
        if (!device_id || asprintf(&key, "device:%s", device_id) < 0)
                return -ENOMEM;
        Alert *a = namemap_get(am->open, key);
        return a ? clear_alert(am, a, reason ? reason : "gone", now) : 0;
}

int alerts_source_lost(AlertManager *am, const char *source, const char *what, uint64_t now) {
        _cleanup_free_ char *key = NULL;
        if (!source || asprintf(&key, "source:%s", source) < 0)
                return -ENOMEM;
        if (namemap_get(am->open, key))
                return 0;
        Alert *a;
        int r = raise_alert(am, ALERT_SOURCE_LOST, key, source, now, &a);
        if (r < 0)
                return r;
        a->severity = am->config.source_lost_severity;
        a->rule = strdup(what ? what : "source went blind");
        if (!a->rule || (r = remember(am, a)) < 0) {
                alert_free(a);
                return r < 0 ? r : -ENOMEM;
        }
        transition(am, a, "raised", now);
        return 1;
}

int alerts_source_back(AlertManager *am, const char *source, uint64_t now) {
        _cleanup_free_ char *key = NULL;
        if (!source || asprintf(&key, "source:%s", source) < 0)
                return -ENOMEM;
        Alert *a = namemap_get(am->open, key);
        return a ? clear_alert(am, a, "source back", now) : 0;
}

void alerts_tick(AlertManager *am, uint64_t now) {
        unsigned held = am->held_raised + am->held_cleared + am->held_other;
        if (held > 0 && now >= am->last_summary_usec + 1000000) {
                char *line = NULL;
                if (asprintf(&line,
                             "vendorwatch alert=summary severity=warning raised=%u cleared=%u other=%u open=%zu "
                             "note=\"%u lines held back by the rate limit; vendorwatchctl alerts lists all\"",
                             am->held_raised, am->held_cleared, am->held_other, namemap_size(am->open), held) >= 0) {
                        emit_line(am, NULL, "summary", LOG_WARNING, line);
                        free(line);
                }
                am->n_summaries++;
                am->held_raised = am->held_cleared = am->held_other = 0;
                am->last_summary_usec = now;
        }
        if (am->config.reminder_usec == 0)
                return;
        for (size_t i = 0; i < am->n_all; i++) {
                Alert *a = am->all[i];
                if (a->open && now >= a->notified_usec + am->config.reminder_usec) {
                        a->notified_usec = now;
                        transition(am, a, "reminder", now);
                }
        }
}

size_t alerts_n_open(const AlertManager *am) {
        return namemap_size(am->open);
}

const Alert *alerts_get_open(const AlertManager *am, const char *key) {
        return namemap_get(am->open, key);
}

const Alert *alerts_next(const AlertManager *am, bool all, size_t *cursor) {
        for (; *cursor < am->n_all; (*cursor)++) {
                const Alert *a = am->all[*cursor];
                if (all || a->open) {
                        (*cursor)++;
                        return a;
                }
        }
        return NULL;
}

json_object *alerts_status(const AlertManager *am) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "transport", json_object_new_string(alert_manager_transport(am)));
        json_object_object_add(j, "facility", json_object_new_string(facility_name(am->config.facility)));
        json_object_object_add(j, "open", json_object_new_int64((int64_t) namemap_size(am->open)));
        json_object_object_add(j, "lines", json_object_new_int64((int64_t) am->n_lines));
        json_object_object_add(j, "held_back", json_object_new_int64((int64_t) am->n_held));
        json_object_object_add(j, "summaries", json_object_new_int64((int64_t) am->n_summaries));
        return j;
}
