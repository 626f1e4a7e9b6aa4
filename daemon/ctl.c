/* SPDX-License-Identifier: MIT */
/* vendorwatchctl: ask vendorwatchd questions over its control socket.
 *
 * Commands are a table: each names its options and how they map onto the
 * request (docs/protocol.md), so parsing, --help and validation are shared
 * and a handler only renders the reply. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <time.h>

#include "ctl.h"
#include "vw-config.h"

typedef enum OptType {
        OPT_FLAG,                 /* --x          -> "key": true */
        OPT_STRING,               /* --x VALUE    -> "key": "VALUE" */
        OPT_LIST,                 /* --x VALUE... -> "key": ["VALUE", ...] (repeatable) */
} OptType;

typedef struct CtlOption {
        const char *name;         /* long name, without "--" */
        const char *metavar;
        OptType type;
        const char *key;          /* request member, or a local setting when !send */
        bool send;                /* goes into the request */
        const char *const *choices;
        int (*validate)(const char *value);
        bool required;
        const char *help;
} CtlOption;

typedef struct CtlCommand {
        const char *name;
        const char *synopsis;     /* positional arguments */
        const char *summary;
        const char *arg_key;      /* request member for the positional argument */
        unsigned min_args, max_args;
        const CtlOption *options;
        bool need_option;         /* at least one option must be given */
        int (*run)(Ctl *c, const struct CtlCommand *cmd, json_object *req, json_object *local);
} CtlCommand;

static const char *const kinds[] = { "host", "network", NULL };
static const char *const states[] = { "present", "absent", "stale", NULL };
static const char *const topology_formats[] = { "dot", "json", NULL };
static const char *const report_formats[] = { "html", "json", NULL };

static int validate_date(const char *s) {
        struct tm tm = {};
        char back[16];
        const char *end = strptime(s, "%Y-%m-%d", &tm);

        if (!end || *end || strlen(s) != 10)
                return -EINVAL;
        /* reject 2024-02-31 and friends: normalise and compare */
        tm.tm_isdst = -1;
        tm.tm_hour = 12;
        if (mktime(&tm) == (time_t) -1)
                return -EINVAL;
        strftime(back, sizeof(back), "%Y-%m-%d", &tm);
        return streq(back, s) ? 0 : -EINVAL;
}

/* ---- rendering helpers ---- */

static const char *policy_text(json_object *d, const char **ret_color) {
        if (ctl_bool(d, "waived")) {
                *ret_color = ANSI_YELLOW;
                return "waived";
        }
        if (ctl_bool(d, "violation")) {
                *ret_color = ANSI_BOLD_RED;
                return "VIOLATION";
        }
        *ret_color = NULL;
        json_object *v;
        if (json_object_object_get_ex(d, "violation", &v) && json_object_is_type(v, json_type_boolean))
                return "ok";
        return NULL;
}

static bool restricted(json_object *d) {
        return ctl_bool(d, "violation") || ctl_bool(d, "restricted");
}

typedef struct StreamOut {
        Table *table;
        size_t count;
} StreamOut;

static int json_item(Ctl *c, json_object *item, void *userdata) {
        StreamOut *s = userdata;
        fputs(s->count++ ? ",\n" : "[\n", c->out);
        fputs(json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
              c->out);
        return 0;
}

static int json_raw_item(Ctl *c, const char *line, size_t len, void *userdata) {
        StreamOut *s = userdata;
        fputs(s->count++ ? ",\n" : "[\n", c->out);
        fwrite(line, 1, len, c->out);
        return 0;
}

/* --json for a stream: one JSON array, written item by item as the daemon
 * sent them (no re-parsing of what goes straight through). */
static int stream_json(Ctl *c, json_object *req) {
        StreamOut s = {};
        int r = ctl_stream_raw(c, req, json_item, json_raw_item, &s);
        if (r < 0) {
                if (s.count)
                        fputs("\n]\n", c->out);   /* keep what was written parseable */
                return r;
        }
        fputs(s.count ? "\n]\n" : "[]\n", c->out);
        return 0;
}

static int stream_table(Ctl *c, json_object *req, const TableColumn *cols, size_t n_cols,
                        ctl_item_fn row, const char *noun) {
        StreamOut s = { .table = table_new(c, cols, n_cols) };
        int r;

        if (!s.table)
                return -ENOMEM;
        r = ctl_stream(c, req, row, &s);
        if (r < 0 && s.count == 0) {
                table_discard(s.table);
                return r;
        }
        table_finish(s.table);
        if (r < 0)
                return r;
        fprintf(c->out, "\n%zu %s%s.\n", s.count, noun, s.count == 1 ? "" : "s");
        return 0;
}

/* One cell from a member, coloured when asked. */
static void cell(Table *t, json_object *o, const char *key, const char *color) {
        _cleanup_free_ char *v = ctl_field_text(o, key);
        table_cell(t, v, v ? color : NULL);
}

