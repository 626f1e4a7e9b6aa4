/* SPDX-License-Identifier: MIT */
/* `topology` as Graphviz dot and `report` as one self-contained HTML file.
 * Every value comes from the network (through the daemon), so each one is
 * escaped for the language it lands in. */

#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include "ctl.h"

char *ctl_now_rfc3339(char buf[static 32]) {
        struct tm tm;
        time_t now = time(NULL);
        gmtime_r(&now, &tm);
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return buf;
}

static json_object *member(json_object *o, const char *key, json_type type) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

/* ---- topology ---- */

/* Inside a dot double-quoted string only '"' and '\\' are special. */
static void dot_escaped(FILE *f, const char *s) {
        _cleanup_free_ char *safe = ctl_sanitize(s ?: "", false);
        for (const char *p = safe ?: ""; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fputc('\\', f);
                fputc(*p, f);
        }
}

static void dot_quote(FILE *f, const char *s) {
        fputc('"', f);
        dot_escaped(f, s);
        fputc('"', f);
}

static void dot_node(Ctl *c, json_object *n) {
        const char *id = ctl_str(n, "id"), *name = ctl_str(n, "name");
        const char *vendor = ctl_str(n, "vendor_name") ?: ctl_str(n, "vendor");
        bool bad = ctl_bool(n, "restricted") || ctl_bool(n, "violation");
        FILE *f = c->out;

        fputs("\t\t", f);
        dot_quote(f, id);
        /* the label joins the escaped values with dot's own "\n" */
        fputs(" [label=\"", f);
        dot_escaped(f, isempty(name) ? id : name);
        fputs("\\n", f);
        dot_escaped(f, vendor ?: "unknown vendor");
        if (bad)
                fputs("\\nRESTRICTED", f);
        fputs("\", tooltip=", f);
        dot_quote(f, id);
        if (bad)
                fputs(", color=red, fontcolor=red, style=\"rounded,bold,filled\", fillcolor=\"#ffe5e5\", "
                      "penwidth=2.5",
                      f);
        fputs("];\n", f);
}

static int topology_dot(Ctl *c, json_object *t) {
        static const struct {
                const char *role, *cluster, *label, *style;
        } groups[] = {
                { "core", "cluster_core", "core", "color=\"#4a6fa5\", style=rounded" },
                { "edge", "cluster_edge", "edge", "color=\"#5b8c5a\", style=rounded" },
                { NULL, "cluster_unknown", "role unknown", "color=\"#999999\", style=\"rounded,dashed\"" },
        };
        json_object *nodes = member(t, "nodes", json_type_array);
        json_object *links = member(t, "links", json_type_array);
        _cleanup_json_ json_object *seen = json_object_new_object();
        char now[32];
        FILE *f = c->out;

        if (!seen)
                return -ENOMEM;
        fprintf(f,
                "graph vendorwatch {\n"
                "\tgraph [label=\"vendorwatch topology, %s\", labelloc=t, fontname=\"Helvetica\", rankdir=LR];\n"
                "\tnode [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
                "\tedge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n",
                ctl_now_rfc3339(now));

        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                bool opened = false;
                for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
                        json_object *n = json_object_array_get_idx(nodes, i);
                        const char *role = ctl_str(n, "role");
                        bool known = streq_ptr(role, "core") || streq_ptr(role, "edge");
                        if (!ctl_str(n, "id"))
                                continue;
                        if (groups[g].role ? !streq_ptr(role, groups[g].role) : known)
                                continue;
                        if (!opened) {
                                fprintf(f, "\n\tsubgraph %s {\n\t\tgraph [label=\"%s\", %s];\n", groups[g].cluster,
                                        groups[g].label, groups[g].style);
                                opened = true;
                        }
                        dot_node(c, n);
                }
                if (opened)
                        fputs("\t}\n", f);
        }

        if (links && json_object_array_length(links) > 0)
                fputc('\n', f);
        for (size_t i = 0; links && i < json_object_array_length(links); i++) {
                json_object *l = json_object_array_get_idx(links, i);
                const char *a = ctl_str(l, "local"), *pa = ctl_str(l, "local_port");
                const char *b = ctl_str(l, "remote"), *pb = ctl_str(l, "remote_port");
                _cleanup_free_ char *key = NULL;

                if (!a || !b)
                        continue;
                /* LLDP sees each cable from both ends: draw it once */
                int cmp = strcmp(a, b) ?: strcmp(pa ?: "", pb ?: "");
                if (asprintf(&key, "%s\x1f%s\x1f%s\x1f%s", cmp <= 0 ? a : b, cmp <= 0 ? (pa ?: "") : (pb ?: ""),
                             cmp <= 0 ? b : a, cmp <= 0 ? (pb ?: "") : (pa ?: "")) < 0)
                        return -ENOMEM;
                if (json_object_object_get_ex(seen, key, NULL))
                        continue;
                json_object_object_add(seen, key, NULL);

                fputc('\t', f);
                dot_quote(f, a);
                fputs(" -- ", f);
                dot_quote(f, b);
                if (pa || pb) {
                        fputs(" [", f);
                        if (pa) {
                                fputs("taillabel=", f);
                                dot_quote(f, pa);
                        }
                        if (pb) {
                                fputs(pa ? ", headlabel=" : "headlabel=", f);
                                dot_quote(f, pb);
                        }
                        fputc(']', f);
                }
                fputs(";\n", f);
        }
        fputs("}\n", f);
        return 0;
}

