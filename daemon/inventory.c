/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include "inventory.h"
#include "strmap.h"

#define USEC_PER_SEC UINT64_C(1000000)
#define DEFAULT_MAX_DEVICES 1000000
#define DEFAULT_RETENTION_USEC (UINT64_C(30) * 24 * 3600 * USEC_PER_SEC)
#define LINKS_PER_DEVICE_MAX 4

struct Inventory {
        InventoryLimits limits;
        StrMap by_key;                  /* every key of every device → Device */
        Device **devices;               /* insertion order; NULL holes after removal */
        size_t n_devices, cap_devices, n_live;
        Link *links;
        size_t n_links, cap_links;
        StrMap link_index;              /* "local\tport\tremote" → index+1 */
        char **link_keys;
};

/* Private default addresses: shipped as the factory setting of countless
 * boxes, so they never identify one. */
static const char *const default_addresses[] = {
        "192.168.0.1", "192.168.1.1", "192.168.1.254", "192.168.0.254", "192.168.1.100",
        "192.168.1.108", "192.168.1.64", "192.168.0.64", "192.168.100.1", "10.0.0.1",
        "10.0.0.138", "10.1.1.1", "169.254.1.1", "0.0.0.0", "127.0.0.1", "::1", "::",
};

int inventory_new(const InventoryLimits *limits, Inventory **ret) {
        Inventory *inv = calloc(1, sizeof(Inventory));
        if (!inv)
                return -ENOMEM;
        if (limits)
                inv->limits = *limits;
        if (inv->limits.max_devices == 0)
                inv->limits.max_devices = DEFAULT_MAX_DEVICES;
        if (inv->limits.retention_usec == 0)
                inv->limits.retention_usec = DEFAULT_RETENTION_USEC;
        *ret = inv;
        return 0;
}

static void device_free(Device *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n_obs; i++)
                observation_free(d->obs[i]);
        for (size_t i = 0; i < d->n_keys; i++)
                free(d->keys[i]);
        free(d->keys);
        free(d->id);
        vendor_verdict_done(&d->vendor);
        free(d->role.role);
        free(d->role.segment);
        free(d->role.rule);
        free(d->policy.rule);
        free(d);
}

static void link_done(Link *l) {
        free(l->local);
        free(l->local_port);
        free(l->remote);
        free(l->remote_port);
        free(l->source);
}

Inventory *inventory_free(Inventory *inv) {
        if (!inv)
                return NULL;
        for (size_t i = 0; i < inv->n_devices; i++)
                device_free(inv->devices[i]);
        free(inv->devices);
        for (size_t i = 0; i < inv->n_links; i++) {
                link_done(&inv->links[i]);
                free(inv->link_keys[i]);
        }
        free(inv->links);
        free(inv->link_keys);
        strmap_done(&inv->by_key);
        strmap_done(&inv->link_index);
        free(inv);
        return NULL;
}

size_t inventory_count(Inventory *inv) {
        return inv->n_live;
}

/* ---- identifiers ---- */

enum key_strength { KEY_STRONG, KEY_ADDRESS, KEY_WEAK };

struct key {
        char text[300];
        enum key_strength strength;
};

#define KEYS_MAX 32