/* An RFC 3339 time as "YYYY-MM-DD HH:MM" (UTC as the daemon gives it). */
static void time_cell(Table *t, json_object *o, const char *key) {
        const char *v = ctl_str(o, key);
        char buf[17];

        if (v && strlen(v) >= 16 && v[10] == 'T' && v[4] == '-' && v[13] == ':') {
                memcpy(buf, v, 16);
                buf[10] = ' ';
                buf[16] = 0;
                table_cell(t, buf, NULL);
                return;
        }
        table_cell(t, v, NULL);
}

/* ---- commands ---- */

static int print_ok(Ctl *c, json_object *reply, const char *done) {
        if (c->json) {
                ctl_print_json(c, reply);
                return 0;
        }
        if (done)
                fprintf(c->out, "%s\n", done);
        ctl_print_object(c, reply, 0);
        return 0;
}

static int run_simple(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        return print_ok(c, reply, NULL);
}

static const char *const status_known[] = {
        "version", "ok", "daemon_version", "uptime_sec", "config", "devices", "alerts_open", "registries",
        "plugins", NULL,
};

static bool in_list(const char *const *l, const char *s) {
        for (; *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

/* "k=v, k={k=v, …}" of an object, for one status line. */
static void object_summary(FILE *f, json_object *o) {
        bool first = true;
        json_object_object_foreach(o, key, val) {
                fprintf(f, "%s%s=", first ? "" : ", ", key);
                first = false;
                if (json_object_is_type(val, json_type_object)) {
                        fputc('{', f);
                        object_summary(f, val);
                        fputc('}', f);
                        continue;
                }
                _cleanup_free_ char *t = ctl_value_text(val);
                fputs(t ?: "-", f);
        }
}

/* A nested status object: one line per member, cut to the width. */
static void print_status_object(Ctl *c, const char *label, json_object *o) {
        _cleanup_free_ char *l = ctl_sanitize(label, false);
        fprintf(c->out, "%*s:", 16, l ?: "");
        if (json_object_object_length(o) == 0)
                fputs(" -", c->out);
        fputc('\n', c->out);
        json_object_object_foreach(o, key, val) {
                char *buf = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&buf, &size);
                if (!f)
                        return;
                fprintf(f, "%s: ", key);
                if (json_object_is_type(val, json_type_object))
                        object_summary(f, val);
                else {
                        _cleanup_free_ char *t = ctl_value_text(val);
                        fputs(t ?: "-", f);
                }
                fclose(f);
                _cleanup_free_ char *safe = ctl_sanitize(buf, false);
                free(buf);
                _cleanup_free_ char *cut = ctl_truncate(safe ?: "", c->width > 20 ? c->width - 18 : 2);
                fprintf(c->out, "%*s  %s\n", 16, "", cut ?: "");
        }
}

static void print_uptime(Ctl *c, json_object *st) {
        int64_t s;
        char buf[64];

        if (!ctl_int(st, "uptime_sec", &s) || s < 0) {
                ctl_print_field(c, "Uptime", NULL, NULL);
                return;
        }
        if (s >= 86400)
                snprintf(buf, sizeof(buf), "%" PRIi64 "d %" PRIi64 "h %" PRIi64 "min", s / 86400, s / 3600 % 24,
                         s / 60 % 60);
        else if (s >= 3600)
                snprintf(buf, sizeof(buf), "%" PRIi64 "h %" PRIi64 "min", s / 3600, s / 60 % 60);
        else if (s >= 60)
                snprintf(buf, sizeof(buf), "%" PRIi64 "min %" PRIi64 "s", s / 60, s % 60);
        else
                snprintf(buf, sizeof(buf), "%" PRIi64 "s", s);
        ctl_print_field(c, "Uptime", buf, NULL);
}

static int run_status(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        static const TableColumn cols[] = {
                { "PLUGIN", 6, true }, { "STATE", 7, true }, { "FILE", 8, true }, { "STATUS", 10, true },
        };
        _cleanup_json_ json_object *st = NULL;
        json_object *plugins = NULL, *reg = NULL;
        int64_t open_alerts = 0;
        int r;

        r = ctl_call(c, req, &st);
        if (r < 0)
                return r;
        if (c->json) {
                ctl_print_json(c, st);
                return 0;
        }

        _cleanup_free_ char *dv = ctl_field_text(st, "daemon_version");
        _cleanup_free_ char *pv = ctl_field_text(st, "version");
        _cleanup_free_ char *daemon = NULL;
        if (asprintf(&daemon, "vendorwatchd %s (protocol %s)", dv ?: "?", pv ?: "?") < 0)
                return -ENOMEM;
        ctl_print_field(c, "Daemon", daemon, NULL);
        print_uptime(c, st);
        _cleanup_free_ char *conf = ctl_field_text(st, "config");
        ctl_print_field(c, "Config", conf, NULL);
        _cleanup_free_ char *devs = ctl_field_text(st, "devices");
        ctl_print_field(c, "Devices", devs, NULL);
        _cleanup_free_ char *alerts = ctl_field_text(st, "alerts_open");
        ctl_int(st, "alerts_open", &open_alerts);
        ctl_print_field(c, "Open alerts", alerts, open_alerts > 0 ? ANSI_BOLD_RED : NULL);

        if (json_object_object_get_ex(st, "registries", &reg) && reg &&
            !json_object_is_type(reg, json_type_null)) {
                if (json_object_is_type(reg, json_type_object))
                        print_status_object(c, "Registries", reg);
                else {
                        _cleanup_free_ char *t = ctl_value_text(reg);
                        ctl_print_field(c, "Registries", t, NULL);
                }
        }

        /* the rest (counters, paths…) as the daemon names them */
        json_object_object_foreach(st, key, val) {
                if (in_list(status_known, key))
                        continue;
                if (json_object_is_type(val, json_type_object)) {
                        print_status_object(c, key, val);
                        continue;
                }
                _cleanup_free_ char *t = ctl_value_text(val);
                ctl_print_field(c, key, t, NULL);
        }

        if (json_object_object_get_ex(st, "plugins", &plugins) && json_object_is_type(plugins, json_type_array)) {
                Table *t = table_new(c, cols, ELEMENTSOF(cols));
                fputc('\n', c->out);
                for (size_t i = 0; i < json_object_array_length(plugins); i++) {
                        json_object *p = json_object_array_get_idx(plugins, i);
                        const char *state = ctl_str(p, "state");
                        bool bad = state && !streq(state, "running") && !streq(state, "loaded") &&
                                !streq(state, "done");
                        cell(t, p, "name", NULL);
                        cell(t, p, "state", bad ? ANSI_RED : NULL);
                        cell(t, p, "file", NULL);
                        json_object *pst = NULL;
                        if (ctl_str(p, "error"))
                                cell(t, p, "error", ANSI_RED);
                        else if (json_object_object_get_ex(p, "status", &pst) &&
                                 json_object_is_type(pst, json_type_object)) {
                                char *buf = NULL;
                                size_t size = 0;
                                FILE *f = open_memstream(&buf, &size);
                                if (f) {
                                        object_summary(f, pst);
                                        fclose(f);
                                }
                                table_cell(t, buf, NULL);
                                free(buf);
                        } else
                                cell(t, p, "status", NULL);
                }
                table_finish(t);
        }
        return 0;
}

static int device_row(Ctl *c, json_object *d, void *userdata) {
        StreamOut *s = userdata;
        const char *pcolor, *policy = policy_text(d, &pcolor);
        const char *vendor_key = ctl_str(d, "vendor") ? "vendor" : "vendor_name";

        cell(s->table, d, "id", NULL);
        cell(s->table, d, "sys_name", NULL);
        cell(s->table, d, vendor_key, restricted(d) ? ANSI_RED : NULL);
        cell(s->table, d, "role", NULL);
        cell(s->table, d, "segment", NULL);
        cell(s->table, d, "state", streq_ptr(ctl_str(d, "state"), "present") ? NULL : ANSI_YELLOW);
        table_cell(s->table, policy, pcolor);
        s->count++;
        return 0;
}

static int run_devices(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        /* the ID is what `device ID` takes: it gives up room last */
        static const TableColumn cols[] = {
                { "ID", 17, true },    { "NAME", 6, true },    { "VENDOR", 6, true }, { "ROLE", 4, true },
                { "SEGMENT", 7, true }, { "STATE", 5, true }, { "POLICY", 6, true },
        };
        if (c->json)
                return stream_json(c, req);
        return stream_table(c, req, cols, ELEMENTSOF(cols), device_row, "device");
}

static const char *const device_known[] = {
        "id", "kind", "sys_name", "chassis_id", "sys_descr", "sys_object_id", "vendor", "vendor_name",
        "made_by", "confidence", "conflict", "role", "segment", "role_rule", "violation", "waived",
        "state", "first_seen", "last_seen", "macs", "addresses", "sources", "evidence", "observations",
        NULL,
};


static void print_evidence(Ctl *c, json_object *list, const char *title) {
        static const TableColumn cols[] = {
                { "SOURCE", 6, true }, { "VALUE", 12, true }, { "VENDOR", 6, true },
                { "WEIGHT", 6, false }, { "NOTE", 8, true },
        };
        if (!list || !json_object_is_type(list, json_type_array))
                return;
        fprintf(c->out, "\n%s:\n", title);
        if (json_object_array_length(list) == 0) {
                fprintf(c->out, "  (none)\n");
                return;
        }
        Table *t = table_new(c, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *e = json_object_array_get_idx(list, i);
                cell(t, e, "source", NULL);
                cell(t, e, "value", NULL);
                cell(t, e, "vendor", NULL);
                cell(t, e, "weight", NULL);
                cell(t, e, "note", NULL);
        }
        table_finish(t);
}

static void print_observations(Ctl *c, json_object *list) {
        if (!list || !json_object_is_type(list, json_type_array))
                return;
        fprintf(c->out, "\nObservations:\n");
        if (json_object_array_length(list) == 0)
                fprintf(c->out, "  (none)\n");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *o = json_object_array_get_idx(list, i);
                _cleanup_free_ char *src = ctl_field_text(o, "source");
                _cleanup_free_ char *when = ctl_field_text(o, "time");
                if (!when)
                        when = ctl_field_text(o, "last_seen");
                _cleanup_free_ char *s1 = ctl_sanitize(src ?: "?", false);
                _cleanup_free_ char *s2 = ctl_sanitize(when ?: "", false);
                if (c->color)
                        fprintf(c->out, "  %s%s%s %s\n", ANSI_BOLD, s1 ?: "", ANSI_RESET, s2 ?: "");
                else
                        fprintf(c->out, "  %s %s\n", s1 ?: "", s2 ?: "");
                if (!json_object_is_type(o, json_type_object))
                        continue;
                json_object_object_foreach(o, key, v) {
                        if (streq(key, "source") || streq(key, "time"))
                                continue;
                        _cleanup_free_ char *t = ctl_value_text(v);
                        if (!t)
                                continue;
                        _cleanup_free_ char *k = ctl_sanitize(key, false);
                        _cleanup_free_ char *s = ctl_sanitize(t, false);
                        fprintf(c->out, "    %s: %s\n", k ?: "", s ?: "");
                }
        }
}

