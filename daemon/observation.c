/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <strings.h>

#include "errorf.h"
#include "observation.h"

/* Strings and string arrays of struct vw_observation, by offset, so copying
 * and (de)serialising are one table walk instead of a field-by-field list. */
static const struct {
        const char *name;
        size_t offset;
} obs_strings[] = {
#define S(f) { #f, offsetof(struct vw_observation, f) }
        S(source), S(kind), S(chassis_id), S(chassis_subtype), S(port_id), S(port_subtype),
        S(port_descr), S(sys_name), S(sys_descr), S(sys_object_id), S(platform),
        S(sw_version), S(entity_serial), S(med_mfg), S(med_model), S(med_serial),
        S(dhcp_vendor_class), S(hostname),
#undef S
};

static const struct {
        const char *name;
        size_t offset;          /* const char *const * */
        size_t count_offset;    /* size_t */
} obs_arrays[] = {
#define A(f) { #f, offsetof(struct vw_observation, f), offsetof(struct vw_observation, n_##f) }
        A(macs), A(addresses), A(entity_mfg), A(entity_model),
#undef A
};

static const struct {
        const char *name;
        size_t offset;
} obs_via[] = {
        { "device", offsetof(struct vw_via, device) },
        { "port", offsetof(struct vw_via, port) },
        { "interface", offsetof(struct vw_via, interface) },
        { "agent", offsetof(struct vw_via, agent) },
};

static const char *const cap_names[] = {
        "other", "repeater", "bridge", "wlan", "router", "telephone", "docsis", "station",
        "cvlan", "svlan", "tpmr",
};

#define FIELD(o, off, type) (*(type *) ((uint8_t *) (o) + (off)))
/* a pointer-to-const-char field: a typedef keeps "const" from doubling up in CFIELD */
typedef const char *cstr;
typedef const char *const *cstrv;
#define CFIELD(o, off, type) (*(const type *) ((const uint8_t *) (o) + (off)))

/* A bump allocator over one block, sized by a first pass. */
struct arena {
        uint8_t *p;
        size_t used, size;
};

static void *arena_take(struct arena *a, size_t n, size_t align) {
        size_t at = (a->used + align - 1) & ~(align - 1);
        if (!a->p) {            /* sizing pass */
                a->used = at + n;
                return NULL;
        }
        void *r = a->p + at;
        a->used = at + n;
        return r;
}

static const char *arena_str(struct arena *a, const char *s) {
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *d = arena_take(a, n, 1);
        if (d)
                memcpy(d, s, n);
        return d;
}

static void copy_into(struct arena *a, const struct vw_observation *src, struct vw_observation *dst) {
        for (size_t i = 0; i < ELEMENTSOF(obs_strings); i++)
                FIELD(dst, obs_strings[i].offset, const char *) =
                        arena_str(a, CFIELD(src, obs_strings[i].offset, cstr));
        for (size_t i = 0; i < ELEMENTSOF(obs_arrays); i++) {
                size_t n = CFIELD(src, obs_arrays[i].count_offset, size_t);
                const char *const *from = CFIELD(src, obs_arrays[i].offset, cstrv);
                const char **to = n > 0 && from ? arena_take(a, n * sizeof(char *), sizeof(char *)) : NULL;
                for (size_t j = 0; from && j < n; j++) {
                        const char *s = arena_str(a, from[j]);
                        if (to)
                                to[j] = s;
                }
                FIELD(dst, obs_arrays[i].offset, const char **) = to;
                FIELD(dst, obs_arrays[i].count_offset, size_t) = from ? n : 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(obs_via); i++)
                FIELD(&dst->via, obs_via[i].offset, const char *) =
                        arena_str(a, CFIELD(&src->via, obs_via[i].offset, cstr));
}

int observation_dup(const struct vw_observation *src, Observation **ret) {
        struct arena sizing = {};
        struct vw_observation scratch;
        copy_into(&sizing, src, &scratch);

        Observation *o = malloc(sizeof(Observation) + sizing.used);
        if (!o)
                return -ENOMEM;
        o->o = *src;
        o->storage = NULL;
        struct arena a = { .p = (uint8_t *) (o + 1), .size = sizing.used };
        copy_into(&a, src, &o->o);
        *ret = o;
        return 0;
}

