/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>

#include "roles.h"
#include "namemap.h"

struct RoleOverride {
        OverrideMatch match;
        char *value;                    /* id, chassis id, or canonical MAC */
        regex_t re;                     /* OVERRIDE_SYS_NAME */
        char *role;
        char *segment;                  /* may be NULL */
};

static const char *const override_match_names[_OVERRIDE_MATCH_MAX] = {
        [OVERRIDE_ID] = "id",
        [OVERRIDE_CHASSIS_ID] = "chassis_id",
        [OVERRIDE_MAC] = "mac",
        [OVERRIDE_SYS_NAME] = "sys_name",
};

int roles_config_new(RolesConfig **ret) {
        RolesConfig *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->heuristics = (RoleHeuristics) {
                .core_min_neighbours = 4,
                .router_is_core = true,
                .station_is_edge = true,
        };
        *ret = c;
        return 0;
}

static void override_free(RoleOverride *o) {
        if (!o)
                return;
        if (o->match == OVERRIDE_SYS_NAME)
                regfree(&o->re);
        free(o->value);
        free(o->role);
        free(o->segment);
        free(o);
}

RolesConfig *roles_config_free(RolesConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_segments; i++) {
                Segment *s = &c->segments[i];
                free(s->name);
                free(s->role);
                free(s->prefixes);
                free(s->vlans);
                strv_free(s->interfaces);
                strv_free(s->snmp_groups);
                for (size_t k = 0; k < s->n_snmp_scopes; k++)
                        free(s->snmp_scopes[k].group);
                free(s->snmp_scopes);
        }
        free(c->segments);
        for (size_t i = 0; i < c->n_overrides; i++)
                override_free(c->overrides[i]);
        free(c->overrides);
        free(c);
        return NULL;
}

static int strv_push(char ***l, const char *s) {
        size_t n = 0;
        while (*l && (*l)[n])
                n++;
        char **nl = realloc(*l, (n + 2) * sizeof *nl);
        if (!nl)
                return -ENOMEM;
        *l = nl;
        if (!(nl[n] = strdup(s))) {
                nl[n] = NULL;
                return -ENOMEM;
        }
        nl[n + 1] = NULL;
        return 0;
}