static void print_device(Ctl *c, json_object *d) {
        static const struct {
                const char *label, *key;
        } fields[] = {
                { "ID", "id" },                 { "Kind", "kind" },             { "Name", "sys_name" },
                { "Chassis ID", "chassis_id" }, { "Description", "sys_descr" }, { "Object ID", "sys_object_id" },
                { "Vendor", "vendor" },         { "Vendor name", "vendor_name" }, { "Made by", "made_by" },
                { "Confidence", "confidence" }, { "Conflict", "conflict" },     { "Role", "role" },
                { "Segment", "segment" },       { "Role rule", "role_rule" },   { "State", "state" },
                { "First seen", "first_seen" }, { "Last seen", "last_seen" },   { "MACs", "macs" },
                { "Addresses", "addresses" },   { "Sources", "sources" },
        };
        const char *pcolor, *policy;
        json_object *v;

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                _cleanup_free_ char *t = ctl_field_text(d, fields[i].key);
                const char *color = NULL;
                if ((streq(fields[i].key, "vendor") || streq(fields[i].key, "vendor_name")) && restricted(d))
                        color = ANSI_RED;
                if (streq(fields[i].key, "conflict") && ctl_bool(d, "conflict"))
                        color = ANSI_YELLOW;
                ctl_print_field(c, fields[i].label, t, color);
                if (streq(fields[i].key, "role_rule")) {
                        policy = policy_text(d, &pcolor);
                        ctl_print_field(c, "Policy", policy, pcolor);
                }
        }
        /* whatever else the daemon sends, so `device ID` really shows all */
        json_object_object_foreach(d, key, val) {
                if (in_list(device_known, key))
                        continue;
                _cleanup_free_ char *t = ctl_value_text(val);
                ctl_print_field(c, key, t, NULL);
        }
        if (json_object_object_get_ex(d, "evidence", &v))
                print_evidence(c, v, "Vendor evidence");
        if (json_object_object_get_ex(d, "observations", &v))
                print_observations(c, v);
}