int ctl_render_topology(Ctl *c, json_object *t, const char *format) {
        if (streq(format, "json")) {
                ctl_print_json(c, t);
                return 0;
        }
        return topology_dot(c, t);
}

/* ---- report ---- */

typedef struct Report {
        json_object *status;
        json_object *by_vendor;       /* slug -> count */
        json_object *by_role;         /* role -> count */
        json_object *by_vendor_role;  /* slug -> { role -> count } */
        json_object *vendor_names;    /* slug -> display name */
        json_object *violations;      /* device objects (detail when available) */
        json_object *waivers;         /* device objects */
        json_object *alerts;          /* open alerts */
        char *alerts_error;           /* why there are none to show, when the daemon refused */
        size_t n_devices;
} Report;

static void report_done(Report *r) {
        json_object_put(r->status);
        json_object_put(r->by_vendor);
        json_object_put(r->by_role);
        json_object_put(r->by_vendor_role);
        json_object_put(r->vendor_names);
        json_object_put(r->violations);
        json_object_put(r->waivers);
        json_object_put(r->alerts);
        free(r->alerts_error);
}

static void count(json_object *map, const char *key) {
        json_object *v;
        if (json_object_object_get_ex(map, key, &v))
                json_object_int_inc(v, 1);
        else
                json_object_object_add(map, key, json_object_new_int64(1));
}

static int report_device(Ctl *c, json_object *d, void *userdata) {
        Report *r = userdata;
        const char *vendor = ctl_str(d, "vendor") ?: "unknown";
        const char *role = ctl_str(d, "role") ?: "unknown";
        const char *name = ctl_str(d, "vendor_name");
        json_object *vr;

        r->n_devices++;
        count(r->by_vendor, vendor);
        count(r->by_role, role);
        if (!json_object_object_get_ex(r->by_vendor_role, vendor, &vr)) {
                vr = json_object_new_object();
                json_object_object_add(r->by_vendor_role, vendor, vr);
        }
        count(vr, role);
        if (name && !json_object_object_get_ex(r->vendor_names, vendor, NULL))
                json_object_object_add(r->vendor_names, vendor, json_object_new_string(name));

        /* only the devices the report lists in full are kept */
        if (ctl_bool(d, "waived"))
                json_object_array_add(r->waivers, json_object_get(d));
        else if (ctl_bool(d, "violation"))
                json_object_array_add(r->violations, json_object_get(d));
        return 0;
}

static int report_alert(Ctl *c, json_object *a, void *userdata) {
        Report *r = userdata;
        json_object_array_add(r->alerts, json_object_get(a));
        return 0;
}

/* Replace each listed device by its detail (with the evidence).  A device
 * forgotten in between keeps its summary. */