static void mac_key(const uint8_t mac[6], char out[static 300]) {
        snprintf(out, 300, "mac:%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static bool address_is_default(const char *a) {
        for (size_t i = 0; i < ELEMENTSOF(default_addresses); i++)
                if (streq(a, default_addresses[i]))
                        return true;
        return false;
}

static bool address_valid(const char *a) {
        uint8_t buf[16];
        return inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1;
}

static size_t add_key(struct key *keys, size_t n, enum key_strength s, const char *fmt, ...) _printf_(4, 5);
static size_t add_key(struct key *keys, size_t n, enum key_strength s, const char *fmt, ...) {
        if (n >= KEYS_MAX)
                return n;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(keys[n].text, sizeof keys[n].text, fmt, ap);
        va_end(ap);
        for (size_t i = 0; i < n; i++)
                if (streq(keys[i].text, keys[n].text))
                        return n;
        keys[n].strength = s;
        return n + 1;
}

/* Strong identifiers first (the chassis first of all), then addresses, then
 * the weak fallback.  Returns the number of keys. */
static size_t observation_keys(const struct vw_observation *o, struct key keys[static KEYS_MAX]) {
        size_t n = 0;
        uint8_t mac[6];

        if (!isempty(o->chassis_id)) {
                const char *st = o->chassis_subtype ? o->chassis_subtype : "local";
                if (mac_parse(o->chassis_id, mac) >= 0 && (streq(st, "mac") || streq(st, "local"))) {
                        if (!mac_is_weak(mac)) {
                                mac_key(mac, keys[n].text);
                                keys[n++].strength = KEY_STRONG;
                        }
                } else if (streq(st, "netaddr")) {
                        if (address_valid(o->chassis_id) && !address_is_default(o->chassis_id))
                                n = add_key(keys, n, KEY_ADDRESS, "addr:%s", o->chassis_id);
                } else if (!streq(st, "cdp"))   /* CDP device IDs ("Switch") are names, not identities */
                        n = add_key(keys, n, KEY_STRONG, "chassis:%s:%s", st, o->chassis_id);
        }
        if (!isempty(o->entity_serial) && o->n_entity_mfg > 0 && !isempty(o->entity_mfg[0]))
                n = add_key(keys, n, KEY_STRONG, "serial:%s:%s", o->entity_mfg[0], o->entity_serial);
        for (size_t i = 0; i < o->n_macs; i++)
                if (mac_parse(o->macs[i], mac) >= 0 && !mac_is_weak(mac)) {
                        char k[300];
                        mac_key(mac, k);
                        n = add_key(keys, n, KEY_STRONG, "%s", k);
                }
        for (size_t i = 0; i < o->n_addresses; i++)
                if (address_valid(o->addresses[i]) && !address_is_default(o->addresses[i]))
                        n = add_key(keys, n, KEY_ADDRESS, "addr:%s", o->addresses[i]);
        if (n == 0) {
                /* Nothing identifies it: a name is only good within the place it was
                 * seen, so it can never fold two boxes from different places together. */
                const char *name = !isempty(o->sys_name) ? o->sys_name
                                 : !isempty(o->chassis_id) ? o->chassis_id : o->hostname;
                const char *where = o->via.device ? o->via.device : o->via.interface ? o->via.interface
                                  : o->source ? o->source : "-";
                if (!isempty(name))
                        n = add_key(keys, n, KEY_WEAK, "name:%s:%s", where, name);
        }
        return n;
}

static bool key_is_strong(const char *key) {
        return strncmp(key, "mac:", 4) == 0 || strncmp(key, "chassis:", 8) == 0 || strncmp(key, "serial:", 7) == 0;
}

static bool device_has_strong_key(const Device *d) {
        for (size_t i = 0; i < d->n_keys; i++)
                if (key_is_strong(d->keys[i]))
                        return true;
        return false;
}

static int device_add_key(Inventory *inv, Device *d, const char *key) {
        char **l = realloc(d->keys, (d->n_keys + 1) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        d->keys = l;
        d->keys[d->n_keys] = strdup(key);
        if (!d->keys[d->n_keys])
                return -ENOMEM;
        int r = strmap_put(&inv->by_key, d->keys[d->n_keys], d);
        if (r < 0) {
                free(d->keys[d->n_keys]);
                return r;
        }
        d->n_keys++;
        return 0;
}

static int device_new(Inventory *inv, const char *id, Device **ret) {
        if (inv->n_live >= inv->limits.max_devices)
                return -ENOSPC;
        if (inv->n_devices == inv->cap_devices) {
                size_t cap = inv->cap_devices ? inv->cap_devices * 2 : 256;
                Device **l = realloc(inv->devices, cap * sizeof(Device *));
                if (!l)
                        return -ENOMEM;
                inv->devices = l;
                inv->cap_devices = cap;
        }
        Device *d = calloc(1, sizeof(Device));
        if (!d)
                return -ENOMEM;
        d->id = strdup(id);
        if (!d->id || device_add_key(inv, d, id) < 0) {
                device_free(d);
                return -ENOMEM;
        }
        inv->devices[inv->n_devices++] = d;
        inv->n_live++;
        *ret = d;
        return 0;
}

/* Replace the device's observation from the same source, or add one. */
static int device_put_observation(Device *d, const struct vw_observation *obs) {
        Observation *o;
        int r = observation_dup(obs, &o);
        if (r < 0)
                return r;
        const char *src = obs->source ? obs->source : "unknown";
        for (size_t i = 0; i < d->n_obs; i++)
                if (streq_ptr(d->obs[i]->o.source ? d->obs[i]->o.source : "unknown", src)) {
                        observation_free(d->obs[i]);
                        d->obs[i] = o;
                        return 0;
                }
        if (d->n_obs < DEVICE_SOURCES_MAX) {
                d->obs[d->n_obs++] = o;
                return 0;
        }
        /* More sources than slots: the oldest sighting makes room. */
        size_t oldest = 0;
        for (size_t i = 1; i < d->n_obs; i++)
                if (d->obs[i]->o.time_usec < d->obs[oldest]->o.time_usec)
                        oldest = i;
        observation_free(d->obs[oldest]);
        d->obs[oldest] = o;
        return 0;
}

static int link_record(Inventory *inv, const struct vw_observation *o, const Device *d, uint64_t now) {
        const char *local = o->via.device;
        char capture[300];
        if (!local && o->via.interface) {
                snprintf(capture, sizeof capture, "capture:%s", o->via.interface);
                local = capture;
        }
        if (!local || streq(local, d->id))
                return 0;
        const char *local_port = o->via.port ? o->via.port : o->via.interface;
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "%s\t%s\t%s", local, local_port ? local_port : "", d->id) < 0)
                return -ENOMEM;
        uintptr_t idx = (uintptr_t) strmap_get(&inv->link_index, key);
        if (idx > 0) {
                Link *l = &inv->links[idx - 1];
                l->last_seen = now;
                if (!streq_ptr(l->remote_port, o->port_id)) {
                        free(l->remote_port);
                        l->remote_port = o->port_id ? strdup(o->port_id) : NULL;
                }
                return 0;
        }
        if (inv->n_links >= inv->limits.max_devices * LINKS_PER_DEVICE_MAX)
                return -ENOSPC;
        if (inv->n_links == inv->cap_links) {
                size_t cap = inv->cap_links ? inv->cap_links * 2 : 64;
                Link *l = realloc(inv->links, cap * sizeof(Link));
                char **k = realloc(inv->link_keys, cap * sizeof(char *));
                if (l)
                        inv->links = l;
                if (k)
                        inv->link_keys = k;
                if (!l || !k)
                        return -ENOMEM;
                inv->cap_links = cap;
        }
        Link *l = &inv->links[inv->n_links];
        *l = (Link) {
                .local = strdup(local),
                .local_port = local_port ? strdup(local_port) : NULL,
                .remote = strdup(d->id),
                .remote_port = o->port_id ? strdup(o->port_id) : NULL,
                .source = strdup(o->source ? o->source : "unknown"),
                .last_seen = now,
        };
        inv->link_keys[inv->n_links] = TAKE_PTR(key);
        if (!l->local || !l->remote || !l->source ||
            strmap_put(&inv->link_index, inv->link_keys[inv->n_links], (void *) (uintptr_t) (inv->n_links + 1)) < 0) {
                link_done(l);
                free(inv->link_keys[inv->n_links]);
                return -ENOMEM;
        }
        inv->n_links++;
        return 0;
}

