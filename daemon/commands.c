/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <time.h>

#include "jsonout.h"
#include "control.h"
#include "log.h"
#include "audit.h"
#include "plugin-host.h"
#include "policy-commands.h"
#include "vw-config.h"

#define USEC_PER_SEC UINT64_C(1000000)

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

static const char *arg_string(Request *req, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(req->args, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int cmd_status(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Manager *m = req->manager;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;

        json_object *j = json_object_new_object();
        json_object_object_add(j, "daemon_version", json_object_new_string(VW_VERSION));
        json_object_object_add(j, "pid", json_object_new_int((int) getpid()));
        json_object_object_add(j, "uptime_sec", json_object_new_uint64((now - m->start_usec) / USEC_PER_SEC));
        json_object_object_add(j, "config", m->config->path ? json_object_new_string(m->config->path) : NULL);
        json_object_object_add(j, "plugin_dir", json_object_new_string(m->config->plugin_dir));
        json_object *plugins = json_object_new_array();
        for (size_t i = 0; i < m->n_plugins; i++)
                json_object_array_add(plugins, plugin_status(m->plugins[i]));
        json_object_object_add(j, "plugins", plugins);
        json_object_object_add(j, "devices", json_object_new_uint64(inventory_count(m->inventory)));
        json_object_object_add(j, "links", json_object_new_uint64(inventory_n_links(m->inventory)));
        size_t violations = 0, cursor = 0;
        for (Device *d; (d = inventory_next(m->inventory, &cursor));)
                violations += d->policy.violation;
        json_object_object_add(j, "violations", json_object_new_uint64(violations));
        json_object_object_add(j, "alerts_open", json_object_new_uint64(alerts_n_open(audit_alerts(m->audit))));
        json_object_object_add(j, "audit", audit_status(m->audit));
        json_object_object_add(j, "clients", json_object_new_uint64(control_n_clients(m->control)));
        json_object *st = json_object_new_object();
        json_object_object_add(st, "observations", json_object_new_uint64(m->stats.observations));
        json_object_object_add(st, "rejected", json_object_new_uint64(m->stats.rejected));
        json_object_object_add(st, "conflicts", json_object_new_uint64(m->stats.conflicts));
        json_object_object_add(st, "classified", json_object_new_uint64(m->stats.classified));
        json_object_object_add(st, "refreshed", json_object_new_uint64(m->stats.refreshed));
        json_object_object_add(st, "reloads", json_object_new_uint64(m->stats.reloads));
        json_object_object_add(st, "reload_failures", json_object_new_uint64(m->stats.reload_failures));
        json_object_object_add(j, "counters", st);
        json_object_object_add(j, "registries", vendor_db_status(m->vendors));
        *ret = j;
        return 0;
}

/* ---- devices: a filtered stream over the inventory ---- */

typedef struct DeviceFilter {
        size_t cursor;
        int kind;               /* -1 any */
        char *vendor;
        char *role;
        char *state;
        bool restricted;
} DeviceFilter;

static void device_filter_free(void *p) {
        DeviceFilter *f = p;
        free(f->vendor);
        free(f->role);
        free(f->state);
        free(f);
}

static bool device_matches(const DeviceFilter *f, const Device *d) {
        if (f->kind >= 0 && (int) d->kind != f->kind)
                return false;
        if (f->vendor && !streq_ptr(d->vendor.vendor, f->vendor) && !streq_ptr(d->vendor.made_by, f->vendor))
                return false;
        if (f->role && !streq_ptr(d->role.role ? d->role.role : "unknown", f->role))
                return false;
        if (f->restricted && !d->policy.violation)
                return false;
        if (f->state && !streq(f->state, d->stale ? "stale" : d->absent ? "absent" : "present"))
                return false;
        return true;
}

static bool devices_next(Manager *m, void *state, JsonOut *out) {
        DeviceFilter *f = state;
        for (Device *d; (d = inventory_next(m->inventory, &f->cursor));)
                if (device_matches(f, d)) {
                        device_write_json(out, d, false);
                        return true;
                }
        return false;
}

static int dup_arg(Request *req, const char *key, char **target) {
        const char *v = arg_string(req, key);
        if (!v)
                return 0;
        *target = strdup(v);
        return *target ? 0 : -ENOMEM;
}

static int cmd_devices(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        DeviceFilter *f = calloc(1, sizeof(DeviceFilter));
        if (!f)
                return -ENOMEM;
        f->kind = -1;
        const char *kind = arg_string(req, "kind");
        if (kind) {
                if (streq(kind, "host"))
                        f->kind = DEVICE_HOST;
                else if (streq(kind, "network"))
                        f->kind = DEVICE_NETWORK;
                else {
                        device_filter_free(f);
                        return fail(ret_error, -EINVAL, "kind must be \"host\" or \"network\"");
                }
        }
        const char *state = arg_string(req, "state");
        if (state && !streq(state, "present") && !streq(state, "absent") && !streq(state, "stale")) {
                device_filter_free(f);
                return fail(ret_error, -EINVAL, "state must be \"present\", \"absent\" or \"stale\"");
        }
        json_object *v;
        if (json_object_object_get_ex(req->args, "restricted", &v))
                f->restricted = json_object_get_boolean(v);
        if (dup_arg(req, "vendor", &f->vendor) < 0 || dup_arg(req, "role", &f->role) < 0 ||
            dup_arg(req, "state", &f->state) < 0) {
                device_filter_free(f);
                return -ENOMEM;
        }
        *stream = (Stream) { .name = "devices", .next_text = devices_next, .free = device_filter_free, .state = f };
        return 0;
}

/* The device named by the request's "id" (any of its identifiers). */
static int request_device(Request *req, Device **ret, char **ret_error) {
        const char *id = arg_string(req, "id");
        if (!id)
                return fail(ret_error, -EINVAL, "missing \"id\"");
        Device *d = inventory_get(req->manager->inventory, id);
        if (!d)
                return fail(ret_error, -ENOENT, "no device \"%.200s\"", id);
        *ret = d;
        return 0;
}

static int cmd_device(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Device *d;
        int r = request_device(req, &d, ret_error);
        if (r < 0)
                return r;
        json_object *j = json_object_new_object();
        json_object_object_add(j, "device", device_to_json(d, true));
        *ret = j;
        return 0;
}

static int cmd_forget(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Device *d;
        int r = request_device(req, &d, ret_error);
        if (r < 0)
                return r;
        _cleanup_free_ char *real = strdup(d->id);
        if (!real)
                return -ENOMEM;
        log_notice("device %s forgotten at the request of uid %u", real, (unsigned) req->uid);
        inventory_forget(req->manager->inventory, real);
        audit_device_gone(req->manager->audit, real, "forget", now_realtime_usec());
        json_object *j = json_object_new_object();
        json_object_object_add(j, "forgotten", json_object_new_string(real));
        *ret = j;
        return 0;
}

static int cmd_reload(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r = manager_reload(req->manager, &error);
        if (r < 0)
                return fail(ret_error, r, "reload refused: %s", error ? error : strerror(-r));
        json_object *j = json_object_new_object();
        json_object_object_add(j, "reloaded", json_object_new_boolean(true));
        json_object_object_add(j, "devices", json_object_new_uint64(inventory_count(req->manager->inventory)));
        *ret = j;
        return 0;
}

static int cmd_identify(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        /* The arguments are an observation: reuse its parser and its checks. */
        const char *text = json_object_to_json_string_ext(req->args, JSON_C_TO_STRING_PLAIN);
        _cleanup_(observation_freep) Observation *o = NULL;
        _cleanup_free_ char *error = NULL;
        int r = observation_from_json(text, strlen(text), &o, NULL, &error);
        if (r < 0)
                return fail(ret_error, r, "%s", error ? error : "bad observation");
        if (!o->o.source)
                o->o.source = "identify";
        VendorVerdict v = VENDOR_VERDICT_INIT;
        r = manager_identify(req->manager, &o->o, &v);
        if (r < 0)
                return fail(ret_error, r, "identification failed: %s", strerror(-r));
        json_object *j = json_object_new_object();
        json_object_object_add(j, "verdict", vendor_verdict_to_json(&v));
        vendor_verdict_done(&v);
        *ret = j;
        return 0;
}

static int cmd_rescan(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Manager *m = req->manager;
        const char *target = arg_string(req, "target");
        size_t queued = 0;
        for (size_t i = 0; i < m->n_plugins; i++) {
                Plugin *p = m->plugins[i];
                if (p->pstate == PLUGIN_RUNNING && p->vt->rescan && p->vt->rescan(p->state, target) >= 0)
                        queued++;
        }
        if (queued == 0)
                return fail(ret_error, -EOPNOTSUPP, "no running plugin can rescan%s%s", target ? " " : "", target ? target : "");
        json_object *j = json_object_new_object();
        json_object_object_add(j, "queued", json_object_new_uint64(queued));
        *ret = j;
        return 0;
}

static int cmd_topology(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Inventory *inv = req->manager->inventory;
        json_object *nodes = json_object_new_array(), *links = json_object_new_array();
        size_t cursor = 0;
        for (Device *d; (d = inventory_next(inv, &cursor));) {
                json_object *n = json_object_new_object();
                json_object_object_add(n, "id", json_object_new_string(d->id));
                const char *name = DEVICE_ATTR(d, sys_name);
                json_object_object_add(n, "name", name ? json_object_new_string(name) : NULL);
                json_object_object_add(n, "kind", json_object_new_string(device_kind_to_string(d->kind)));
                json_object_object_add(n, "vendor", d->vendor.vendor ? json_object_new_string(d->vendor.vendor) : NULL);
                json_object_object_add(n, "role", json_object_new_string(d->role.role ? d->role.role : "unknown"));
                json_object_object_add(n, "segment", d->role.segment ? json_object_new_string(d->role.segment) : NULL);
                json_object_object_add(n, "restricted", json_object_new_boolean(d->policy.violation));
                json_object_array_add(nodes, n);
        }
        for (size_t i = 0; i < inventory_n_links(inv); i++) {
                const Link *l = inventory_link(inv, i);
                json_object *k = json_object_new_object();
                json_object_object_add(k, "local", json_object_new_string(l->local));
                json_object_object_add(k, "local_port", l->local_port ? json_object_new_string(l->local_port) : NULL);
                json_object_object_add(k, "remote", json_object_new_string(l->remote));
                json_object_object_add(k, "remote_port", l->remote_port ? json_object_new_string(l->remote_port) : NULL);
                json_object_object_add(k, "source", json_object_new_string(l->source));
                json_object_array_add(links, k);
        }
        json_object *j = json_object_new_object();
        json_object_object_add(j, "nodes", nodes);
        json_object_object_add(j, "links", links);
        *ret = j;
        return 0;
}

static const Command commands[] = {
        { "status",   false, cmd_status },
        { "devices",  false, cmd_devices },
        { "device",   false, cmd_device },
        { "identify", false, cmd_identify },
        { "topology", false, cmd_topology },
        { "forget",   true,  cmd_forget },
        { "reload",   true,  cmd_reload },
        { "rescan",   true,  cmd_rescan },
        { "alerts",   false, cmd_alerts },
        { "segments", false, cmd_segments },
        { "sync",     false, cmd_sync },
        { "waive",    true,  cmd_waive },
};

const Command *command_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}