static int report_details(Ctl *c, json_object *list) {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *d = json_object_array_get_idx(list, i), *reply = NULL, *detail;
                const char *id = ctl_str(d, "id");
                _cleanup_json_ json_object *req = ctl_request("device");
                int r;

                if (!id || !req)
                        continue;
                json_object_object_add(req, "id", json_object_new_string(id));
                c->quiet = true;
                r = ctl_call(c, req, &reply);
                c->quiet = false;
                if (r == -EREMOTE) {
                        c->exit_status = 0;
                        continue;
                }
                if (r < 0)
                        return r;
                if (json_object_object_get_ex(reply, "device", &detail) &&
                    json_object_is_type(detail, json_type_object))
                        json_object_array_put_idx(list, i, json_object_get(detail));
                json_object_put(reply);
        }
        return 0;
}

static int report_collect(Ctl *c, Report *r) {
        _cleanup_json_ json_object *st = ctl_request("status");
        _cleanup_json_ json_object *devs = ctl_request("devices");
        _cleanup_json_ json_object *alerts = ctl_request("alerts");
        int k;

        *r = (Report) {
                .by_vendor = json_object_new_object(),
                .by_role = json_object_new_object(),
                .by_vendor_role = json_object_new_object(),
                .vendor_names = json_object_new_object(),
                .violations = json_object_new_array(),
                .waivers = json_object_new_array(),
                .alerts = json_object_new_array(),
        };
        if (!st || !devs || !alerts || !r->by_vendor || !r->by_role || !r->by_vendor_role || !r->vendor_names ||
            !r->violations || !r->waivers || !r->alerts)
                return -ENOMEM;

        k = ctl_call(c, st, &r->status);
        if (k < 0)
                return k;
        k = ctl_stream(c, devs, report_device, r);
        if (k < 0)
                return k;
        /* a daemon without alert support still gets a report, which says so */
        c->quiet = true;
        k = ctl_stream(c, alerts, report_alert, r);
        c->quiet = false;
        if (k == -EREMOTE) {
                r->alerts_error = TAKE_PTR(c->error);
                c->exit_status = 0;
        } else if (k < 0)
                return k;
        k = report_details(c, r->violations);
        if (k < 0)
                return k;
        return report_details(c, r->waivers);
}

/* The waiver of a device, wherever the daemon put it. */
static void waiver_of(json_object *d, const char **ret_until, const char **ret_reason) {
        json_object *w = member(d, "waiver", json_type_object) ?: member(d, "waived", json_type_object);
        *ret_until = ctl_str(w, "until") ?: ctl_str(d, "waived_until") ?: ctl_str(d, "waiver_until");
        *ret_reason = ctl_str(w, "reason") ?: ctl_str(d, "waiver_reason") ?: ctl_str(d, "waived_reason");
}

static json_object *alert_for(Report *r, const char *device) {
        for (size_t i = 0; device && i < json_object_array_length(r->alerts); i++) {
                json_object *a = json_object_array_get_idx(r->alerts, i);
                if (streq_ptr(ctl_str(a, "device"), device))
                        return a;
        }
        return NULL;
}

static void html(FILE *f, const char *s) {
        _cleanup_free_ char *safe = ctl_sanitize(s ?: "", true);
        for (const char *p = safe ?: ""; *p; p++)
                switch (*p) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\'': fputs("&#39;", f); break;
                default: fputc(*p, f);
                }
}

/* <td>value</td> from a member, "—" when missing. */
static void html_td(FILE *f, json_object *o, const char *key, const char *cls) {
        _cleanup_free_ char *t = ctl_field_text(o, key);
        fprintf(f, "<td%s%s%s>", cls ? " class=\"" : "", cls ?: "", cls ? "\"" : "");
        if (t)
                html(f, t);
        else
                fputs("—", f);
        fputs("</td>", f);
}

