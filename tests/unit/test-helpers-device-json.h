/* SPDX-License-Identifier: MIT */
/* device_write_json() against a reference: the record must be one complete
 * JSON value, its MAC and address lists must be what the plain algorithm
 * (parse, format, compare with every value before) gives, and its strings
 * and times must read back as the device holds them.  Used by test-inventory
 * and fuzz-device-json. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "inventory.h"
#include "jsonout.h"
#include "observation.h"

#define DEVICE_JSON_UNION_MAX 256

/* Key words for identifier texts as the inventory keeps them: the first as
 * text, the MAC keys after it by value. */
static inline DeviceKey *device_json_keys(char *const *text, size_t n, DeviceKey *out) {
        for (size_t i = 0; i < n; i++)
                out[i] = i == 0 ? (DeviceKey) (uintptr_t) text[0] : device_key_of_text(text[i]);
        return out;
}

/* The union the record should list: each observation's items in order, then
 * the identifiers under `prefix` (prefix cut), MACs in their one form, no
 * repeats, at most DEVICE_JSON_UNION_MAX. */
static inline size_t device_json_reference_union(const Device *d, bool macs, const char *out[],
                                                 char mac_text[][18], size_t max) {
        const char *prefix = macs ? "mac:" : "addr:";
        size_t n = 0;
        for (size_t i = 0; i <= d->n_obs; i++) {
                ObsView view;
                const char *const *l;
                size_t count;
                if (i < d->n_obs) {
                        if (packed_obs_view(d->obs[i], &view) < 0)
                                abort();
                        l = macs ? view.o.macs : view.o.addresses;
                        count = macs ? view.o.n_macs : view.o.n_addresses;
                } else {
                        l = NULL;
                        count = device_n_keys(d);
                }
                for (size_t k = 0; k < count && n < max && n < DEVICE_JSON_UNION_MAX; k++) {
                        /* the packed text lives as long as the device; a MAC
                         * key's text is a MAC, listed from mac_text[] */
                        char key[DEVICE_KEY_MAC_SIZE];
                        const char *v = l ? l[k] : device_key(d, k, key);
                        if (i == d->n_obs) {
                                if (strncmp(v, prefix, strlen(prefix)) != 0)
                                        continue;
                                v += strlen(prefix);
                        }
                        uint8_t mac[6];
                        if (macs && mac_parse(v, mac) >= 0)
                                v = mac_format(mac, mac_text[n]);
                        bool seen = false;
                        for (size_t j = 0; j < n && !seen; j++)
                                seen = strcmp(out[j], v) == 0;
                        if (!seen)
                                out[n++] = v;
                }
                if (i < d->n_obs)
                        obs_view_done(&view);
        }
        return n;
}

static inline bool device_json_reference_time(uint64_t usec, char buf[64]) {
        if (usec == 0)
                return false;
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;
        return gmtime_r(&t, &tm) && strftime(buf, 64, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

static inline const char *device_json_check_string(json_object *j, const char *key, const char *want) {
        json_object *v;
        if (!json_object_object_get_ex(j, key, &v))
                return key;
        if (!want)
                return json_object_is_type(v, json_type_null) ? NULL : key;
        if (!json_object_is_type(v, json_type_string) || strcmp(json_object_get_string(v), want) != 0)
                return key;
        return NULL;
}

/* NULL when the record is right, else the first thing found wrong. */
static inline const char *device_json_check(const Device *d, bool detail) {
        static char reason[160];
        JsonOut o = {};
        device_write_json(&o, d, detail);
        if (o.oom) {
                jsonout_done(&o);
                return NULL;            /* nothing to check: the caller sees oom */
        }
        json_tokener *tok = json_tokener_new();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *j = json_tokener_parse_ex(tok, o.buf, (int) o.len);
        bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                        json_tokener_get_parse_end(tok) == o.len;
        json_tokener_free(tok);
        const char *bad = NULL;
        if (!j || !complete || !json_object_is_type(j, json_type_object)) {
                bad = "not one JSON object";
                goto done;
        }
        for (int m = 1; m >= 0 && !bad; m--) {
                const char *want[DEVICE_JSON_UNION_MAX];
                static char mac_text[DEVICE_JSON_UNION_MAX][18];
                size_t n = device_json_reference_union(d, m, want, mac_text, DEVICE_JSON_UNION_MAX);
                json_object *a;
                if (!json_object_object_get_ex(j, m ? "macs" : "addresses", &a) ||
                    !json_object_is_type(a, json_type_array) || json_object_array_length(a) != n) {
                        bad = m ? "macs: length" : "addresses: length";
                        break;
                }
                for (size_t i = 0; i < n && !bad; i++) {
                        json_object *e = json_object_array_get_idx(a, i);
                        if (!json_object_is_type(e, json_type_string) || strcmp(json_object_get_string(e), want[i]) != 0) {
                                snprintf(reason, sizeof reason, "%s[%zu]: want \"%.60s\"", m ? "macs" : "addresses", i, want[i]);
                                bad = reason;
                        }
                }
        }
        if (bad)
                goto done;
        char t[64];
        const char *chassis = DEVICE_ATTR(d, chassis_id);
        uint8_t mac[6];
        char chassis_text[18];
        if (chassis && mac_parse(chassis, mac) >= 0)
                chassis = mac_format(mac, chassis_text);
        if ((bad = device_json_check_string(j, "chassis_id", chassis)) ||
            (bad = device_json_check_string(j, "first_seen",
                                            device_json_reference_time(d->first_seen, t) ? t : NULL)) ||
            (bad = device_json_check_string(j, "last_seen",
                                            device_json_reference_time(d->last_seen, t) ? t : NULL)) ||
            (bad = device_json_check_string(j, "id", d->id)) ||
            (bad = device_json_check_string(j, "sys_name", DEVICE_ATTR(d, sys_name))) ||
            (bad = device_json_check_string(j, "sys_descr", DEVICE_ATTR(d, sys_descr))) ||
            (bad = device_json_check_string(j, "port_id", DEVICE_ATTR(d, port_id))))
                goto done;
        json_object *sources;
        if (!json_object_object_get_ex(j, "sources", &sources) || json_object_array_length(sources) != d->n_obs) {
                bad = "sources";
                goto done;
        }
        for (size_t i = 0; i < d->n_obs && !bad; i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(sources, i)), device_obs_source(d, i)) != 0)
                        bad = "sources";
done:
        json_object_put(j);
        jsonout_done(&o);
        return bad;
}
