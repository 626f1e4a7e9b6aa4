/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <syslog.h>

#include "cfg.h"
#include "roles.h"

/* Read an array of integers (cfg.h has no accessor for one): every element
 * typed and range-checked, errors at the key's file:line. */
static int cfg_int_array(CfgGroup *g, const char *key, int64_t min, int64_t max, int64_t **ret, size_t *ret_n) {
        const config_setting_t *s = g->setting ? config_setting_get_member(g->setting, key) : NULL;
        if (!s)
                return -ENOENT;
        /* mark the key as read, as the other accessors do */
        char **seen = realloc(g->seen, (g->n_seen + 1) * sizeof *seen);
        if (!seen)
                return -ENOMEM;
        g->seen = seen;
        if (!(seen[g->n_seen] = strdup(key)))
                return -ENOMEM;
        g->n_seen++;
        if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
                return cfg_fail(g, key, "\"%s\" must be a list of integers, e.g. [ 10, 20 ]", key);
        int n = config_setting_length(s);
        _cleanup_free_ int64_t *l = calloc((size_t) n + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
                int t = config_setting_type(e);
                if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
                        return cfg_fail(g, key, "\"%s\"[%d] must be an integer", key, i);
                long long v = config_setting_get_int64(e);
                if (v < min || v > max)
                        return cfg_fail(g, key, "\"%s\"[%d] = %lld is out of range %lld..%lld", key, i, v,
                                        (long long) min, (long long) max);
                l[i] = v;
        }
        *ret = TAKE_PTR(l);
        *ret_n = (size_t) n;
        return 0;
}

static const char *const match_keys[_OVERRIDE_MATCH_MAX] = {
        [OVERRIDE_ID] = "id",
        [OVERRIDE_CHASSIS_ID] = "chassis_id",
        [OVERRIDE_MAC] = "mac",
        [OVERRIDE_SYS_NAME] = "sys_name",
};

static int parse_strings(CfgGroup *g, const char *key, Segment *s, int (*add)(Segment *, const char *),
                         const char *what) {
        _cleanup_free_ const char **l = NULL;
        size_t n = 0;
        int r = cfg_strings(g, key, &l, &n);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = add(s, l[i]);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return cfg_fail(g, key, "segment \"%s\": bad %s \"%s\"", s->name, what, l[i]);
        }
        return 0;
}

static int parse_segment(CfgGroup *g, RolesConfig *c) {
        const char *name = NULL, *role = NULL;
        int r;
        if ((r = cfg_string(g, "name", &name)) == -ENOENT)
                return cfg_fail(g, NULL, "a segment needs a \"name\"");
        if (r < 0)
                return r;
        if ((r = cfg_string(g, "role", &role)) == -ENOENT)
                return cfg_fail(g, NULL, "segment \"%s\" needs a \"role\" (core, edge, …)", name);
        if (r < 0)
                return r;
        if (isempty(name))
                return cfg_fail(g, "name", "a segment name must not be empty");
        if (isempty(role) || streq(role, "unknown"))
                return cfg_fail(g, "role", "segment \"%s\": role \"%s\" is reserved or empty", name, role);
        Segment *s;
        r = roles_add_segment(c, name, role, &s);
        if (r == -EEXIST)
                return cfg_fail(g, "name", "segment \"%s\" is defined twice", name);
        if (r < 0)
                return r;
        if ((r = parse_strings(g, "prefixes", s, segment_add_prefix, "prefix (want e.g. 10.0.0.0/8 or 2001:db8::/32, no host bits)")) < 0 ||
            (r = parse_strings(g, "interfaces", s, segment_add_interface, "interface name")) < 0 ||
            (r = parse_strings(g, "snmp_groups", s, segment_add_snmp_group, "SNMP group")) < 0)
                return r;
        _cleanup_free_ int64_t *vlans = NULL;
        size_t n = 0;
        r = cfg_int_array(g, "vlans", 1, 4094, &vlans, &n);
        if (r < 0 && r != -ENOENT)
                return r;
        for (size_t i = 0; i < n; i++)
                if ((r = segment_add_vlan(s, vlans[i])) < 0)
                        return r;
        return cfg_check_unknown(g);
}