static void html_evidence(FILE *f, json_object *d) {
        json_object *ev = member(d, "evidence", json_type_array);
        if (!ev || json_object_array_length(ev) == 0) {
                fputs("<td class=\"muted\">no evidence recorded</td>", f);
                return;
        }
        fputs("<td><ul class=\"evidence\">", f);
        for (size_t i = 0; i < json_object_array_length(ev); i++) {
                json_object *e = json_object_array_get_idx(ev, i);
                _cleanup_free_ char *src = ctl_field_text(e, "source"), *val = ctl_field_text(e, "value");
                _cleanup_free_ char *ven = ctl_field_text(e, "vendor"), *w = ctl_field_text(e, "weight");
                _cleanup_free_ char *note = ctl_field_text(e, "note");
                fputs("<li><b>", f);
                html(f, src ?: "?");
                fputs("</b> <code>", f);
                html(f, val ?: "");
                fputs("</code> → ", f);
                html(f, ven ?: "?");
                if (w) {
                        fputs(" <span class=\"muted\">(weight ", f);
                        html(f, w);
                        fputs(")</span>", f);
                }
                if (note) {
                        fputs(" <i>", f);
                        html(f, note);
                        fputs("</i>", f);
                }
                fputs("</li>", f);
        }
        fputs("</ul></td>", f);
}

static const char report_css[] =
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#222;max-width:80em}"
        "h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}"
        "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.3em .6em;"
        "text-align:left;vertical-align:top}th{background:#f0f0f0}td.num{text-align:right}"
        ".meta,.muted{color:#666}.restricted,.violation{color:#b00000;font-weight:bold}"
        "tr.violation td{background:#fff0f0}.expired{color:#b00000}ul.evidence{margin:0;padding-left:1.2em}"
        "code{font-size:90%}.summary td{font-size:120%}";

static int compare_counts(const void *a, const void *b) {
        json_object *const *x = a, *const *y = b;
        int64_t cx = json_object_get_int64(json_object_array_get_idx(*x, 1));
        int64_t cy = json_object_get_int64(json_object_array_get_idx(*y, 1));
        if (cx != cy)
                return cx > cy ? -1 : 1;
        return strcmp(json_object_get_string(json_object_array_get_idx(*x, 0)),
                      json_object_get_string(json_object_array_get_idx(*y, 0)));
}

static void html_counts(Ctl *c, Report *r) {
        FILE *f = c->out;
        _cleanup_json_ json_object *roles = json_object_new_array(), *rows = json_object_new_array();

        if (!roles || !rows)
                return;
        /* core and edge first, the rest as they came */
        if (json_object_object_get_ex(r->by_role, "core", NULL))
                json_object_array_add(roles, json_object_new_string("core"));
        if (json_object_object_get_ex(r->by_role, "edge", NULL))
                json_object_array_add(roles, json_object_new_string("edge"));
        json_object_object_foreach(r->by_role, role, rn) {
                (void) rn;
                if (!streq(role, "core") && !streq(role, "edge"))
                        json_object_array_add(roles, json_object_new_string(role));
        }
        json_object_object_foreach(r->by_vendor, vendor, n) {
                json_object *row = json_object_new_array();
                json_object_array_add(row, json_object_new_string(vendor));
                json_object_array_add(row, json_object_get(n));
                json_object_array_add(rows, row);
        }
        json_object_array_sort(rows, compare_counts);

        fputs("<table id=\"counts\"><thead><tr><th>Vendor</th>", f);
        for (size_t i = 0; i < json_object_array_length(roles); i++) {
                fputs("<th>", f);
                html(f, json_object_get_string(json_object_array_get_idx(roles, i)));
                fputs("</th>", f);
        }
        fputs("<th>Total</th></tr></thead><tbody>\n", f);
        for (size_t i = 0; i < json_object_array_length(rows); i++) {
                json_object *row = json_object_array_get_idx(rows, i), *vr = NULL;
                const char *slug = json_object_get_string(json_object_array_get_idx(row, 0));
                const char *name = ctl_str(r->vendor_names, slug);
                json_object_object_get_ex(r->by_vendor_role, slug, &vr);
                fputs("<tr><td>", f);
                html(f, name ?: slug);
                if (name && !streq(name, slug)) {
                        fputs(" <span class=\"muted\">(", f);
                        html(f, slug);
                        fputs(")</span>", f);
                }
                fputs("</td>", f);
                for (size_t k = 0; k < json_object_array_length(roles); k++) {
                        int64_t cnt = 0;
                        ctl_int(vr, json_object_get_string(json_object_array_get_idx(roles, k)), &cnt);
                        fprintf(f, "<td class=\"num\">%" PRIi64 "</td>", cnt);
                }
                fprintf(f, "<td class=\"num\">%" PRIi64 "</td></tr>\n",
                        json_object_get_int64(json_object_array_get_idx(row, 1)));
        }
        fputs("</tbody></table>\n", f);
}