Observation *observation_free(Observation *o) {
        free(o);        /* one block: the struct and everything it points to */
        return NULL;
}

/* A hex digit's value, or -1: one load, no locale. */
static const int8_t hex_digit[256] = {
        ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9,
        ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
        ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hexval(int c) {
        return hex_digit[(unsigned char) c] - 1;
}

/* The canonical form, by far the most common: aa:bb:cc:dd:ee:ff.  Stops at
 * the first byte that does not fit, so never reads past a short string's NUL. */
static bool mac_parse_canonical(const char *s, uint8_t ret[6]) {
        uint8_t mac[6];
#pragma GCC unroll 6
        for (size_t i = 0; i < 6; i++, s += 3) {
                int hi = hex_digit[(unsigned char) s[0]], lo;
                if (hi == 0 || (lo = hex_digit[(unsigned char) s[1]]) == 0 || s[2] != (i < 5 ? ':' : '\0'))
                        return false;
                mac[i] = (uint8_t) ((hi - 1) << 4 | (lo - 1));
        }
        memcpy(ret, mac, 6);
        return true;
}

int mac_parse(const char *s, uint8_t ret[6]) {
        uint8_t mac[6];
        size_t nibbles = 0;

        if (!s)
                return -EINVAL;
        if (mac_parse_canonical(s, ret))
                return 0;
        /* Accept any one separator style: ':' or '-' every 2 digits, '.' every
         * 4 (Cisco), or none; reject mixtures and stray characters. */
        char sep = 0;
        size_t group = 0, since = 0;
        for (const char *p = s; *p; p++) {
                int v = hexval((unsigned char) *p);
                if (v >= 0) {
                        if (nibbles >= 12)
                                return -EINVAL;
                        if (nibbles % 2 == 0)
                                mac[nibbles / 2] = (uint8_t) (v << 4);
                        else
                                mac[nibbles / 2] |= (uint8_t) v;
                        nibbles++, since++;
                        continue;
                }
                if (*p != ':' && *p != '-' && *p != '.')
                        return -EINVAL;
                if (sep && *p != sep)
                        return -EINVAL;
                if (!sep) {
                        sep = *p;
                        group = since;
                }
                if (since != group || since == 0)
                        return -EINVAL;
                since = 0;
        }
        if (nibbles != 12)
                return -EINVAL;
        if (sep && since != group)
                return -EINVAL;
        if ((sep == '.' && group != 4) || ((sep == ':' || sep == '-') && group != 2))
                return -EINVAL;
        memcpy(ret, mac, 6);
        return 0;
}

char *mac_format(const uint8_t mac[6], char buf[static 18]) {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < 6; i++) {
                buf[i * 3] = hex[mac[i] >> 4];
                buf[i * 3 + 1] = hex[mac[i] & 15];
                buf[i * 3 + 2] = i < 5 ? ':' : '\0';
        }
        return buf;
}

bool mac_is_weak(const uint8_t m[6]) {
        static const uint8_t zero[6] = {};
        if (m[0] & 0x03)                        /* multicast or locally administered */
                return true;
        if (memcmp(m, zero, 6) == 0)
                return true;
        if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x5e && m[3] == 0x00 && (m[4] == 0x01 || m[4] == 0x02))
                return true;                    /* VRRP v4/v6 virtual router */
        if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x0c && m[3] == 0x07 && m[4] == 0xac)
                return true;                    /* HSRPv1 */
        if (m[0] == 0x00 && m[1] == 0x00 && m[2] == 0x0c && m[3] == 0x9f && (m[4] & 0xf0) == 0xf0)
                return true;                    /* HSRPv2 */
        if (m[0] == 0x00 && m[1] == 0x07 && m[2] == 0xb4 && m[3] == 0x00)
                return true;                    /* GLBP */
        return false;
}

/* ---- JSON ---- */

