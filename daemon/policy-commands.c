/* SPDX-License-Identifier: MIT */
/* Control-socket handlers of the audit: segments, alerts, waive, sync.  Each
 * builds its reply as a json_object; the control server frames it. */
#include <arpa/inet.h>

#include "audit.h"
#include "control.h"
#include "log.h"
#include "policy-commands.h"
#include "namemap.h"

/* --- segments command ---------------------------------------------------- */

static void count_inc(json_object *o, const char *key) {
        json_object *v;
        if (json_object_object_get_ex(o, key ? key : "(none)", &v))
                json_object_set_int64(v, json_object_get_int64(v) + 1);
        else
                json_object_object_add(o, key ? key : "(none)", json_object_new_int64(1));
}

static json_object *segment_item(const char *name, const char *role) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "name", json_object_new_string(name));
        json_object_object_add(j, "role", role ? json_object_new_string(role) : NULL);
        json_object_object_add(j, "devices", json_object_new_int64(0));
        json_object_object_add(j, "roles", json_object_new_object());
        json_object_object_add(j, "vendors", json_object_new_object());
        return j;
}

json_object *roles_segments_json(const RolesConfig *c, Inventory *inv) {
        json_object *list = json_object_new_array();
        _cleanup_(namemap_freep) NameMap *by_name = NULL;
        if (!list || namemap_new(&by_name) < 0) {
                json_object_put(list);
                return NULL;
        }
        for (size_t i = 0; c && i < c->n_segments; i++) {
                const Segment *s = &c->segments[i];
                json_object *j = segment_item(s->name, s->role);
                json_object *a = json_object_new_array();
                for (size_t k = 0; k < s->n_prefixes; k++) {
                        char buf[INET6_ADDRSTRLEN + 8];
                        json_object_array_add(a, json_object_new_string(role_prefix_format(&s->prefixes[k], buf, sizeof buf)));
                }
                json_object_object_add(j, "prefixes", a);
                a = json_object_new_array();
                for (size_t k = 0; k < s->n_vlans; k++)
                        json_object_array_add(a, json_object_new_int(s->vlans[k]));
                json_object_object_add(j, "vlans", a);
                a = json_object_new_array();
                for (char **l = s->interfaces; l && *l; l++)
                        json_object_array_add(a, json_object_new_string(*l));
                json_object_object_add(j, "interfaces", a);
                a = json_object_new_array();
                for (char **l = s->snmp_groups; l && *l; l++)
                        json_object_array_add(a, json_object_new_string(*l));
                json_object_object_add(j, "snmp_groups", a);
                json_object_array_add(list, j);
                namemap_put(by_name, s->name, j, NULL);
        }
        json_object *unassigned = segment_item("(unassigned)", NULL);
        bool any_unassigned = false;

        size_t cursor = 0;
        for (Device *d; inv && (d = inventory_next(inv, &cursor));) {
                json_object *j = d->role.segment ? namemap_get(by_name, d->role.segment) : NULL;
                if (!j) {
                        j = unassigned;
                        any_unassigned = true;
                }
                json_object *v;
                json_object_object_get_ex(j, "devices", &v);
                json_object_set_int64(v, json_object_get_int64(v) + 1);
                json_object_object_get_ex(j, "roles", &v);
                count_inc(v, d->role.role ? d->role.role : "unknown");
                json_object_object_get_ex(j, "vendors", &v);
                count_inc(v, d->vendor.vendor ? d->vendor.vendor : "unknown");
        }
        if (any_unassigned)
                json_object_array_add(list, unassigned);
        else
                json_object_put(unassigned);
        return list;
}

/* --- handlers ------------------------------------------------------------ */

/* A stream over a prepared array: cheap to build (alerts and segments are
 * small next to the inventory), written in slices like any other stream. */
typedef struct ArrayStream {
        json_object *array;
        size_t next;
} ArrayStream;

static json_object *array_next(Manager *m, void *state) {
        ArrayStream *s = state;
        if (s->next >= json_object_array_length(s->array))
                return NULL;
        return json_object_get(json_object_array_get_idx(s->array, s->next++));
}

static void array_free(void *state) {
        ArrayStream *s = state;
        json_object_put(s->array);
        free(s);
}

static int array_stream(const char *name, json_object *array, Stream *stream) {
        ArrayStream *s = calloc(1, sizeof *s);
        if (!s || !array) {
                free(s);
                json_object_put(array);
                return -ENOMEM;
        }
        s->array = array;
        *stream = (Stream) { .name = name, .next = array_next, .free = array_free, .state = s };
        return 0;
}

static const char *arg_str(Request *req, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(req->args, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int cmd_alerts(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        json_object *v;
        bool all = json_object_object_get_ex(req->args, "all", &v) && json_object_get_boolean(v);
        return array_stream("alerts", audit_cmd_alerts(req->manager->audit, all), stream);
}

int cmd_segments(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        return array_stream("segments", audit_cmd_segments(req->manager->audit, req->manager->inventory), stream);
}

int cmd_waive(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Manager *m = req->manager;
        const char *id = arg_str(req, "id"), *until = arg_str(req, "until"), *reason = arg_str(req, "reason");
        int r = audit_cmd_waive(m->audit, m->inventory, id, until, reason, now_realtime_usec(), ret, ret_error);
        if (r >= 0)
                log_notice("device %s waived until %s at the request of uid %u: %s", id, until, (unsigned) req->uid,
                           reason);
        return r;
}

static json_object *sync_reply(uint64_t committed) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "committed", json_object_new_uint64(committed));
        return j;
}

static void sync_done(void *userdata, uint64_t committed, int error) {
        char msg[200];
        if (error < 0)
                snprintf(msg, sizeof msg, "the store could not commit: %s", strerror(-error));
        control_deferred_reply(userdata, error < 0 ? NULL : sync_reply(committed), error, msg);
}

int cmd_sync(Request *req, json_object **ret, Stream *stream, char **ret_error) {
        Manager *m = req->manager;
        if (!m->store) {
                *ret_error = strdup("no store in this mode");
                return -EOPNOTSUPP;
        }
        /* Everything received before this request is queued already.  The
         * answer comes once the writer thread has committed it; the loop goes
         * on meanwhile (and this client's next requests wait their turn). */
        Deferred *d = control_defer(req);
        if (d) {
                int r = store_sync(m->store, sync_done, d);
                if (r >= 0)
                        return COMMAND_DEFERRED;
                control_defer_cancel(d);
        }
        /* nobody to answer later (or no way to wait): hold the loop for it */
        int r = store_flush(m->store);
        if (r < 0) {
                if (asprintf(ret_error, "the store could not commit: %s", strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        *ret = sync_reply(store_committed(m->store));
        return 0;
}