/* Ask the daemon; with --json print its reply as it is and return 0.
 * Otherwise return 1 with the reply and its object `member` (or the reply
 * itself) for a table. */
static int call_for_people(Ctl *c, json_object *req, const char *member, json_object **ret_reply,
                           json_object **ret_member) {
        json_object *reply = NULL, *m;
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        if (c->json) {
                ctl_print_json(c, reply);
                json_object_put(reply);
                return 0;
        }
        if (!json_object_object_get_ex(reply, member, &m) || !json_object_is_type(m, json_type_object))
                m = reply;
        *ret_reply = reply;
        *ret_member = m;
        return 1;
}

static int run_device(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        json_object *d;
        int r = call_for_people(c, req, "device", &reply, &d);
        if (r <= 0)
                return r;
        print_device(c, d);
        return 0;
}

static int run_identify(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        json_object *v, *ev = NULL;
        int r = call_for_people(c, req, "verdict", &reply, &v);
        if (r <= 0)
                return r;
        json_object_object_foreach(v, key, val) {
                if (streq(key, "evidence")) {
                        ev = val;
                        continue;
                }
                if (v == reply && (streq(key, "version") || streq(key, "ok")))
                        continue;
                static const struct {
                        const char *key, *label;
                } labels[] = {
                        { "vendor", "Vendor" },         { "vendor_name", "Vendor name" },
                        { "made_by", "Made by" },       { "confidence", "Confidence" },
                        { "conflict", "Conflict" },     { "restricted", "Restricted" },
                };
                const char *label = key;
                for (size_t i = 0; i < ELEMENTSOF(labels); i++)
                        if (streq(labels[i].key, key))
                                label = labels[i].label;
                _cleanup_free_ char *t = ctl_value_text(val);
                bool red = (streq(key, "vendor") || streq(key, "vendor_name")) &&
                        (ctl_bool(v, "restricted") || ctl_bool(v, "violation"));
                ctl_print_field(c, label, t, red ? ANSI_RED : NULL);
        }
        print_evidence(c, ev, "Evidence");
        return 0;
}