static int json_str(json_object *v, const char *key, const char **ret, char **ret_error) {
        if (json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return errorf(ret_error, "\"%s\" must be a string", key);
        *ret = json_object_get_string(v);
        return 0;
}

/* A string array; a plain string is taken as a one-element array (ENTITY
 * values are often single). */
static int json_strv(json_object *v, const char *key, const char ***ret, size_t *ret_n, char **ret_error) {
        if (json_object_is_type(v, json_type_null))
                return 0;
        if (json_object_is_type(v, json_type_string)) {
                const char **l = malloc(sizeof(char *));
                if (!l)
                        return -ENOMEM;
                l[0] = json_object_get_string(v);
                *ret = l, *ret_n = 1;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array))
                return errorf(ret_error, "\"%s\" must be an array of strings", key);
        size_t n = json_object_array_length(v);
        if (n > 4096)
                return errorf(ret_error, "\"%s\" has %zu entries (limit 4096)", key, n);
        const char **l = calloc(n ? n : 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                        free(l);
                        return errorf(ret_error, "\"%s\"[%zu] must be a string", key, i);
                }
                l[i] = json_object_get_string(e);
        }
        *ret = l, *ret_n = n;
        return 0;
}

static int json_int(json_object *v, const char *key, int64_t min, int64_t max, int32_t *ret, char **ret_error) {
        if (json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return errorf(ret_error, "\"%s\" must be an integer", key);
        errno = 0;
        int64_t x = json_object_get_int64(v);
        if (errno != 0 || x < min || x > max)
                return errorf(ret_error, "\"%s\" out of range %" PRId64 "..%" PRId64, key, min, max);
        *ret = (int32_t) x;
        return 0;
}

static int json_caps(json_object *v, const char *key, uint32_t *ret, char **ret_error) {
        if (json_object_is_type(v, json_type_null))
                return 0;
        if (json_object_is_type(v, json_type_int)) {
                /* only the defined bits: the JSON form names them, so any
                 * other bit would not survive a round trip */
                int64_t x = json_object_get_int64(v);
                if (x < 0 || x >= 1 << ELEMENTSOF(cap_names))
                        return errorf(ret_error, "\"%s\" out of range 0..%d", key, (1 << ELEMENTSOF(cap_names)) - 1);
                *ret = (uint32_t) x;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array))
                return errorf(ret_error, "\"%s\" must be an array of capability names", key);
        uint32_t caps = 0;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *s = json_object_get_string(e);
                size_t j;
                if (!json_object_is_type(e, json_type_string))
                        return errorf(ret_error, "\"%s\"[%zu] must be a string", key, i);
                for (j = 0; j < ELEMENTSOF(cap_names); j++)
                        if (strcasecmp(s, cap_names[j]) == 0)
                                break;
                if (j == ELEMENTSOF(cap_names))
                        return errorf(ret_error, "\"%s\"[%zu]: unknown capability \"%.40s\"", key, i, s);
                caps |= 1u << j;
        }
        *ret = caps;
        return 0;
}

int observation_from_json(const char *line, size_t len, Observation **ret, char **ret_id, char **ret_error) {
        json_tokener *tok = json_tokener_new_ex(32);
        if (!tok)
                return -ENOMEM;
        int r = observation_from_json_tok(tok, line, len, ret, ret_id, ret_error);
        json_tokener_free(tok);
        return r;
}