int inventory_observe(Inventory *inv, const struct vw_observation *obs, uint64_t now, Device **ret, bool *ret_conflict) {
        struct key keys[KEYS_MAX];
        size_t n = observation_keys(obs, keys);
        Device *d = NULL;
        bool conflict = false;
        int r;

        if (n == 0)
                return -EINVAL;

        /* The device the strongest evidence points at; other strong keys that
         * point elsewhere are a conflict and stay with their own device. */
        for (size_t i = 0; i < n; i++) {
                if (keys[i].strength != KEY_STRONG)
                        continue;
                Device *e = strmap_get(&inv->by_key, keys[i].text);
                if (!e)
                        continue;
                if (!d)
                        d = e;
                else if (e != d)
                        conflict = true;
        }
        /* An address merges only when no strong identifier decided, and never
         * into a device that has a strong identity of its own: two boxes with
         * different chassis MACs that announce one address stay two. */
        bool has_strong = false;
        for (size_t i = 0; i < n; i++)
                has_strong |= keys[i].strength == KEY_STRONG;
        for (size_t i = 0; !d && i < n; i++) {
                if (keys[i].strength == KEY_STRONG)
                        continue;
                Device *e = strmap_get(&inv->by_key, keys[i].text);
                if (e && !(has_strong && device_has_strong_key(e)))
                        d = e;
        }

        if (!d) {
                r = device_new(inv, keys[0].text, &d);
                if (r < 0)
                        return r;
                d->first_seen = now;
        }
        for (size_t i = 0; i < n; i++) {
                Device *e = strmap_get(&inv->by_key, keys[i].text);
                if (e == d)
                        continue;
                if (e && keys[i].strength == KEY_STRONG)
                        continue;       /* owned by another device: kept apart */
                if (e)
                        continue;       /* an address or name another device has: no steal */
                r = device_add_key(inv, d, keys[i].text);
                if (r < 0)
                        return r;
        }

        struct vw_observation copy = *obs;
        if (copy.time_usec == 0)
                copy.time_usec = now;
        r = device_put_observation(d, &copy);
        if (r < 0)
                return r;

        d->last_seen = now;
        if (obs->kind && streq(obs->kind, "host")) {
                if (d->n_obs == 1)
                        d->kind = DEVICE_HOST;
        } else
                d->kind = DEVICE_NETWORK;
        d->stale = false;
        if (obs->ttl == 0) {
                d->absent = true;       /* a shutdown frame: the neighbour says it leaves */
                d->expires = 0;
        } else {
                d->absent = false;
                d->expires = obs->ttl > 0 ? now + (uint64_t) obs->ttl * USEC_PER_SEC : 0;
        }
        d->generation++;
        (void) link_record(inv, &copy, d, now);

        if (ret)
                *ret = d;
        if (ret_conflict)
                *ret_conflict = conflict;
        return 0;
}