static int parse_override(CfgGroup *g, RolesConfig *c) {
        int match = -1, r;
        const char *value = NULL, *role = NULL, *segment = NULL;
        for (size_t m = 0; m < _OVERRIDE_MATCH_MAX; m++) {
                const char *v;
                r = cfg_string(g, match_keys[m], &v);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                if (match >= 0)
                        return cfg_fail(g, match_keys[m], "an override matches on one of id, chassis_id, mac, sys_name");
                match = (int) m;
                value = v;
        }
        if (match < 0)
                return cfg_fail(g, NULL, "an override needs one of id, chassis_id, mac or sys_name");
        if ((r = cfg_string(g, "role", &role)) < 0 && r != -ENOENT)
                return r;
        if ((r = cfg_string(g, "segment", &segment)) < 0 && r != -ENOENT)
                return r;
        if (!role && !segment)
                return cfg_fail(g, NULL, "an override needs a \"role\" or a \"segment\"");
        if (role && (isempty(role) || streq(role, "unknown")))
                return cfg_fail(g, "role", "role \"%s\" is reserved or empty", role);
        r = roles_add_override(c, (OverrideMatch) match, value, role, segment);
        if (r == -ENOENT)
                return cfg_fail(g, "segment", "no segment named \"%s\"", segment);
        if (r == -EINVAL)
                return cfg_fail(g, match_keys[match], "bad %s \"%s\"%s", match_keys[match], value,
                                match == OVERRIDE_SYS_NAME ? " (not a POSIX extended regular expression)"
                                : match == OVERRIDE_MAC    ? " (not a MAC address)"
                                                           : "");
        if (r < 0)
                return r;
        return cfg_check_unknown(g);
}

static int parse_heuristics(CfgGroup *root, RolesConfig *c) {
        CfgGroup g;
        int r = cfg_sub(root, "heuristics", &g);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        int64_t n;
        bool b;
        if ((r = cfg_bool(&g, "enabled", &b)) >= 0)
                c->heuristics.enabled = b;
        else if (r != -ENOENT)
                goto out;
        if ((r = cfg_int(&g, "core_min_neighbours", 0, 10000, &n)) >= 0)
                c->heuristics.core_min_neighbours = (unsigned) n;
        else if (r != -ENOENT)
                goto out;
        if ((r = cfg_bool(&g, "router_is_core", &b)) >= 0)
                c->heuristics.router_is_core = b;
        else if (r != -ENOENT)
                goto out;
        if ((r = cfg_bool(&g, "station_is_edge", &b)) >= 0)
                c->heuristics.station_is_edge = b;
        else if (r != -ENOENT)
                goto out;
        r = cfg_check_unknown(&g);
out:
        cfg_group_done(&g);
        return r;
}

typedef int (*ElemParser)(CfgGroup *g, RolesConfig *c);