int observation_from_json_tok(json_tokener *tok, const char *line, size_t len, Observation **ret, char **ret_id,
                              char **ret_error) {
        json_tokener_reset(tok);
        json_object *root = json_tokener_parse_ex(tok, line, (int) len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t consumed = json_tokener_get_parse_end(tok);

        if (!root || jerr != json_tokener_success) {
                json_object_put(root);
                return errorf(ret_error, "malformed JSON: %s",
                                 jerr == json_tokener_continue ? "unexpected end of input"
                                                               : json_tokener_error_desc(jerr));
        }
        for (size_t i = consumed; i < len; i++)
                if (!isspace((unsigned char) line[i])) {
                        json_object_put(root);
                        return errorf(ret_error, "malformed JSON: trailing data after the object");
                }
        if (!json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return errorf(ret_error, "an observation must be a JSON object");
        }

        struct vw_observation o = VW_OBSERVATION_INIT;
        const char **arrays[ELEMENTSOF(obs_arrays)] = {};
        int r = 0;

        if (ret_id) {
                json_object *id;
                *ret_id = NULL;
                if (json_object_object_get_ex(root, "id", &id) && !json_object_is_type(id, json_type_null))
                        *ret_id = strdup(json_object_get_string(id));
        }

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(obs_strings); i++) {
                json_object *v;
                if (json_object_object_get_ex(root, obs_strings[i].name, &v))
                        r = json_str(v, obs_strings[i].name, &FIELD(&o, obs_strings[i].offset, const char *), ret_error);
        }
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(obs_arrays); i++) {
                json_object *v;
                if (json_object_object_get_ex(root, obs_arrays[i].name, &v)) {
                        r = json_strv(v, obs_arrays[i].name, &arrays[i],
                                      &FIELD(&o, obs_arrays[i].count_offset, size_t), ret_error);
                        FIELD(&o, obs_arrays[i].offset, const char **) = arrays[i];
                }
        }
        json_object *v;
        if (r >= 0 && json_object_object_get_ex(root, "vlan", &v))
                r = json_int(v, "vlan", 0, 4095, &o.vlan, ret_error);
        if (r >= 0 && json_object_object_get_ex(root, "ttl", &v))
                r = json_int(v, "ttl", 0, 65535, &o.ttl, ret_error);
        if (r >= 0 && json_object_object_get_ex(root, "capabilities", &v))
                r = json_caps(v, "capabilities", &o.caps_system, ret_error);
        if (r >= 0 && json_object_object_get_ex(root, "capabilities_enabled", &v))
                r = json_caps(v, "capabilities_enabled", &o.caps_enabled, ret_error);
        else if (r >= 0)
                o.caps_enabled = o.caps_system;
        if (r >= 0 && json_object_object_get_ex(root, "via", &v) && !json_object_is_type(v, json_type_null)) {
                if (!json_object_is_type(v, json_type_object))
                        r = errorf(ret_error, "\"via\" must be an object");
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(obs_via); i++) {
                        json_object *w;
                        if (json_object_object_get_ex(v, obs_via[i].name, &w))
                                r = json_str(w, obs_via[i].name, &FIELD(&o.via, obs_via[i].offset, const char *), ret_error);
                }
        }
        if (r >= 0 && o.kind && !streq(o.kind, "network") && !streq(o.kind, "host"))
                r = errorf(ret_error, "\"kind\" must be \"network\" or \"host\"");
        for (size_t i = 0; r >= 0 && i < o.n_macs; i++) {
                uint8_t mac[6];
                if (mac_parse(o.macs[i], mac) < 0)
                        r = errorf(ret_error, "\"macs\"[%zu]: not a MAC address: \"%.40s\"", i, o.macs[i]);
        }

        if (r >= 0)
                r = observation_dup(&o, ret);
        for (size_t i = 0; i < ELEMENTSOF(arrays); i++)
                free(arrays[i]);
        json_object_put(root);
        if (r < 0 && ret_id) {
                free(*ret_id);
                *ret_id = NULL;
        }
        return r;
}

json_object *observation_to_json(const struct vw_observation *o) {
        json_object *j = json_object_new_object();
        if (!j)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(obs_strings); i++) {
                const char *s = CFIELD(o, obs_strings[i].offset, cstr);
                if (s)
                        json_object_object_add(j, obs_strings[i].name, json_object_new_string(s));
        }
        for (size_t i = 0; i < ELEMENTSOF(obs_arrays); i++) {
                size_t n = CFIELD(o, obs_arrays[i].count_offset, size_t);
                const char *const *l = CFIELD(o, obs_arrays[i].offset, cstrv);
                if (n == 0 || !l)
                        continue;
                json_object *a = json_object_new_array_ext((int) n);
                for (size_t k = 0; k < n; k++) {
                        uint8_t mac[6];
                        char buf[18];
                        /* MACs always leave in one canonical form */
                        if (obs_arrays[i].offset == offsetof(struct vw_observation, macs) &&
                            mac_parse(l[k], mac) >= 0)
                                json_object_array_add(a, json_object_new_string(mac_format(mac, buf)));
                        else
                                json_object_array_add(a, json_object_new_string(l[k]));
                }
                json_object_object_add(j, obs_arrays[i].name, a);
        }
        if (o->caps_system) {
                json_object *a = json_object_new_array();
                for (size_t k = 0; k < ELEMENTSOF(cap_names); k++)
                        if (o->caps_system & (1u << k))
                                json_object_array_add(a, json_object_new_string(cap_names[k]));
                json_object_object_add(j, "capabilities", a);
        }
        /* written whenever it differs, an empty list too: absent means "as
         * capabilities" to the parser */
        if (o->caps_enabled != o->caps_system) {
                json_object *a = json_object_new_array();
                for (size_t k = 0; k < ELEMENTSOF(cap_names); k++)
                        if (o->caps_enabled & (1u << k))
                                json_object_array_add(a, json_object_new_string(cap_names[k]));
                json_object_object_add(j, "capabilities_enabled", a);
        }
        if (o->vlan >= 0)
                json_object_object_add(j, "vlan", json_object_new_int(o->vlan));
        if (o->ttl >= 0)
                json_object_object_add(j, "ttl", json_object_new_int(o->ttl));
        json_object *via = NULL;
        for (size_t i = 0; i < ELEMENTSOF(obs_via); i++) {
                const char *s = CFIELD(&o->via, obs_via[i].offset, cstr);
                if (!s)
                        continue;
                if (!via)
                        via = json_object_new_object();
                json_object_object_add(via, obs_via[i].name, json_object_new_string(s));
        }
        if (via)
                json_object_object_add(j, "via", via);
        return j;
}