static void report_html(Ctl *c, Report *r, const char *generated) {
        FILE *f = c->out;
        char today[11];
        int64_t open_alerts = (int64_t) json_object_array_length(r->alerts);
        size_t nv = json_object_array_length(r->violations), nw = json_object_array_length(r->waivers);

        ctl_int(r->status, "alerts_open", &open_alerts);
        memcpy(today, generated, 10);
        today[10] = 0;

        fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>vendorwatch compliance report %s</title>\n<style>%s</style>\n</head>\n<body>\n",
                generated, report_css);
        fputs("<h1>vendorwatch compliance report</h1>\n<p class=\"meta\">Generated <time id=\"generated\">", f);
        html(f, generated);
        fputs("</time>", f);
        _cleanup_free_ char *dv = ctl_field_text(r->status, "daemon_version");
        _cleanup_free_ char *conf = ctl_field_text(r->status, "config");
        if (dv) {
                fputs(" by vendorwatchd ", f);
                html(f, dv);
        }
        if (conf) {
                fputs(", configuration <code>", f);
                html(f, conf);
                fputs("</code>", f);
        }
        fputs(".</p>\n", f);

        fprintf(f,
                "<table class=\"summary\" id=\"summary\"><tr><th>Devices</th><td class=\"num\">%zu</td></tr>"
                "<tr><th>Violations</th><td class=\"num%s\">%zu</td></tr>"
                "<tr><th>Waived</th><td class=\"num\">%zu</td></tr>"
                "<tr><th>Open alerts</th><td class=\"num\">%" PRIi64 "</td></tr></table>\n",
                r->n_devices, nv ? " violation" : "", nv, nw, open_alerts);

        fputs("<h2>Violations</h2>\n<table id=\"violations\"><thead><tr><th>Device</th><th>Name</th>"
              "<th>Vendor</th><th>Role</th><th>Segment</th><th>Rule</th><th>Severity</th><th>Raised</th>"
              "<th>Evidence</th></tr></thead><tbody>\n",
              f);
        if (nv == 0)
                fputs("<tr><td colspan=\"9\" class=\"muted\">No violations.</td></tr>\n", f);
        for (size_t i = 0; i < nv; i++) {
                json_object *d = json_object_array_get_idx(r->violations, i);
                json_object *a = alert_for(r, ctl_str(d, "id"));
                fputs("<tr class=\"violation\">", f);
                html_td(f, d, "id", NULL);
                html_td(f, d, "sys_name", NULL);
                html_td(f, d, ctl_str(d, "vendor_name") ? "vendor_name" : "vendor", "restricted");
                html_td(f, d, "role", NULL);
                html_td(f, d, "segment", NULL);
                html_td(f, a ?: d, a ? "rule" : "role_rule", NULL);
                html_td(f, a, "severity", NULL);
                html_td(f, a, "raised_at", NULL);
                html_evidence(f, d);
                fputs("</tr>\n", f);
        }
        fputs("</tbody></table>\n", f);

        fputs("<h2>Waivers</h2>\n<table id=\"waivers\"><thead><tr><th>Device</th><th>Name</th><th>Vendor</th>"
              "<th>Role</th><th>Until</th><th>Reason</th><th>Status</th></tr></thead><tbody>\n",
              f);
        if (nw == 0)
                fputs("<tr><td colspan=\"7\" class=\"muted\">No waivers.</td></tr>\n", f);
        for (size_t i = 0; i < nw; i++) {
                json_object *d = json_object_array_get_idx(r->waivers, i);
                const char *until, *reason;
                waiver_of(d, &until, &reason);
                bool expired = until && strcmp(until, today) < 0;
                fputs("<tr>", f);
                html_td(f, d, "id", NULL);
                html_td(f, d, "sys_name", NULL);
                html_td(f, d, ctl_str(d, "vendor_name") ? "vendor_name" : "vendor", "restricted");
                html_td(f, d, "role", NULL);
                fputs("<td>", f);
                html(f, until ?: "—");
                fputs("</td><td>", f);
                html(f, reason ?: "—");
                fprintf(f, "</td><td%s>%s</td></tr>\n", expired ? " class=\"expired\"" : "",
                        !until ? "—" : expired ? "expired" : "active");
        }
        fputs("</tbody></table>\n", f);

        fputs("<h2>Devices by vendor and role</h2>\n", f);
        html_counts(c, r);

        fputs("<h2>Open alerts</h2>\n<table id=\"alerts\"><thead><tr><th>Alert</th><th>Device</th><th>Vendor</th>"
              "<th>Role</th><th>Segment</th><th>Severity</th><th>Rule</th><th>Raised</th></tr></thead><tbody>\n",
              f);
        if (r->alerts_error) {
                fputs("<tr><td colspan=\"8\" class=\"muted\">Alerts unavailable: ", f);
                html(f, r->alerts_error);
                fputs("</td></tr>\n", f);
        } else if (json_object_array_length(r->alerts) == 0)
                fputs("<tr><td colspan=\"8\" class=\"muted\">No open alerts.</td></tr>\n", f);
        for (size_t i = 0; i < json_object_array_length(r->alerts); i++) {
                json_object *a = json_object_array_get_idx(r->alerts, i);
                fputs("<tr>", f);
                html_td(f, a, "id", NULL);
                html_td(f, a, "device", NULL);
                html_td(f, a, "vendor", "restricted");
                html_td(f, a, "role", NULL);
                html_td(f, a, "segment", NULL);
                html_td(f, a, "severity", NULL);
                html_td(f, a, "rule", NULL);
                html_td(f, a, "raised_at", NULL);
                fputs("</tr>\n", f);
        }
        fputs("</tbody></table>\n</body>\n</html>\n", f);
}

