/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>

#include "log.h"
#include "metrics.h"
#include "plugin-host.h"
#include "strmap.h"

#define USEC_PER_SEC UINT64_C(1000000)

/* Label values come from the network: escape what the format requires. */
static void put_label_char(FILE *f, char c) {
        if (c == '\\' || c == '"')
                fputc('\\', f), fputc(c, f);
        else if (c == '\n')
                fputs("\\n", f);
        else
                fputc(c, f);
}

static void put_label(FILE *f, const char *v) {
        for (const char *p = v ? v : ""; *p; p++)
                put_label_char(f, *p);
}

/* A metric name part from a JSON key: [a-z0-9_]. */
static void put_name(FILE *f, const char *k) {
        for (const char *p = k; *p; p++)
                fputc(isalnum((unsigned char) *p) ? tolower((unsigned char) *p) : '_', f);
}

/* Every number in a plugin's status, flattened: lldp {"interfaces":[{"name":
 * "eth0","received":5}]} becomes vendorwatch_plugin_lldp_interfaces_received
 * {plugin="lldp",item="eth0"} 5. */
static void put_plugin_numbers(FILE *f, const char *plugin, const char *prefix, const char *item, json_object *j) {
        json_object_object_foreach(j, key, val) {
                char name[256];
                snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "_" : "", key);
                switch (json_object_get_type(val)) {
                case json_type_int:
                case json_type_double:
                        fputs("vendorwatch_plugin_", f);
                        put_name(f, plugin);
                        fputc('_', f);
                        put_name(f, name);
                        fputs("{plugin=\"", f);
                        put_label(f, plugin);
                        if (item) {
                                fputs("\",item=\"", f);
                                put_label(f, item);
                        }
                        fprintf(f, "\"} %.17g\n", json_object_get_double(val));
                        break;
                case json_type_object:
                        if (strlen(name) < 128)
                                put_plugin_numbers(f, plugin, name, item, val);
                        break;
                case json_type_array:
                        for (size_t i = 0; i < json_object_array_length(val) && i < 1024; i++) {
                                json_object *e = json_object_array_get_idx(val, i);
                                json_object *n = NULL;
                                if (!json_object_is_type(e, json_type_object))
                                        continue;
                                char idx[32];
                                snprintf(idx, sizeof idx, "%zu", i);
                                static const char *const label_keys[] = { "name", "target", "interface" };
                                for (size_t k = 0; k < ELEMENTSOF(label_keys) && !n; k++)
                                        json_object_object_get_ex(e, label_keys[k], &n);
                                put_plugin_numbers(f, plugin, name, n ? json_object_get_string(n) : idx, e);
                        }
                        break;
                default:
                        break;
                }
        }
}

struct count {
        char *key;              /* "vendor\x1frole", owned here, borrowed by the index */
        uint64_t n;
};