/* ---- the packed form ----
 *
 * After the header, the strings present, each NUL-terminated, in this order:
 *   1. the string fields that identify and describe (bit i of `present` for
 *      field i, in field order), but not the volatile ones below;
 *   2. the items of addresses, entity_mfg, entity_model;
 *   3. the volatile string fields: port ID, its subtype, port description;
 *   4. the MACs.
 * 3 and 4 are what a neighbour re-announcing itself changes: they come last,
 * so that packed_obs_patch() rewrites only that tail. */

#define N_STRING_FIELDS (ELEMENTSOF(obs_strings) + ELEMENTSOF(obs_via))

/* Field i of the packed form: the scalar strings, then the via members. */
static size_t string_field_offset(size_t i) {
        if (i < ELEMENTSOF(obs_strings))
                return obs_strings[i].offset;
        return offsetof(struct vw_observation, via) + obs_via[i - ELEMENTSOF(obs_strings)].offset;
}

/* Bits of the volatile string fields (port_id, port_subtype, port_descr are
 * fields 4, 5 and 6 of obs_strings; test_packed_patch reads them back). */
#define VOLATILE_BITS (UINT32_C(7) << 4)
_Static_assert(offsetof(struct vw_observation, port_subtype) > offsetof(struct vw_observation, port_id) &&
               offsetof(struct vw_observation, port_descr) > offsetof(struct vw_observation, port_subtype),
               "port fields in order");

static bool string_field_volatile(size_t i) {
        return VOLATILE_BITS & (UINT32_C(1) << i);
}

/* The strings of `src` in layout order, as (pointer, length with NUL):
 * returns how many, up to `max`; *ret_size is the bytes of all of them
 * (counted on past `max`). */
struct piece {
        const char *s;
        size_t len;
};

/* The items of array a of `src`, NULL holes skipped. */
static size_t add_items(const struct vw_observation *src, size_t a, struct piece *out, size_t n, size_t max,
                        size_t *size, uint32_t *count) {
        const char *const *l = CFIELD(src, obs_arrays[a].offset, cstrv);
        size_t items = l ? CFIELD(src, obs_arrays[a].count_offset, size_t) : 0;
        *count = 0;
        for (size_t k = 0; k < items && *count < UINT32_MAX; k++) {
                if (!l[k])
                        continue;       /* a hole in a plugin's list holds nothing */
                size_t len = strlen(l[k]) + 1;
                *size += len;
                if (n < max)
                        out[n] = (struct piece) { l[k], len };
                n++;
                (*count)++;
        }
        return n;
}

static size_t add_strings(const struct vw_observation *src, bool volatile_ones, struct piece *out, size_t n,
                          size_t max, size_t *size, uint32_t *present) {
        for (size_t i = 0; i < N_STRING_FIELDS; i++) {
                const char *s = CFIELD(src, string_field_offset(i), cstr);
                if (!s || string_field_volatile(i) != volatile_ones)
                        continue;
                size_t len = strlen(s) + 1;
                *size += len;
                if (n < max)
                        out[n] = (struct piece) { s, len };
                n++;
                *present |= UINT32_C(1) << i;
        }
        return n;
}

/* The tail (sections 3 and 4) of `src`: the volatile fields are 4, 5, 6. */
/* The volatile strings (fields 4 to 6: port ID, its subtype, port
 * description) then the MACs, read straight from their fields. */