Device *inventory_get(Inventory *inv, const char *id) {
        return id ? strmap_get(&inv->by_key, id) : NULL;
}

static void device_remove(Inventory *inv, size_t index) {
        Device *d = inv->devices[index];
        for (size_t i = 0; i < d->n_keys; i++)
                if (strmap_get(&inv->by_key, d->keys[i]) == d)
                        strmap_remove(&inv->by_key, d->keys[i]);
        inv->devices[index] = NULL;
        inv->n_live--;
        device_free(d);
}

static size_t device_index(Inventory *inv, const Device *d) {
        for (size_t i = 0; i < inv->n_devices; i++)
                if (inv->devices[i] == d)
                        return i;
        return SIZE_MAX;
}

int inventory_forget(Inventory *inv, const char *id) {
        Device *d = inventory_get(inv, id);
        if (!d)
                return -ENOENT;
        device_remove(inv, device_index(inv, d));
        return 0;
}

void inventory_age(Inventory *inv, uint64_t now, void (*cb)(Device *d, bool removed, void *userdata), void *userdata) {
        for (size_t i = 0; i < inv->n_devices; i++) {
                Device *d = inv->devices[i];
                if (!d)
                        continue;
                if (!d->absent && d->expires > 0 && d->expires <= now) {
                        d->absent = true;
                        d->generation++;
                        if (cb)
                                cb(d, false, userdata);
                }
                if (d->absent && d->last_seen + inv->limits.retention_usec <= now) {
                        if (cb)
                                cb(d, true, userdata);
                        device_remove(inv, i);
                }
        }
}

Device *inventory_next(Inventory *inv, size_t *cursor) {
        while (*cursor < inv->n_devices) {
                Device *d = inv->devices[(*cursor)++];
                if (d)
                        return d;
        }
        return NULL;
}

size_t inventory_n_links(Inventory *inv) {
        return inv->n_links;
}

const Link *inventory_link(Inventory *inv, size_t i) {
        return i < inv->n_links ? &inv->links[i] : NULL;
}

/* ---- the merged view ---- */

const char *device_attr(const Device *d, size_t offset) {
        const char *best = NULL;
        uint64_t t = 0;
        for (size_t i = 0; i < d->n_obs; i++) {
                const char *v = *(const char *const *) ((const uint8_t *) &d->obs[i]->o + offset);
                if (v && (!best || d->obs[i]->o.time_usec >= t)) {
                        best = v;
                        t = d->obs[i]->o.time_usec;
                }
        }
        return best;
}

const char *device_kind_to_string(DeviceKind k) {
        return k == DEVICE_HOST ? "host" : "network";
}

static json_object *time_json(uint64_t usec) {
        if (usec == 0)
                return NULL;
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;
        char buf[40];
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return json_object_new_string(buf);
}

static json_object *str_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* Union of an array field over all observations, deduplicated. */
static void union_add(json_object *a, const char *v) {
        for (size_t j = 0; j < json_object_array_length(a); j++)
                if (streq(json_object_get_string(json_object_array_get_idx(a, j)), v))
                        return;
        if (json_object_array_length(a) < 256)
                json_object_array_add(a, json_object_new_string(v));
}

/* Union of an array field over the device's observations, and of the
 * identifiers it has claimed (`key_prefix`): only the latest observation of
 * each source is kept, but every MAC and address a device was ever seen
 * with stays in its identifier index, and so in its record. */
