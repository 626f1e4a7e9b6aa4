/* SPDX-License-Identifier: MIT */
/* Control-socket handlers of the audit: segments, alerts, waive, sync.  Each
 * builds its reply as a json_object; the control server frames it. */
#include <arpa/inet.h>

#include "policy-commands.h"
#include "strmap.h"

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
        _cleanup_(strmap_freep) StrMap *by_name = NULL;
        if (!list || strmap_new(&by_name) < 0) {
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
                strmap_put(by_name, s->name, j, NULL);
        }
        json_object *unassigned = segment_item("(unassigned)", NULL);
        bool any_unassigned = false;

        size_t cursor = 0;
        for (Device *d; inv && (d = inventory_next(inv, &cursor));) {
                json_object *j = d->role.segment ? strmap_get(by_name, d->role.segment) : NULL;
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