static size_t tail_pieces(const struct vw_observation *src, struct piece *out, size_t max, size_t *size,
                          uint32_t *present, uint32_t *n_macs) {
        _Static_assert(VOLATILE_BITS == (UINT32_C(7) << 4), "the volatile strings are fields 4 to 6");
        const char *const v[3] = { src->port_id, src->port_subtype, src->port_descr };
        size_t n = 0;
        for (size_t i = 0; i < 3; i++)
                if (v[i]) {
                        size_t len = strlen(v[i]) + 1;
                        *size += len;
                        out[n++] = (struct piece) { v[i], len };        /* max is well above 3 */
                        *present |= UINT32_C(1) << (4 + i);
                }
        return add_items(src, OBS_MACS, out, n, max, size, n_macs);
}

static char *put_pieces(char *at, const struct piece *pieces, size_t n) {
        for (size_t k = 0; k < n; k++) {
                memcpy(at, pieces[k].s, pieces[k].len);
                at += pieces[k].len;
        }
        return at;
}

/* Past the items of one array, or of the tail, when `pieces` were cut at
 * their max: write the rest straight from `src`. */
static char *put_items_slow(char *at, const struct vw_observation *src, size_t a) {
        const char *const *l = CFIELD(src, obs_arrays[a].offset, cstrv);
        size_t items = l ? CFIELD(src, obs_arrays[a].count_offset, size_t) : 0;
        for (size_t k = 0, written = 0; k < items && written < UINT32_MAX; k++)
                if (l[k]) {
                        size_t len = strlen(l[k]) + 1;
                        memcpy(at, l[k], len);
                        at += len;
                        written++;
                }
        return at;
}

static void set_scalars(PackedObs *p, const struct vw_observation *src) {
        p->time_usec = src->time_usec;
        p->caps_system = src->caps_system;
        p->caps_enabled = src->caps_enabled;
        p->vlan = src->vlan;
        p->ttl = src->ttl;
}

#define PIECES_MAX 64

int packed_obs_new(const struct vw_observation *src, PackedObs **ret) {
        _Static_assert(N_STRING_FIELDS <= 32, "one bit per string field");
        _Static_assert(ELEMENTSOF(obs_arrays) == OBS_ARRAYS_MAX, "the arrays");
        _Static_assert(OBS_MACS == 0, "the MACs are array 0, packed last");
        struct piece head[PIECES_MAX], tail[PIECES_MAX];
        size_t size = 0, n_head = 0, n_tail;
        uint32_t present = 0, items[OBS_ARRAYS_MAX] = {};

        n_head = add_strings(src, false, head, 0, PIECES_MAX, &size, &present);
        for (size_t a = 1; a < OBS_ARRAYS_MAX; a++)
                n_head = add_items(src, a, head, n_head, PIECES_MAX, &size, &items[a]);
        n_tail = tail_pieces(src, tail, PIECES_MAX, &size, &present, &items[OBS_MACS]);

        PackedObs *p = malloc(sizeof(PackedObs) + size);
        if (!p)
                return -ENOMEM;
        *p = (PackedObs) { .present = present };
        set_scalars(p, src);
        memcpy(p->n_items, items, sizeof items);
        char *at = p->data;
        if (n_head <= PIECES_MAX)
                at = put_pieces(at, head, n_head);
        else {
                /* long lists: the first pieces are all strings, then items */
                size_t n_str = (size_t) __builtin_popcount(present & ~VOLATILE_BITS);
                at = put_pieces(at, head, n_str);
                for (size_t a = 1; a < OBS_ARRAYS_MAX; a++)
                        at = put_items_slow(at, src, a);
        }
        if (n_tail <= PIECES_MAX)
                put_pieces(at, tail, n_tail);
        else {
                size_t n_str = (size_t) __builtin_popcount(present & VOLATILE_BITS);
                at = put_pieces(at, tail, n_str);
                put_items_slow(at, src, OBS_MACS);
        }
        *ret = p;
        return 0;
}

PackedObs *packed_obs_free(PackedObs *p) {
        free(p);
        return NULL;
}

/* Walk `n` present strings from `at`. */
static const char *skip_strings(const char *at, size_t n) {
        for (size_t i = 0; i < n; i++)
                at += strlen(at) + 1;
        return at;
}