bool strv_contains(char *const *l, const char *s) {
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

const Segment *roles_find_segment(const RolesConfig *c, const char *name) {
        for (size_t i = 0; c && name && i < c->n_segments; i++)
                if (streq(c->segments[i].name, name))
                        return &c->segments[i];
        return NULL;
}

int roles_add_segment(RolesConfig *c, const char *name, const char *role, Segment **ret) {
        if (isempty(name) || isempty(role) || streq(role, "unknown"))
                return -EINVAL;
        if (roles_find_segment(c, name))
                return -EEXIST;
        Segment *n = realloc(c->segments, (c->n_segments + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        c->segments = n;
        Segment *s = &n[c->n_segments];
        *s = (Segment) { .name = strdup(name), .role = strdup(role) };
        if (!s->name || !s->role) {
                free(s->name);
                free(s->role);
                return -ENOMEM;
        }
        c->n_segments++;
        if (ret)
                *ret = s;
        return 0;
}

int role_prefix_parse(const char *s, RolePrefix *ret) {
        char buf[INET6_ADDRSTRLEN + 8];
        if (!s || strlen(s) >= sizeof buf)
                return -EINVAL;
        strcpy(buf, s);
        char *slash = strchr(buf, '/');
        long len = -1;
        if (slash) {
                char *end;
                *slash = 0;
                errno = 0;
                len = strtol(slash + 1, &end, 10);
                if (errno || end == slash + 1 || *end || len < 0)
                        return -EINVAL;
        }
        RolePrefix p = {};
        if (inet_pton(AF_INET, buf, p.addr) == 1) {
                p.family = AF_INET;
                if (len > 32)
                        return -EINVAL;
                p.len = len < 0 ? 32 : (unsigned) len;
        } else if (inet_pton(AF_INET6, buf, p.addr) == 1) {
                p.family = AF_INET6;
                if (len > 128)
                        return -EINVAL;
                p.len = len < 0 ? 128 : (unsigned) len;
        } else
                return -EINVAL;
        /* host bits set ("10.1.2.3/8") is almost always a typo: refuse it */
        size_t nbytes = p.family == AF_INET ? 4 : 16;
        for (size_t i = 0; i < nbytes; i++) {
                unsigned bit0 = (unsigned) i * 8;
                uint8_t mask = p.len >= bit0 + 8 ? 0xff : p.len <= bit0 ? 0 : (uint8_t) (0xff << (8 - (p.len - bit0)));
                if (p.addr[i] & ~mask)
                        return -EINVAL;
        }
        char a[INET6_ADDRSTRLEN];
        if (!inet_ntop(p.family, p.addr, a, sizeof a))
                return -EINVAL;
        snprintf(p.text, sizeof p.text, "%s/%u", a, p.len);
        *ret = p;
        return 0;
}

static bool prefix_match_bytes(const RolePrefix *p, const uint8_t *a) {
        unsigned full = p->len / 8, rest = p->len % 8;
        if (memcmp(p->addr, a, full) != 0)
                return false;
        if (rest == 0)
                return true;
        uint8_t mask = (uint8_t) (0xff << (8 - rest));
        return (p->addr[full] & mask) == (a[full] & mask);
}

/* Parse once: family and bytes, IPv4-mapped IPv6 folded into IPv4. */
static int address_parse(const char *address, int *ret_family, uint8_t ret[16]) {
        static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
        if (!address)
                return -EINVAL;
        if (inet_pton(AF_INET, address, ret) == 1) {
                *ret_family = AF_INET;
                return 0;
        }
        if (inet_pton(AF_INET6, address, ret) != 1)
                return -EINVAL;
        if (memcmp(ret, mapped, 12) == 0) {
                memmove(ret, ret + 12, 4);
                *ret_family = AF_INET;
        } else
                *ret_family = AF_INET6;
        return 0;
}

bool role_prefix_match(const RolePrefix *p, const char *address) {
        uint8_t a[16];
        int family;
        return address_parse(address, &family, a) >= 0 && family == p->family && prefix_match_bytes(p, a);
}

char *role_prefix_format(const RolePrefix *p, char *buf, size_t n) {
        snprintf(buf, n, "%s", p->text);
        return buf;
}

int segment_add_snmp_scope(Segment *s, const char *group, const RolePrefix *p) {
        SnmpScope *l = realloc(s->snmp_scopes, (s->n_snmp_scopes + 1) * sizeof(SnmpScope));
        if (!l)
                return -ENOMEM;
        s->snmp_scopes = l;
        char *g = strdup(group);
        if (!g)
                return -ENOMEM;
        l[s->n_snmp_scopes++] = (SnmpScope) { .group = g, .prefix = *p };
        return 0;
}

int segment_add_prefix(Segment *s, const char *cidr) {
        RolePrefix p;
        int r = role_prefix_parse(cidr, &p);
        if (r < 0)
                return r;
        RolePrefix *n = realloc(s->prefixes, (s->n_prefixes + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        s->prefixes = n;
        n[s->n_prefixes++] = p;
        return 0;
}

int segment_add_vlan(Segment *s, int64_t vlan) {
        if (vlan < 1 || vlan > 4094)
                return -ERANGE;
        uint16_t *n = realloc(s->vlans, (s->n_vlans + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        s->vlans = n;
        n[s->n_vlans++] = (uint16_t) vlan;
        return 0;
}

int segment_add_interface(Segment *s, const char *ifname) {
        if (isempty(ifname) || strlen(ifname) >= 16)
                return -EINVAL;
        return strv_push(&s->interfaces, ifname);
}

int segment_add_snmp_group(Segment *s, const char *group) {
        if (isempty(group))
                return -EINVAL;
        return strv_push(&s->snmp_groups, group);
}

int roles_add_override(RolesConfig *c, OverrideMatch match, const char *value, const char *role, const char *segment) {
        if (match < 0 || match >= _OVERRIDE_MATCH_MAX || isempty(value) || (isempty(role) && isempty(segment)))
                return -EINVAL;
        const Segment *seg = NULL;
        if (segment && !(seg = roles_find_segment(c, segment)))
                return -ENOENT;
        if (!role)
                role = seg->role;

        RoleOverride *o = calloc(1, sizeof *o);
        if (!o)
                return -ENOMEM;
        o->match = match;
        if (match == OVERRIDE_MAC) {
                uint8_t mac[6];
                char buf[18];
                if (mac_parse(value, mac) < 0) {
                        free(o);
                        return -EINVAL;
                }
                o->value = strdup(mac_format(mac, buf));
        } else if (match == OVERRIDE_SYS_NAME) {
                if (regcomp(&o->re, value, REG_EXTENDED | REG_NOSUB) != 0) {
                        free(o);
                        return -EINVAL;
                }
                o->value = strdup(value);
        } else
                o->value = strdup(value);
        o->role = strdup(role);
        o->segment = segment ? strdup(segment) : NULL;
        RoleOverride **n = realloc(c->overrides, (c->n_overrides + 1) * sizeof *n);
        if (!o->value || !o->role || (segment && !o->segment) || !n) {
                if (n)
                        c->overrides = n;
                override_free(o);
                return -ENOMEM;
        }
        c->overrides = n;
        n[c->n_overrides++] = o;
        return 0;
}

void role_verdict_done(RoleVerdict *v) {
        if (!v)
                return;
        free(v->role);          /* the block the other two live in */
        *v = (RoleVerdict) {};
}

int role_verdict_make(const char *role, const char *segment, const char *rule, RoleVerdict *ret) {
        size_t lr = strlen(role) + 1, ls = segment ? strlen(segment) + 1 : 0, lu = rule ? strlen(rule) + 1 : 0;
        char *block = malloc(lr + ls + lu);
        if (!block)
                return -ENOMEM;
        *ret = (RoleVerdict) {
                .role = memcpy(block, role, lr),
                .segment = segment ? memcpy(block + lr, segment, ls) : NULL,
                .rule = rule ? memcpy(block + lr + ls, rule, lu) : NULL,
        };
        return 0;
}

bool role_verdict_equal(const RoleVerdict *a, const RoleVerdict *b) {
        return streq_ptr(a->role, b->role) && streq_ptr(a->segment, b->segment) && streq_ptr(a->rule, b->rule);
}

/* Update *ret in place: nothing is allocated when the verdict is the one it
 * already holds (re-evaluating an unchanged inventory allocates nothing).
 * Returns 1 when it changed, 0 when not. */
static int verdict_set(RoleVerdict *ret, const char *role, const char *segment, const char *fmt, ...)
        _printf_(4, 5);
static int verdict_set(RoleVerdict *ret, const char *role, const char *segment, const char *fmt, ...) {
        char rule[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rule, sizeof rule, fmt, ap);
        va_end(ap);
        if (streq_ptr(ret->role, role) && streq_ptr(ret->segment, segment) && streq_ptr(ret->rule, rule))
                return 0;
        RoleVerdict v;
        if (role_verdict_make(role, segment, rule, &v) < 0)
                return -ENOMEM;
        role_verdict_done(ret);
        *ret = v;
        return 1;
}

/* --- matching ------------------------------------------------------------ */

static bool device_has_mac(const Device *d, const char *canonical) {
        for (size_t i = 0; i < d->n_obs; i++) {
                const PackedObs *o = d->obs[i];
                size_t n;
                const char *item = packed_obs_items(o, OBS_MACS, &n);
                for (size_t k = 0; k < n; k++, item = packed_obs_next_item(item)) {
                        uint8_t mac[6];
                        char buf[18];
                        if (mac_parse(item, mac) >= 0 && streq(mac_format(mac, buf), canonical))
                                return true;
                }
                uint8_t mac[6];
                char buf[18];
                const char *chassis = PACKED_OBS_GET(o, chassis_id);
                if (chassis && streq_ptr(PACKED_OBS_GET(o, chassis_subtype), "mac") && mac_parse(chassis, mac) >= 0 &&
                    streq(mac_format(mac, buf), canonical))
                        return true;
        }
        return false;
}

static bool override_matches(const RoleOverride *o, const Device *d) {
        switch (o->match) {
        case OVERRIDE_ID:
                return streq_ptr(d->id, o->value);
        case OVERRIDE_MAC:
                return device_has_mac(d, o->value);
        case OVERRIDE_CHASSIS_ID:
        case OVERRIDE_SYS_NAME:
                for (size_t i = 0; i < d->n_obs; i++) {
                        const char *chassis = PACKED_OBS_GET(d->obs[i], chassis_id),
                                   *name = PACKED_OBS_GET(d->obs[i], sys_name);
                        if (o->match == OVERRIDE_CHASSIS_ID && streq_ptr(chassis, o->value))
                                return true;
                        if (o->match == OVERRIDE_SYS_NAME && name && regexec(&o->re, name, 0, NULL, 0) == 0)
                                return true;
                }
                return false;
        default:
                return false;
        }
}

/* Longest prefix over every segment and every address of the device. */
static const Segment *match_address(const RolesConfig *c, const Device *d, const RolePrefix **ret_prefix,
                                    const char **ret_address) {
        const Segment *best = NULL;
        const RolePrefix *best_p = NULL;
        const char *best_a = NULL;
        for (size_t i = 0; i < d->n_obs; i++) {
                size_t n;
                const char *item = packed_obs_items(d->obs[i], OBS_ADDRESSES, &n);
                for (size_t k = 0; k < n; k++, item = packed_obs_next_item(item)) {
                        uint8_t a[16];
                        int family;
                        if (address_parse(item, &family, a) < 0)
                                continue;
                        for (size_t s = 0; s < c->n_segments; s++)
                                for (size_t p = 0; p < c->segments[s].n_prefixes; p++) {
                                        const RolePrefix *pr = &c->segments[s].prefixes[p];
                                        if (pr->family == family && (!best_p || pr->len > best_p->len) &&
                                            prefix_match_bytes(pr, a)) {
                                                best = &c->segments[s];
                                                best_p = pr;
                                                best_a = item;
                                        }
                                }
                }
        }
        *ret_prefix = best_p;
        *ret_address = best_a;
        return best;
}

static const Segment *match_vlan(const RolesConfig *c, const Device *d, int *ret_vlan) {
        for (size_t i = 0; i < d->n_obs; i++) {
                int32_t v = d->obs[i]->vlan;
                if (v < 1)
                        continue;
                for (size_t s = 0; s < c->n_segments; s++)
                        for (size_t k = 0; k < c->segments[s].n_vlans; k++)
                                if (c->segments[s].vlans[k] == v) {
                                        *ret_vlan = v;
                                        return &c->segments[s];
                                }
        }
        return NULL;
}

static const Segment *match_interface(const RolesConfig *c, const Device *d, const char **ret_if) {
        for (size_t i = 0; i < d->n_obs; i++) {
                const char *ifname = PACKED_OBS_GET(d->obs[i], via.interface);
                if (!ifname)
                        continue;
                for (size_t s = 0; s < c->n_segments; s++)
                        if (strv_contains(c->segments[s].interfaces, ifname)) {
                                *ret_if = ifname;
                                return &c->segments[s];
                        }
        }
        return NULL;
}

/* The SNMP group scope (longest prefix over all segments) that holds the
 * agent that reported the device, or else one of the device's own addresses
 * (the agent itself, a swept address). */
static const Segment *match_snmp_group(const RolesConfig *c, const Device *d, const SnmpScope **ret_scope,
                                       const char **ret_address) {
        const Segment *best = NULL;
        const SnmpScope *best_s = NULL;
        const char *best_a = NULL;
        for (int pass = 0; pass < 2 && !best; pass++)
                for (size_t i = 0; i < d->n_obs; i++) {
                        size_t n = 1;
                        const char *item = pass == 0 ? PACKED_OBS_GET(d->obs[i], via.agent)
                                                     : packed_obs_items(d->obs[i], OBS_ADDRESSES, &n);
                        for (size_t k = 0; item && k < n; k++, item = k < n ? packed_obs_next_item(item) : NULL) {
                                uint8_t a[16];
                                int family;
                                if (address_parse(item, &family, a) < 0)
                                        continue;
                                for (size_t g = 0; g < c->n_segments; g++)
                                        for (size_t j = 0; j < c->segments[g].n_snmp_scopes; j++) {
                                                const SnmpScope *sc = &c->segments[g].snmp_scopes[j];
                                                if (sc->prefix.family == family &&
                                                    (!best_s || sc->prefix.len > best_s->prefix.len) &&
                                                    prefix_match_bytes(&sc->prefix, a)) {
                                                        best = &c->segments[g];
                                                        best_s = sc;
                                                        best_a = item;
                                                }
                                        }
                        }
                }
        *ret_scope = best_s;
        *ret_address = best_a;
        return best;
}

/* Returns -ENODATA when no heuristic decides. */
static int heuristics_evaluate(const RoleHeuristics *h, const Device *d, const RoleHints *hints, RoleVerdict *ret) {
        uint32_t caps = 0;
        for (size_t i = 0; i < d->n_obs; i++)
                caps |= d->obs[i]->caps_enabled;
        unsigned nb = hints ? hints->n_neighbours : 0;

        if (h->core_min_neighbours > 0 && (caps & VW_CAP_ROUTER) && (caps & VW_CAP_BRIDGE) &&
            nb >= h->core_min_neighbours)
                return verdict_set(ret, "core", NULL,
                                   "heuristic: router+bridge with %u neighbours (>= %u)", nb,
                                   h->core_min_neighbours);
        if (h->router_is_core && (caps & VW_CAP_ROUTER))
                return verdict_set(ret, "core", NULL, "heuristic: routing capability enabled");
        const uint32_t end = VW_CAP_STATION | VW_CAP_TELEPHONE | VW_CAP_WLAN_AP;
        if (h->station_is_edge && caps && !(caps & ~end))
                return verdict_set(ret, "edge", NULL, "heuristic: only station/telephone/AP capabilities");
        return -ENODATA;
}

int role_evaluate_full(const RolesConfig *c, const Device *d, const RoleHints *hints, RoleVerdict *ret) {
        if (!c || !d || !ret)
                return -EINVAL;

        for (size_t i = 0; i < c->n_overrides; i++) {
                const RoleOverride *o = c->overrides[i];
                if (override_matches(o, d))
                        return verdict_set(ret, o->role, o->segment, "override %s=%s",
                                           override_match_names[o->match], o->value);
        }

        const RolePrefix *p;
        const char *addr;
        const Segment *s = match_address(c, d, &p, &addr);
        if (s)
                return verdict_set(ret, s->role, s->name, "segment %s: address %s in %s", s->name, addr, p->text);
        int vlan;
        if ((s = match_vlan(c, d, &vlan)))
                return verdict_set(ret, s->role, s->name, "segment %s: vlan %d", s->name, vlan);
        const char *ifname;
        if ((s = match_interface(c, d, &ifname)))
                return verdict_set(ret, s->role, s->name, "segment %s: capture interface %s", s->name, ifname);
        const SnmpScope *scope;
        if ((s = match_snmp_group(c, d, &scope, &addr)))
                return verdict_set(ret, s->role, s->name, "segment %s: SNMP group %s (%s in %s)", s->name, scope->group,
                                   addr, scope->prefix.text);
        if (hints && hints->attached_segment && (s = roles_find_segment(c, hints->attached_segment)))
                return verdict_set(ret, s->role, s->name, "segment %s: attached switch", s->name);

        if (c->heuristics.enabled) {
                int r = heuristics_evaluate(&c->heuristics, d, hints, ret);
                if (r != -ENODATA)
                        return r;
        }
        return verdict_set(ret, "unknown", NULL, "no rule matched");
}

bool roles_ignore_macs_and_links(const RolesConfig *c) {
        if (c->heuristics.enabled && c->heuristics.core_min_neighbours > 0)
                return false;
        for (size_t i = 0; i < c->n_overrides; i++)
                if (c->overrides[i]->match == OVERRIDE_MAC)
                        return false;
        return true;
}

int role_evaluate(const RolesConfig *c, const Device *d, RoleVerdict *ret) {
        return role_evaluate_full(c, d, NULL, ret);
}