static json_object *union_json(const Device *d, size_t offset, size_t count_offset, bool macs, const char *key_prefix) {
        json_object *a = json_object_new_array();
        char buf[18];
        uint8_t mac[6];
        for (size_t i = 0; i < d->n_obs; i++) {
                const struct vw_observation *o = &d->obs[i]->o;
                const char *const *l = *(const char *const *const *) ((const uint8_t *) o + offset);
                size_t n = *(const size_t *) ((const uint8_t *) o + count_offset);
                for (size_t k = 0; k < n; k++)
                        union_add(a, macs && mac_parse(l[k], mac) >= 0 ? mac_format(mac, buf) : l[k]);
        }
        size_t plen = strlen(key_prefix);
        for (size_t i = 0; i < d->n_keys; i++) {
                const char *v = d->keys[i];
                if (strncmp(v, key_prefix, plen) != 0)
                        continue;
                v += plen;
                if (macs && mac_parse(v, mac) >= 0)
                        v = mac_format(mac, buf);
                union_add(a, v);
        }
        return a;
}

/* Our keys are literals and unique per object: json-c need not copy them
 * (a device listing adds millions of them). */
static void add_field(json_object *j, const char *key, json_object *v) {
        json_object_object_add_ex(j, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

json_object *device_to_json(const Device *d, bool detail) {
        json_object *j = json_object_new_object();
        const char *chassis = DEVICE_ATTR(d, chassis_id);
        uint8_t mac[6];
        char buf[18];

        add_field(j, "id", json_object_new_string(d->id));
        add_field(j, "kind", json_object_new_string(device_kind_to_string(d->kind)));
        if (chassis && mac_parse(chassis, mac) >= 0)
                chassis = mac_format(mac, buf);
        add_field(j, "chassis_id", str_or_null(chassis));
        add_field(j, "chassis_subtype", str_or_null(DEVICE_ATTR(d, chassis_subtype)));
        add_field(j, "sys_name", str_or_null(DEVICE_ATTR(d, sys_name)));
        add_field(j, "sys_descr", str_or_null(DEVICE_ATTR(d, sys_descr)));
        add_field(j, "sys_object_id", str_or_null(DEVICE_ATTR(d, sys_object_id)));
        add_field(j, "port_id", str_or_null(DEVICE_ATTR(d, port_id)));
        add_field(j, "macs", union_json(d, offsetof(struct vw_observation, macs),
                                                     offsetof(struct vw_observation, n_macs), true, "mac:"));
        add_field(j, "addresses", union_json(d, offsetof(struct vw_observation, addresses),
                                                          offsetof(struct vw_observation, n_addresses), false, "addr:"));
        json_object *sources = json_object_new_array();
        for (size_t i = 0; i < d->n_obs; i++)
                json_object_array_add(sources, json_object_new_string(d->obs[i]->o.source ? d->obs[i]->o.source : "unknown"));
        add_field(j, "sources", sources);
        add_field(j, "first_seen", time_json(d->first_seen));
        add_field(j, "last_seen", time_json(d->last_seen));
        add_field(j, "state", json_object_new_string(d->stale ? "stale" : d->absent ? "absent" : "present"));

        add_field(j, "vendor", str_or_null(d->vendor.vendor));
        add_field(j, "vendor_name", str_or_null(d->vendor.vendor_name));
        add_field(j, "made_by", str_or_null(d->vendor.made_by));
        add_field(j, "confidence", d->vendor.vendor ? json_object_new_double(d->vendor.confidence) : NULL);
        add_field(j, "conflict", json_object_new_boolean(d->vendor.conflict));
        add_field(j, "role", str_or_null(d->role.role));
        add_field(j, "segment", str_or_null(d->role.segment));
        add_field(j, "role_rule", str_or_null(d->role.rule));
        add_field(j, "violation", json_object_new_boolean(d->policy.violation));
        add_field(j, "waived", json_object_new_boolean(d->policy.waived));

        if (detail) {
                json_object *v = vendor_verdict_to_json(&d->vendor);
                json_object *ev = NULL;
                if (v && json_object_object_get_ex(v, "evidence", &ev))
                        add_field(j, "evidence", json_object_get(ev));
                json_object_put(v);
                json_object *keys = json_object_new_array();
                for (size_t i = 0; i < d->n_keys; i++)
                        json_object_array_add(keys, json_object_new_string(d->keys[i]));
                add_field(j, "identifiers", keys);
                json_object *obs = json_object_new_array();
                for (size_t i = 0; i < d->n_obs; i++) {
                        json_object *o = observation_to_json(&d->obs[i]->o);
                        json_object_object_add(o, "time", time_json(d->obs[i]->o.time_usec));
                        json_object_array_add(obs, o);
                }
                add_field(j, "observations", obs);
                add_field(j, "policy_rule", str_or_null(d->policy.rule));
        }
        return j;
}