/* Where section 3 starts: past the head's strings and items. */
static const char *tail_start(const PackedObs *p) {
        size_t n = (size_t) __builtin_popcount(p->present & ~VOLATILE_BITS);
        for (size_t a = 1; a < OBS_ARRAYS_MAX; a++)
                n += p->n_items[a];
        return skip_strings(p->data, n);
}

size_t packed_obs_tail_offset(const PackedObs *p) {
        return (size_t) (tail_start(p) - p->data);
}

/* A string's length with its NUL, 0 for none. */
static inline size_t str_size(const char *s) {
        return s ? strlen(s) + 1 : 0;
}

#define PATCH_MACS_FAST 4       /* MACs whose lengths a patch keeps */

/* Every refresh passes here, so the tail is measured and written straight
 * from its fields (the layout tail_pieces() gives packed_obs_new()). */
int packed_obs_patch(PackedObs **p, size_t tail_offset, size_t room, const struct vw_observation *src,
                     uint64_t time_usec) {
        const char *const v0 = src->port_id, *const v1 = src->port_subtype, *const v2 = src->port_descr;
        size_t len0 = str_size(v0), len1 = str_size(v1), len2 = str_size(v2);
        size_t size = len0 + len1 + len2, mac_len[PATCH_MACS_FAST];
        uint32_t present = (v0 ? UINT32_C(1) << 4 : 0) | (v1 ? UINT32_C(1) << 5 : 0) | (v2 ? UINT32_C(1) << 6 : 0);
        uint32_t n_macs = 0;
        for (size_t k = 0; k < src->n_macs && n_macs < UINT32_MAX; k++)
                if (src->macs[k]) {             /* a hole holds nothing */
                        size_t len = strlen(src->macs[k]) + 1;
                        if (n_macs < PATCH_MACS_FAST)
                                mac_len[n_macs] = len;
                        size += len;
                        n_macs++;
                }
        PackedObs *q = *p;
        size_t need = sizeof(PackedObs) + tail_offset + size;
        if (room < need && malloc_usable_size(q) < need) {
                q = realloc(q, need);
                if (!q)
                        return -ENOMEM;         /* *p is as it was */
                *p = q;
        }
        set_scalars(q, src);
        q->time_usec = time_usec;
        q->present = (q->present & ~VOLATILE_BITS) | present;
        q->n_items[OBS_MACS] = n_macs;
        char *at = q->data + tail_offset;
        if (v0)
                at = mempcpy(at, v0, len0);
        if (v1)
                at = mempcpy(at, v1, len1);
        if (v2)
                at = mempcpy(at, v2, len2);
        for (size_t k = 0, written = 0; k < src->n_macs && written < n_macs; k++)
                if (src->macs[k]) {
                        if (written < PATCH_MACS_FAST)
                                at = mempcpy(at, src->macs[k], mac_len[written]);
                        else
                                at = stpcpy(at, src->macs[k]) + 1;
                        written++;
                }
        return 0;
}

const char *packed_obs_get(const PackedObs *p, size_t offset) {
        for (size_t i = 0; i < N_STRING_FIELDS; i++) {
                if (string_field_offset(i) != offset)
                        continue;
                uint32_t bit = UINT32_C(1) << i;
                if (!(p->present & bit))
                        return NULL;
                if (!string_field_volatile(i))
                        return skip_strings(p->data, (size_t) __builtin_popcount(p->present & ~VOLATILE_BITS &
                                                                                  (bit - 1)));
                return skip_strings(tail_start(p), (size_t) __builtin_popcount(p->present & VOLATILE_BITS & (bit - 1)));
        }
        return NULL;
}

const char *packed_obs_items(const PackedObs *p, unsigned array, size_t *ret_n) {
        assert(array < OBS_ARRAYS_MAX);
        *ret_n = p->n_items[array];
        if (p->n_items[array] == 0)
                return NULL;
        if (array == OBS_MACS)
                return skip_strings(tail_start(p), (size_t) __builtin_popcount(p->present & VOLATILE_BITS));
        size_t before = (size_t) __builtin_popcount(p->present & ~VOLATILE_BITS);
        for (unsigned a = 1; a < array; a++)
                before += p->n_items[a];
        return skip_strings(p->data, before);
}