static int alert_row(Ctl *c, json_object *a, void *userdata) {
        StreamOut *s = userdata;
        bool raised = streq_ptr(ctl_str(a, "state"), "raised");

        cell(s->table, a, "id", NULL);
        cell(s->table, a, "device", NULL);
        cell(s->table, a, "vendor", raised ? ANSI_RED : NULL);
        cell(s->table, a, "role", NULL);
        cell(s->table, a, "segment", NULL);
        cell(s->table, a, "severity", NULL);
        cell(s->table, a, "state", raised ? ANSI_BOLD_RED : NULL);
        time_cell(s->table, a, raised ? "raised_at" : "cleared_at");
        s->count++;
        return 0;
}

static int run_alerts(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        static const TableColumn cols[] = {
                { "ID", 4, true },      { "DEVICE", 10, true },  { "VENDOR", 6, true }, { "ROLE", 4, true },
                { "SEGMENT", 7, true }, { "SEVERITY", 4, true }, { "STATE", 5, true }, { "SINCE", 10, true },
        };
        if (c->json)
                return stream_json(c, req);
        return stream_table(c, req, cols, ELEMENTSOF(cols), alert_row, "alert");
}

static int segment_row(Ctl *c, json_object *g, void *userdata) {
        StreamOut *s = userdata;
        json_object *devs;

        cell(s->table, g, "name", NULL);
        cell(s->table, g, "role", NULL);
        cell(s->table, g, "prefixes", NULL);
        cell(s->table, g, "vlans", NULL);
        cell(s->table, g, "interfaces", NULL);
        if (json_object_object_get_ex(g, "devices", &devs) && json_object_is_type(devs, json_type_array)) {
                char n[32];
                snprintf(n, sizeof(n), "%zu", json_object_array_length(devs));
                table_cell(s->table, n, NULL);
        } else
                cell(s->table, g, "devices", NULL);
        s->count++;
        return 0;
}

static int run_segments(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        static const TableColumn cols[] = {
                { "SEGMENT", 7, true },  { "ROLE", 4, true },       { "PREFIXES", 8, true },
                { "VLANS", 5, true },    { "INTERFACES", 6, true }, { "DEVICES", 7, false },
        };
        if (c->json)
                return stream_json(c, req);
        return stream_table(c, req, cols, ELEMENTSOF(cols), segment_row, "segment");
}

static int run_forget(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ char *msg = NULL, *id = ctl_sanitize(ctl_str(req, "id"), false);
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        if (asprintf(&msg, "Forgot %s.", id ?: "") < 0)
                return -ENOMEM;
        return print_ok(c, reply, msg);
}

static int run_reload(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        return print_ok(c, reply, "Configuration reloaded.");
}

static int run_waive(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ char *msg = NULL, *id = ctl_sanitize(ctl_str(req, "id"), false);
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        if (asprintf(&msg, "Waived %s until %s.", id ?: "", ctl_str(req, "until") ?: "?") < 0)
                return -ENOMEM;
        return print_ok(c, reply, msg);
}

static int run_sync(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        int64_t n;
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        if (c->json) {
                ctl_print_json(c, reply);
                return 0;
        }
        if (!ctl_int(reply, "committed", &n)) {
                fprintf(stderr, "vendorwatchctl: the sync reply carries no change number\n");
                c->exit_status = CTL_EXIT_ERROR;
                return -EBADMSG;
        }
        fprintf(c->out, "%" PRIi64 "\n", n);
        return 0;
}

static int run_topology(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        _cleanup_json_ json_object *reply = NULL;
        const char *format = c->json ? "json" : ctl_str(local, "format") ?: "dot";
        int r = ctl_call(c, req, &reply);
        if (r < 0)
                return r;
        return ctl_render_topology(c, reply, format);
}

static int run_report(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        return ctl_report(c, c->json ? "json" : ctl_str(local, "format") ?: "html");
}

static int run_help(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local);