int metrics_write(Manager *m, const char *path) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        FILE *f = fdopen(fd, "w");
        if (!f) {
                close(fd);
                return -errno;
        }

        /* devices by vendor and role */
        StrMap index = {};
        struct count *counts = NULL;
        size_t n_counts = 0, cursor = 0;
        uint64_t violations = 0, absent = 0, stale = 0, hosts = 0;
        for (Device *d; (d = inventory_next(m->inventory, &cursor));) {
                const char *vendor = d->vendor.vendor ? d->vendor.vendor : "unknown";
                const char *role = d->role.role ? d->role.role : "unknown";
                char key[512];
                snprintf(key, sizeof key, "%s\x1f%s", vendor, role);
                uint32_t i = strmap_get(&index, key);
                if (i == 0) {
                        struct count *c = realloc(counts, (n_counts + 1) * sizeof(struct count));
                        if (!c)
                                break;
                        counts = c;
                        char *k = strdup(key);
                        if (!k || n_counts >= UINT32_MAX || strmap_put(&index, k, (uint32_t) (n_counts + 1)) < 0) {
                                free(k);
                                break;
                        }
                        counts[n_counts] = (struct count) { .key = k };
                        i = ++n_counts;
                }
                counts[i - 1].n++;
                violations += d->policy.violation;
                absent += d->absent;
                stale += d->stale;
                hosts += d->kind == DEVICE_HOST;
        }

        fputs("# HELP vendorwatch_devices Devices in the inventory by vendor and role.\n"
              "# TYPE vendorwatch_devices gauge\n", f);
        for (size_t i = 0; i < n_counts; i++) {
                const char *sep = strchr(counts[i].key, '\x1f');
                fputs("vendorwatch_devices{vendor=\"", f);
                for (const char *p = counts[i].key; p < sep; p++)
                        put_label_char(f, *p);
                fputs("\",role=\"", f);
                put_label(f, sep + 1);
                fprintf(f, "\"} %" PRIu64 "\n", counts[i].n);
        }
        fprintf(f, "# HELP vendorwatch_devices_total Devices in the inventory.\n"
                   "# TYPE vendorwatch_devices_total gauge\nvendorwatch_devices_total %zu\n"
                   "# HELP vendorwatch_hosts End hosts in the inventory.\n"
                   "# TYPE vendorwatch_hosts gauge\nvendorwatch_hosts %" PRIu64 "\n"
                   "# HELP vendorwatch_devices_absent Devices past their TTL, kept until retention.\n"
                   "# TYPE vendorwatch_devices_absent gauge\nvendorwatch_devices_absent %" PRIu64 "\n"
                   "# HELP vendorwatch_devices_stale Devices whose source went blind.\n"
                   "# TYPE vendorwatch_devices_stale gauge\nvendorwatch_devices_stale %" PRIu64 "\n"
                   "# HELP vendorwatch_violations Devices violating the restricted-vendor policy now.\n"
                   "# TYPE vendorwatch_violations gauge\nvendorwatch_violations %" PRIu64 "\n",
                inventory_count(m->inventory), hosts, absent, stale, violations);
        fprintf(f, "# HELP vendorwatch_observations_total Observations accepted by the inventory.\n"
                   "# TYPE vendorwatch_observations_total counter\nvendorwatch_observations_total %" PRIu64 "\n"
                   "# HELP vendorwatch_observations_rejected_total Observations refused (no identity, device cap).\n"
                   "# TYPE vendorwatch_observations_rejected_total counter\nvendorwatch_observations_rejected_total %" PRIu64 "\n"
                   "# HELP vendorwatch_identifier_conflicts_total Observations carrying identifiers of two devices.\n"
                   "# TYPE vendorwatch_identifier_conflicts_total counter\nvendorwatch_identifier_conflicts_total %" PRIu64 "\n"
                   "# HELP vendorwatch_reload_failures_total Reloads refused for a bad configuration.\n"
                   "# TYPE vendorwatch_reload_failures_total counter\nvendorwatch_reload_failures_total %" PRIu64 "\n",
                m->stats.observations, m->stats.rejected, m->stats.conflicts, m->stats.reload_failures);

        for (size_t i = 0; i < m->n_plugins; i++) {
                Plugin *p = m->plugins[i];
                fprintf(f, "vendorwatch_plugin_up{plugin=\"");
                put_label(f, p->name);
                fprintf(f, "\"} %d\n", p->pstate == PLUGIN_RUNNING || p->pstate == PLUGIN_DONE);
                if (p->vt && p->vt->status && p->state) {
                        _cleanup_free_ char *s = p->vt->status(p->state);
                        json_object *j = s ? json_tokener_parse(s) : NULL;
                        if (j && json_object_is_type(j, json_type_object))
                                put_plugin_numbers(f, p->name, "", NULL, j);
                        json_object_put(j);
                }
        }

        strmap_done(&index);
        for (size_t i = 0; i < n_counts; i++)
                free(counts[i].key);
        free(counts);

        int r = 0;
        if (fflush(f) != 0 || fsync(fileno(f)) < 0)
                r = -errno;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

static int on_metrics(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        const char *path = m->config->metrics_path;
        if (path) {
                int r = metrics_write(m, path);
                if (r < 0 && m->metrics_failures++ == 0)
                        log_warning_errno(r, "metrics: cannot write %s: %m (further failures are not logged)", path);
                else if (r >= 0)
                        m->metrics_failures = 0;
        }
        sd_event_source_set_time_relative(s, (uint64_t) m->config->metrics_interval_sec * USEC_PER_SEC);
        return 0;
}

int metrics_start(Manager *m) {
        int r;
        if (m->metrics_timer)
                return 0;       /* the timer reads the current config each time */
        r = sd_event_add_time_relative(m->event, &m->metrics_timer, CLOCK_MONOTONIC, 0, 0, on_metrics, m);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(m->metrics_timer, SD_EVENT_ON);
}