static void report_json(Ctl *c, Report *r, const char *generated) {
        _cleanup_json_ json_object *o = json_object_new_object(), *counts = json_object_new_object();
        json_object *waivers = json_object_new_array();

        if (!o || !counts || !waivers) {
                json_object_put(waivers);
                return;
        }
        for (size_t i = 0; i < json_object_array_length(r->waivers); i++) {
                json_object *d = json_object_array_get_idx(r->waivers, i), *w = json_object_new_object();
                const char *until, *reason;
                waiver_of(d, &until, &reason);
                json_object_object_add(w, "device", json_object_get(d));
                json_object_object_add(w, "until", until ? json_object_new_string(until) : NULL);
                json_object_object_add(w, "reason", reason ? json_object_new_string(reason) : NULL);
                json_object_array_add(waivers, w);
        }
        json_object_object_add(counts, "by_vendor", json_object_get(r->by_vendor));
        json_object_object_add(counts, "by_role", json_object_get(r->by_role));
        json_object_object_add(counts, "by_vendor_role", json_object_get(r->by_vendor_role));

        json_object_object_add(o, "generated", json_object_new_string(generated));
        json_object_object_add(o, "status", json_object_get(r->status));
        json_object_object_add(o, "devices", json_object_new_int64((int64_t) r->n_devices));
        json_object_object_add(o, "counts", json_object_get(counts));
        json_object_object_add(o, "violations", json_object_get(r->violations));
        json_object_object_add(o, "waivers", waivers);
        json_object_object_add(o, "alerts", json_object_get(r->alerts));
        if (r->alerts_error)
                json_object_object_add(o, "alerts_error", json_object_new_string(r->alerts_error));
        ctl_print_json(c, o);
}

int ctl_report(Ctl *c, const char *format) {
        _cleanup_(report_done) Report r = {};
        char generated[32];
        int k;

        k = report_collect(c, &r);
        if (k < 0)
                return k;
        ctl_now_rfc3339(generated);
        if (streq(format, "json"))
                report_json(c, &r, generated);
        else
                report_html(c, &r, generated);
        return 0;
}