static const CtlOption devices_options[] = {
        { "kind", "KIND", OPT_STRING, "kind", true, kinds, NULL, false, "only hosts or network devices" },
        { "vendor", "SLUG", OPT_STRING, "vendor", true, NULL, NULL, false, "only this vendor (e.g. huawei)" },
        { "role", "ROLE", OPT_STRING, "role", true, NULL, NULL, false, "only this role (core, edge, unknown)" },
        { "restricted", NULL, OPT_FLAG, "restricted", true, NULL, NULL, false, "only restricted vendors" },
        { "state", "STATE", OPT_STRING, "state", true, states, NULL, false, "only present, absent or stale devices" },
        {},
};
static const CtlOption identify_options[] = {
        { "mac", "MAC", OPT_LIST, "macs", true, NULL, NULL, false, "a MAC address (repeatable)" },
        { "sys-descr", "TEXT", OPT_STRING, "sys_descr", true, NULL, NULL, false, "the system description" },
        { "sys-object-id", "OID", OPT_STRING, "sys_object_id", true, NULL, NULL, false, "the sysObjectID" },
        { "entity-mfg", "TEXT", OPT_STRING, "entity_mfg", true, NULL, NULL, false, "ENTITY-MIB manufacturer" },
        { "entity-model", "TEXT", OPT_STRING, "entity_model", true, NULL, NULL, false, "ENTITY-MIB model" },
        {},
};
static const CtlOption alerts_options[] = {
        { "all", NULL, OPT_FLAG, "all", true, NULL, NULL, false, "include cleared alerts" },
        {},
};
static const CtlOption waive_options[] = {
        { "until", "YYYY-MM-DD", OPT_STRING, "until", true, NULL, validate_date, true, "last day of the waiver" },
        { "reason", "TEXT", OPT_STRING, "reason", true, NULL, NULL, true, "why (kept in the audit trail)" },
        {},
};
static const CtlOption topology_options[] = {
        { "format", "FORMAT", OPT_STRING, "format", false, topology_formats, NULL, false, "dot (default) or json" },
        {},
};
static const CtlOption report_options[] = {
        { "format", "FORMAT", OPT_STRING, "format", false, report_formats, NULL, false, "html (default) or json" },
        {},
};
static const CtlOption no_options[] = { {} };

static const CtlCommand commands[] = {
        { "status", "", "daemon version, uptime, plugins, counts", NULL, 0, 0, no_options, false, run_status },
        { "devices", "", "list devices", NULL, 0, 0, devices_options, false, run_devices },
        { "device", "ID", "everything about one device, with its vendor evidence", "id", 1, 1, no_options,
          false, run_device },
        { "forget", "ID", "drop a device from the inventory (admin)", "id", 1, 1, no_options, false, run_forget },
        { "reload", "", "reload the configuration (admin)", NULL, 0, 0, no_options, false, run_reload },
        { "identify", "", "which vendor would these identifiers point to?", NULL, 0, 0, identify_options, true,
          run_identify },
        { "alerts", "", "open alerts (with --all, cleared ones too)", NULL, 0, 0, alerts_options, false,
          run_alerts },
        { "segments", "", "configured segments and their roles", NULL, 0, 0, no_options, false, run_segments },
        { "rescan", "[TARGET]", "poll SNMP targets now (admin)", "target", 0, 1, no_options, false, run_simple },
        { "waive", "ID", "accept a violation until a date (admin)", "id", 1, 1, waive_options, false, run_waive },
        { "sync", "", "flush the store; print the committed change number", NULL, 0, 0, no_options, false,
          run_sync },
        { "topology", "", "the discovered network as Graphviz dot or JSON", NULL, 0, 0, topology_options, false,
          run_topology },
        { "report", "", "a compliance report as one HTML file or JSON", NULL, 0, 0, report_options, false,
          run_report },
        { "help", "[COMMAND]", "show this help, or a command's", NULL, 0, 1, no_options, false, run_help },
};

static const CtlCommand *find_command(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

static void global_help(FILE *f) {
        fprintf(f,
                "Usage: vendorwatchctl [OPTIONS] COMMAND [ARGS]\n"
                "\n"
                "Query and steer vendorwatchd, the network-equipment vendor auditor.\n"
                "\n"
                "Options:\n"
                "  -s, --socket PATH   control socket (default $VENDORWATCH_SOCKET or %s)\n"
                "  -j, --json          print the daemon's JSON instead of tables\n"
                "      --no-color      never colour the output\n"
                "  -h, --help          show this help\n"
                "      --version       show the version\n"
                "\n"
                "Commands:\n",
                VW_SOCKET_PATH);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                char head[40];
                snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].synopsis);
                fprintf(f, "  %-18s  %s\n", head, commands[i].summary);
        }
        fprintf(f,
                "\n'vendorwatchctl COMMAND --help' describes a command's options.\n"
                "Exit status: 0 ok, 1 the daemon answered with an error, 2 usage error,\n"
                "3 the daemon could not be reached.\n");
}