/* Point the struct's string fields of one kind at the packed strings. */
static const char *view_strings(const PackedObs *p, const char *at, bool volatile_ones, struct vw_observation *o) {
        for (size_t i = 0; i < N_STRING_FIELDS; i++)
                if ((p->present & (UINT32_C(1) << i)) && string_field_volatile(i) == volatile_ones) {
                        FIELD(o, string_field_offset(i), const char *) = at;
                        at += strlen(at) + 1;
                }
        return at;
}

static const char *view_items(const PackedObs *p, const char *at, size_t a, const char ***items,
                              struct vw_observation *o) {
        FIELD(o, obs_arrays[a].offset, const char **) = p->n_items[a] ? *items : NULL;
        FIELD(o, obs_arrays[a].count_offset, size_t) = p->n_items[a];
        for (size_t k = 0; k < p->n_items[a]; k++) {
                *(*items)++ = at;
                at += strlen(at) + 1;
        }
        return at;
}

int packed_obs_view(const PackedObs *p, ObsView *ret) {
        size_t n_items = 0;
        for (size_t a = 0; a < OBS_ARRAYS_MAX; a++)
                n_items += p->n_items[a];
        *ret = (ObsView) {};
        const char **items = ret->items;
        if (n_items > ELEMENTSOF(ret->items)) {
                ret->heap = items = calloc(n_items, sizeof(char *));
                if (!items)
                        return -ENOMEM;
        }
        struct vw_observation *o = &ret->o;
        o->time_usec = p->time_usec;
        o->caps_system = p->caps_system;
        o->caps_enabled = p->caps_enabled;
        o->vlan = p->vlan;
        o->ttl = p->ttl;
        const char *at = view_strings(p, p->data, false, o);
        for (size_t a = 1; a < OBS_ARRAYS_MAX; a++)
                at = view_items(p, at, a, &items, o);
        at = view_strings(p, at, true, o);
        view_items(p, at, OBS_MACS, &items, o);
        return 0;
}

/* Compare the next `n` stored strings with l[0..n) (NULL entries skipped,
 * as packing does); *at moves past them.  With `blocks`, only each MAC's
 * first 13 characters ("aa:bb:cc:dd:e", 36 bits) need to match. */
static bool items_equal(const char **at, size_t n, const char *const *l, size_t n_l, bool blocks) {
        size_t k = 0;
        bool same = true;
        for (size_t j = 0; j < n_l; j++) {
                if (!l[j])
                        continue;
                if (k++ >= n)
                        return false;
                size_t len = strlen(*at);
                if (same && (blocks ? len != 17 || strlen(l[j]) != 17 || memcmp(*at, l[j], 13) != 0
                                    : strcmp(*at, l[j]) != 0))
                        same = false;
                *at += len + 1;
        }
        return same && k == n;
}

unsigned packed_obs_compare(const PackedObs *p, const struct vw_observation *o) {
        if (p->caps_system != o->caps_system || p->caps_enabled != o->caps_enabled || p->vlan != o->vlan)
                return 0;
        const char *at = p->data;
        for (size_t i = 0; i < N_STRING_FIELDS; i++) {
                if (string_field_volatile(i))
                        continue;
                const char *s = CFIELD(o, string_field_offset(i), cstr);
                bool stored = p->present & (UINT32_C(1) << i);
                if (stored != (s != NULL) || (stored && strcmp(at, s) != 0))
                        return 0;
                if (stored)
                        at += strlen(s) + 1;    /* equal: the new one is in cache */
        }
        for (size_t a = 1; a < OBS_ARRAYS_MAX; a++) {
                const char *const *l = CFIELD(o, obs_arrays[a].offset, cstrv);
                size_t n = l ? CFIELD(o, obs_arrays[a].count_offset, size_t) : 0;
                if (!items_equal(&at, p->n_items[a], l, n, false))
                        return 0;
        }
        unsigned ret = OBS_SAME_IDENTITY;
        at = skip_strings(at, (size_t) __builtin_popcount(p->present & VOLATILE_BITS));
        if (items_equal(&at, p->n_items[OBS_MACS], o->macs, o->macs ? o->n_macs : 0, true))
                ret |= OBS_SAME_MAC_BLOCKS;
        return ret;
}

void obs_view_done(ObsView *v) {
        free(v->heap);
        v->heap = NULL;
}