static int parse_list(CfgGroup *root, const char *key, ElemParser parse, RolesConfig *c) {
        size_t n = 0;
        int r = cfg_list_count(root, key, &n);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                CfgGroup g;
                r = cfg_list_elem(root, key, i, &g);
                if (r < 0)
                        return r;
                r = parse(&g, c);
                cfg_group_done(&g);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A seed as the snmp plugin takes it (ADDRESS, ADDRESS:PORT, [IPv6]:PORT)
 * as a host prefix. */
static int seed_prefix(const char *seed, RolePrefix *ret) {
        char addr[INET6_ADDRSTRLEN + 8];
        const char *start = seed, *end = seed + strlen(seed);
        if (*seed == '[') {
                start = seed + 1;
                end = strchr(start, ']');
                if (!end)
                        return -EINVAL;
        } else {
                const char *colon = strchr(seed, ':');
                if (colon && !strchr(colon + 1, ':'))
                        end = colon;            /* IPv4:port */
        }
        if ((size_t) (end - start) >= sizeof addr)
                return -EINVAL;
        memcpy(addr, start, (size_t) (end - start));
        addr[end - start] = 0;
        return role_prefix_parse(addr, ret);
}

/* What one group of the snmp plugin reaches, added to every segment that
 * names it.  The plugin checks its own configuration; an entry it would
 * refuse is not ours to report. */
static int add_group_scopes(CfgGroup *grp, const char *name, RolesConfig *c) {
        static const char *const keys[] = { "seeds", "sweep", "prefixes" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_free_ const char **l = NULL;
                size_t n = 0;
                if (cfg_strings(grp, keys[k], &l, &n) < 0)
                        continue;
                for (size_t i = 0; i < n; i++) {
                        RolePrefix p;
                        if ((k == 0 ? seed_prefix(l[i], &p) : role_prefix_parse(l[i], &p)) < 0)
                                continue;
                        for (size_t s = 0; s < c->n_segments; s++) {
                                Segment *seg = &c->segments[s];
                                if (strv_contains(seg->snmp_groups, name)) {
                                        int r = segment_add_snmp_scope(seg, name, &p);
                                        if (r < 0)
                                                return r;
                                }
                        }
                }
        }
        return 0;
}

/* Segments that name SNMP groups: find those groups in the snmp plugin's
 * section (plugins = ( { name = "snmp"; groups = ( { name = …; seeds = …;
 * sweep = …; prefixes = … } ) } )).  A group no segment can find is an error
 * at the segment's snmp_groups. */
static int resolve_snmp_groups(CfgGroup *root, RolesConfig *c) {
        size_t n_plugins = 0;
        if (cfg_list_count(root, "plugins", &n_plugins) < 0)
                n_plugins = 0;
        for (size_t i = 0; i < n_plugins; i++) {
                CfgGroup pg;
                if (cfg_list_elem(root, "plugins", i, &pg) < 0)
                        continue;
                const char *pname = NULL;
                size_t n_groups = 0;
                if (cfg_string(&pg, "name", &pname) >= 0 && streq(pname, "snmp") &&
                    cfg_list_count(&pg, "groups", &n_groups) >= 0)
                        for (size_t j = 0; j < n_groups; j++) {
                                CfgGroup grp;
                                if (cfg_list_elem(&pg, "groups", j, &grp) < 0)
                                        continue;
                                char fallback[32];
                                const char *name = NULL;
                                if (cfg_string(&grp, "name", &name) < 0) {
                                        snprintf(fallback, sizeof fallback, "group%zu", j);     /* the plugin's default */
                                        name = fallback;
                                }
                                int r = add_group_scopes(&grp, name, c);
                                cfg_group_done(&grp);
                                if (r < 0) {
                                        cfg_group_done(&pg);
                                        return r;
                                }
                        }
                cfg_group_done(&pg);
        }
        return 0;
}

/* Every group a segment names must be one the snmp plugin has. */
static int check_snmp_groups(CfgGroup *root, RolesConfig *c) {
        for (size_t s = 0; s < c->n_segments; s++)
                for (char **g = c->segments[s].snmp_groups; g && *g; g++) {
                        bool found = false;
                        for (size_t k = 0; k < c->segments[s].n_snmp_scopes && !found; k++)
                                found = streq(c->segments[s].snmp_scopes[k].group, *g);
                        if (found)
                                continue;
                        CfgGroup sg;
                        int r = cfg_list_elem(root, "segments", s, &sg);
                        if (r < 0)
                                return cfg_fail(root, "segments", "segment \"%s\": no SNMP group \"%s\" with seeds, "
                                                "sweep or prefixes in the snmp plugin", c->segments[s].name, *g);
                        r = cfg_fail(&sg, "snmp_groups", "segment \"%s\": no SNMP group \"%s\" with seeds, sweep or "
                                     "prefixes in the snmp plugin", c->segments[s].name, *g);
                        cfg_group_done(&sg);
                        return r;
                }
        return 0;
}

int roles_config_parse(CfgGroup *root, RolesConfig **ret) {
        _cleanup_(roles_config_freep) RolesConfig *c = NULL;
        int r = roles_config_new(&c);
        if (r < 0)
                return r;
        /* segments before overrides: an override may name a segment */
        if ((r = parse_list(root, "segments", parse_segment, c)) < 0 ||
            (r = resolve_snmp_groups(root, c)) < 0 || (r = check_snmp_groups(root, c)) < 0 ||
            (r = parse_list(root, "overrides", parse_override, c)) < 0 || (r = parse_heuristics(root, c)) < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}