static void command_help(FILE *f, const CtlCommand *cmd) {
        fprintf(f, "Usage: vendorwatchctl [OPTIONS] %s%s%s%s\n\n%c%s.\n", cmd->name,
                *cmd->synopsis ? " " : "", cmd->synopsis, cmd->options[0].name ? " [COMMAND OPTIONS]" : "",
                cmd->summary[0] >= 'a' && cmd->summary[0] <= 'z' ? cmd->summary[0] - 'a' + 'A' : cmd->summary[0],
                cmd->summary + 1);
        if (cmd->options[0].name)
                fprintf(f, "\nCommand options:\n");
        for (const CtlOption *o = cmd->options; o->name; o++) {
                char head[48];
                snprintf(head, sizeof(head), "--%s%s%s", o->name, o->metavar ? " " : "", o->metavar ?: "");
                fprintf(f, "  %-26s  %s%s%s\n", head, o->help, o->required ? " (required)" : "",
                        o->type == OPT_LIST ? " (repeatable)" : "");
                if (o->choices) {
                        fprintf(f, "  %-26s  one of:", "");
                        for (const char *const *ch = o->choices; *ch; ch++)
                                fprintf(f, " %s", *ch);
                        fputc('\n', f);
                }
        }
        fprintf(f, "\nGlobal options (--socket, --json, --no-color) may also follow the command.\n");
}

static int run_help(Ctl *c, const CtlCommand *cmd, json_object *req, json_object *local) {
        const char *topic = ctl_str(local, "topic");
        if (topic) {
                const CtlCommand *t = find_command(topic);
                if (!t) {
                        fprintf(stderr, "vendorwatchctl: unknown command '%s'\n", topic);
                        c->exit_status = CTL_EXIT_USAGE;
                        return -EINVAL;
                }
                command_help(c->out, t);
                return 0;
        }
        global_help(c->out);
        return 0;
}

/* ---- argument parsing ---- */

static int usage_error(Ctl *c, const char *cmd, const char *fmt, ...) _printf_(3, 4);
static int usage_error(Ctl *c, const char *cmd, const char *fmt, ...) {
        va_list ap;
        fputs("vendorwatchctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'vendorwatchctl %s%s--help'.\n", cmd ?: "", cmd ? " " : "");
        c->exit_status = CTL_EXIT_USAGE;
        return -EINVAL;
}

/* Global options, accepted before and after the command.  Returns 1 when
 * `name` is one (consuming its value), 0 when not, <0 on error. */
static int global_option(Ctl *c, const char *name, const char *value, bool *ret_used_value) {
        *ret_used_value = false;
        if (streq(name, "json") || streq(name, "j")) {
                c->json = true;
                return 1;
        }
        if (streq(name, "no-color")) {
                c->color = false;
                return 1;
        }
        if (streq(name, "socket") || streq(name, "s")) {
                if (!value)
                        return -EINVAL;
                c->socket = value;
                *ret_used_value = true;
                return 1;
        }
        return 0;
}

static const CtlOption *find_option(const CtlCommand *cmd, const char *name) {
        for (const CtlOption *o = cmd->options; o->name; o++)
                if (streq(o->name, name))
                        return o;
        return NULL;
}

static int set_option(Ctl *c, const CtlCommand *cmd, const CtlOption *o, const char *value, json_object *req,
                      json_object *local) {
        json_object *target = o->send ? req : local, *list;

        if (o->type == OPT_FLAG) {
                json_object_object_add(target, o->key, json_object_new_boolean(true));
                return 0;
        }
        if (o->choices) {
                const char *const *ch;
                for (ch = o->choices; *ch; ch++)
                        if (streq(*ch, value))
                                break;
                if (!*ch)
                        return usage_error(c, cmd->name, "--%s: '%s' is not one of the choices", o->name, value);
        }
        if (isempty(value))
                return usage_error(c, cmd->name, "--%s needs a non-empty value", o->name);
        if (o->validate && o->validate(value) < 0)
                return usage_error(c, cmd->name, "--%s: '%s' is not a valid %s", o->name, value,
                                   o->metavar ?: "value");
        if (o->type == OPT_LIST) {
                if (!json_object_object_get_ex(target, o->key, &list)) {
                        list = json_object_new_array();
                        json_object_object_add(target, o->key, list);
                }
                json_object_array_add(list, json_object_new_string(value));
                return 0;
        }
        if (json_object_object_get_ex(target, o->key, NULL))
                return usage_error(c, cmd->name, "--%s given twice", o->name);
        json_object_object_add(target, o->key, json_object_new_string(value));
        return 0;
}

/* Parse a command's arguments into the request (and local settings).
 * Returns 1 when --help was shown. */
