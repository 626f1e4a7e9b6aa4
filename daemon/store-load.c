/* SPDX-License-Identifier: MIT */
/* Restoring the inventory, waivers, links and alerts from the store. */
#include <inttypes.h>

#include "store-internal.h"

/* Schema 3: "time<TAB>json" lines. */
static int parse_obs_lines(const char *text, Observation **list, size_t *n, char **ret_err) {
        for (const char *p = text; p && *p && *n < DEVICE_SOURCES_MAX;) {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t) (eol - p) : strlen(p);
                char *tab;
                uint64_t t = strtoull(p, &tab, 10);
                if (tab == p || *tab != '\t' || (size_t) (tab - p) >= len)
                        return -EBADMSG;
                tab++;
                int r = observation_from_json(tab, len - (size_t) (tab - p), &list[*n], NULL, ret_err);
                if (r < 0)
                        return r;
                list[(*n)++]->o.time_usec = t;
                p = eol ? eol + 1 : NULL;
        }
        return 0;
}

/* Schemas 1 and 2: an "observations" array inside the device JSON. */
static int parse_obs_array(json_object *j, Observation **list, size_t *n, char **ret_err) {
        json_object *obs, *v;
        if (!json_object_object_get_ex(j, "observations", &obs) || !json_object_is_type(obs, json_type_array))
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(obs) && *n < DEVICE_SOURCES_MAX; i++) {
                json_object *o = json_object_array_get_idx(obs, i);
                const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
                int r = observation_from_json(t, strlen(t), &list[*n], NULL, ret_err);
                if (r < 0)
                        return r;
                if (json_object_object_get_ex(o, "time_usec", &v))
                        list[*n]->o.time_usec = (uint64_t) json_object_get_int64(v);
                (*n)++;
        }
        return 0;
}

static int load_devices(Store *s, const StoreLoadOps *ops, void *userdata, char **ret_error) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, "SELECT id, kind, first_seen, last_seen, data, obs FROM devices ORDER BY first_seen, id",
                               -1, &st, NULL) != SQLITE_OK)
                return store_set_error(ret_error, "%s: cannot read devices: %s", s->path, sqlite3_errmsg(s->db));
        int rc, r = 0;
        while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *id = (const char *) sqlite3_column_text(st, 0);
                const char *kind = (const char *) sqlite3_column_text(st, 1);
                uint64_t first = (uint64_t) sqlite3_column_int64(st, 2), last = (uint64_t) sqlite3_column_int64(st, 3);
                const char *data = (const char *) sqlite3_column_text(st, 4);
                const char *lines = (const char *) sqlite3_column_text(st, 5);
                json_object *j = json_tokener_parse(data ? data : ""), *v;
                Observation *list[DEVICE_SOURCES_MAX] = {};
                size_t n = 0;
                _cleanup_free_ char *err = NULL;
                int k = !j ? -EBADMSG : lines ? parse_obs_lines(lines, list, &n, &err) : parse_obs_array(j, list, &n, &err);
                bool absent = j && json_object_object_get_ex(j, "absent", &v) && json_object_get_boolean(v);
                json_object_put(j);
                if (k < 0)
                        r = store_set_error(ret_error, "%s: device %s: unreadable record%s%s", s->path, id, err ? ": " : "",
                                      err ? err : "");
                else if (ops->device)
                        r = ops->device(userdata, id, streq_ptr(kind, "host") ? DEVICE_HOST : DEVICE_NETWORK, first,
                                        last, absent, list, n);
                for (size_t i = 0; i < n; i++)
                        observation_free(list[i]);      /* the callback took what it kept (set to NULL) */
        }
        sqlite3_finalize(st);
        return r;
}

static int load_rest(Store *s, const StoreLoadOps *ops, void *userdata, char **ret_error) {
        sqlite3_stmt *st;
        int r = 0;
        if (ops->waiver) {
                if (sqlite3_prepare_v2(s->db, "SELECT device, until, reason, origin, created FROM waivers", -1, &st,
                                       NULL) != SQLITE_OK)
                        return store_set_error(ret_error, "%s: cannot read waivers: %s", s->path, sqlite3_errmsg(s->db));
                while (r >= 0 && sqlite3_step(st) == SQLITE_ROW)
                        r = ops->waiver(userdata, (const char *) sqlite3_column_text(st, 0),
                                        (uint64_t) sqlite3_column_int64(st, 1), (const char *) sqlite3_column_text(st, 2),
                                        streq_ptr((const char *) sqlite3_column_text(st, 3), "config"),
                                        (uint64_t) sqlite3_column_int64(st, 4));
                sqlite3_finalize(st);
        }
        if (r >= 0 && ops->link) {
                if (sqlite3_prepare_v2(s->db, "SELECT local, local_port, remote, remote_port, source, last_seen FROM links",
                                       -1, &st, NULL) != SQLITE_OK)
                        return store_set_error(ret_error, "%s: cannot read links: %s", s->path, sqlite3_errmsg(s->db));
                while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
                        Link l = {
                                .local = (char *) sqlite3_column_text(st, 0),
                                .local_port = (char *) sqlite3_column_text(st, 1),
                                .remote = (char *) sqlite3_column_text(st, 2),
                                .remote_port = (char *) sqlite3_column_text(st, 3),
                                .source = (char *) sqlite3_column_text(st, 4),
                                .last_seen = (uint64_t) sqlite3_column_int64(st, 5),
                        };
                        r = ops->link(userdata, &l);
                }
                sqlite3_finalize(st);
        }
        if (r >= 0 && ops->alert) {
                /* open ones, plus recent history for `alerts --all` */
                if (sqlite3_prepare_v2(s->db,
                                       "SELECT data FROM alerts WHERE open = 1 OR id IN "
                                       "(SELECT id FROM alerts WHERE open = 0 ORDER BY id DESC LIMIT 1000) ORDER BY id",
                                       -1, &st, NULL) != SQLITE_OK)
                        return store_set_error(ret_error, "%s: cannot read alerts: %s", s->path, sqlite3_errmsg(s->db));
                while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
                        json_object *j = json_tokener_parse((const char *) sqlite3_column_text(st, 0));
                        Alert *a = NULL;
                        r = j ? alert_from_json(j, &a) : -EBADMSG;
                        json_object_put(j);
                        if (r < 0) {
                                r = store_set_error(ret_error, "%s: unreadable alert record", s->path);
                                break;
                        }
                        r = ops->alert(userdata, a);
                }
                sqlite3_finalize(st);
        }
        return r;
}

int store_load(Store *s, const StoreLoadOps *ops, void *userdata, char **ret_error) {
        if (!s || !ops)
                return -EINVAL;
        if (s->thread_started)
                return -EBUSY;          /* load happens before anything is queued */
        int r = load_devices(s, ops, userdata, ret_error);
        if (r >= 0)
                r = load_rest(s, ops, userdata, ret_error);
        return r;
}