static int parse_command(Ctl *c, const CtlCommand *cmd, int argc, char **argv, json_object *req,
                         json_object *local) {
        unsigned n_args = 0;
        bool options_done = false, any_option = false;
        int r;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (!options_done && streq(a, "--")) {
                        options_done = true;
                        continue;
                }
                if (options_done || a[0] != '-' || a[1] == 0) {
                        if (n_args >= cmd->max_args)
                                return usage_error(c, cmd->name, "%s: unexpected argument '%s'", cmd->name, a);
                        if (cmd->arg_key)
                                json_object_object_add(req, cmd->arg_key, json_object_new_string(a));
                        else
                                json_object_object_add(local, "topic", json_object_new_string(a));
                        n_args++;
                        continue;
                }
                if (streq(a, "-h") || streq(a, "--help")) {
                        command_help(c->out, cmd);
                        return 1;
                }

                /* --name, --name=value, --name value; -j and -s PATH for the globals */
                _cleanup_free_ char *name = NULL;
                const char *value = NULL, *eq;
                bool inline_value = false, used;
                if (a[1] == '-') {
                        eq = strchr(a + 2, '=');
                        name = eq ? strndup(a + 2, (size_t) (eq - a - 2)) : strdup(a + 2);
                        if (eq) {
                                value = eq + 1;
                                inline_value = true;
                        }
                } else if (a[2] == 0)
                        name = strdup(a + 1);
                else
                        return usage_error(c, cmd->name, "%s: unknown option '%s'", cmd->name, a);
                if (!name)
                        return -ENOMEM;
                if (!value && i + 1 < argc)
                        value = argv[i + 1];

                const CtlOption *o = a[1] == '-' ? find_option(cmd, name) : NULL;
                if (o) {
                        if (o->type == OPT_FLAG) {
                                if (inline_value)
                                        return usage_error(c, cmd->name, "--%s takes no value", o->name);
                        } else {
                                if (!value)
                                        return usage_error(c, cmd->name, "--%s needs a value", o->name);
                                if (!inline_value)
                                        i++;
                        }
                        r = set_option(c, cmd, o, value, req, local);
                        if (r < 0)
                                return r;
                        any_option = true;
                        continue;
                }
                r = global_option(c, name, value, &used);
                if (r < 0)
                        return usage_error(c, cmd->name, "%s needs a value", a);
                if (r == 0)
                        return usage_error(c, cmd->name, "%s: unknown option '%s'", cmd->name, a);
                if (used && !inline_value)
                        i++;
        }

        if (n_args < cmd->min_args)
                return usage_error(c, cmd->name, "%s: missing %s", cmd->name, cmd->synopsis);
        for (const CtlOption *o = cmd->options; o->name; o++)
                if (o->required && !json_object_object_get_ex(o->send ? req : local, o->key, NULL))
                        return usage_error(c, cmd->name, "%s: --%s is required", cmd->name, o->name);
        if (cmd->need_option && !any_option)
                return usage_error(c, cmd->name, "%s: give at least one option", cmd->name);
        return 0;
}

static unsigned terminal_width(void) {
        struct winsize ws = {};
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
                return ws.ws_col;
        return 80;
}

static bool want_color(void) {
        const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
        if (nc && *nc)
                return false;
        if (term && streq(term, "dumb"))
                return false;
        return isatty(STDOUT_FILENO);
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "no-color", no_argument, NULL, 'C' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        Ctl c = {
                .socket = getenv("VENDORWATCH_SOCKET") ?: VW_SOCKET_PATH,
                .out = stdout,
                .tty = isatty(STDOUT_FILENO),
                .color = want_color(),
                .width = isatty(STDOUT_FILENO) ? terminal_width() : 80,
        };
        _cleanup_json_ json_object *req = NULL, *local = NULL;
        const CtlCommand *cmd;
        int opt, r;

        if (isempty(c.socket))
                c.socket = VW_SOCKET_PATH;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+s:jh", options, NULL)) >= 0) {
                switch (opt) {
                case 's':
                        c.socket = optarg;
                        break;
                case 'j':
                        c.json = true;
                        break;
                case 'C':
                        c.color = false;
                        break;
                case 'h':
                        global_help(stdout);
                        return CTL_EXIT_OK;
                case 'V':
                        printf("vendorwatchctl %s\n", VW_VERSION);
                        return CTL_EXIT_OK;
                default:
                        usage_error(&c, NULL, optopt == 's' ? "--socket needs a path" : "unknown option '%s'",
                                    argv[optind - 1]);
                        return CTL_EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                usage_error(&c, NULL, "no command given");
                return CTL_EXIT_USAGE;
        }
        cmd = find_command(argv[optind]);
        if (!cmd) {
                usage_error(&c, NULL, "unknown command '%s'", argv[optind]);
                return CTL_EXIT_USAGE;
        }

        req = ctl_request(cmd->name);
        local = json_object_new_object();
        if (!req || !local) {
                fprintf(stderr, "vendorwatchctl: out of memory\n");
                return CTL_EXIT_ERROR;
        }
        r = parse_command(&c, cmd, argc - optind, argv + optind, req, local);
        if (r < 0)
                return c.exit_status ?: CTL_EXIT_USAGE;
        if (r > 0)
                return CTL_EXIT_OK;
        if (c.socket[0] == 0) {
                usage_error(&c, cmd->name, "--socket needs a path");
                return CTL_EXIT_USAGE;
        }

        r = cmd->run(&c, cmd, req, local);
        if (fflush(c.out) != 0 || ferror(c.out)) {
                if (r >= 0)
                        fprintf(stderr, "vendorwatchctl: cannot write output: %s\n", strerror(errno));
                r = r < 0 ? r : -EIO;
        }
        ctl_conn_free(c.conn);
        free(c.error);
        if (r < 0)
                return c.exit_status ?: CTL_EXIT_ERROR;
        return CTL_EXIT_OK;
}
