/* SPDX-License-Identifier: MIT */
#include <syslog.h>

#include "cfg.h"
#include "policy.h"
#include "roles.h"

#define USEC_PER_SEC 1000000ull

static bool role_known(const RolesConfig *roles, const char *role) {
        if (streq(role, "core") || streq(role, "edge") || streq(role, "unknown"))
                return true;
        for (size_t i = 0; roles && i < roles->n_segments; i++)
                if (streq(roles->segments[i].role, role))
                        return true;
        return false;
}

static int parse_restriction(CfgGroup *g, PolicyConfig *c, const RolesConfig *roles) {
        const char *vendor = NULL, *sev = "crit";
        bool made_by = true;
        double min_conf = 0.5;
        _cleanup_free_ const char **rl = NULL;
        size_t n = 0;
        int r;

        if ((r = cfg_string(g, "vendor", &vendor)) == -ENOENT)
                return cfg_fail(g, NULL, "a restricted entry needs a \"vendor\" (a slug such as \"huawei\")");
        if (r < 0)
                return r;
        if (isempty(vendor))
                return cfg_fail(g, "vendor", "\"vendor\" must not be empty");
        for (const char *p = vendor; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                        return cfg_fail(g, "vendor", "\"%s\" is not a vendor slug (lowercase letters, digits, - and _)",
                                        vendor);
        if ((r = cfg_bool(g, "made_by", &made_by)) < 0 && r != -ENOENT)
                return r;
        if ((r = cfg_strings(g, "roles", &rl, &n)) == -ENOENT || (r >= 0 && n == 0))
                return cfg_fail(g, "roles", "restricted \"%s\" needs the roles it is forbidden in, e.g. [ \"core\" ]",
                                vendor);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (!role_known(roles, rl[i]))
                        return cfg_fail(g, "roles", "restricted \"%s\": no segment has the role \"%s\"", vendor, rl[i]);
        if ((r = cfg_string(g, "severity", &sev)) < 0 && r != -ENOENT)
                return r;
        int level = severity_from_string(sev);
        if (level < 0)
                return cfg_fail(g, "severity",
                                "severity \"%s\": want emerg, alert, crit, err, warning, notice, info or debug", sev);
        if ((r = cfg_double(g, "min_confidence", 0.0, 1.0, &min_conf)) < 0 && r != -ENOENT)
                return r;
        for (size_t i = 0; i < c->n_restricted; i++)
                if (streq(c->restricted[i].vendor, vendor))
                        return cfg_fail(g, "vendor", "vendor \"%s\" is restricted twice; list all its roles in one entry",
                                        vendor);

        _cleanup_free_ const char **nul = calloc(n + 1, sizeof(char *));
        if (!nul)
                return -ENOMEM;
        memcpy(nul, rl, n * sizeof(char *));
        r = policy_add_restriction(c, vendor, made_by, nul, level, min_conf);
        if (r < 0)
                return r;
        return cfg_check_unknown(g);
}

static int parse_policy(CfgGroup *root, PolicyConfig *c, const RolesConfig *roles) {
        CfgGroup g;
        int r = cfg_sub(root, "policy", &g);
        if (r == -ENOENT)
                return 0;       /* no policy: nothing is restricted */
        if (r < 0)
                return r;
        const char *unknown_as;
        if ((r = cfg_string(&g, "unknown_as", &unknown_as)) >= 0) {
                if (!role_known(roles, unknown_as))
                        r = cfg_fail(&g, "unknown_as", "\"unknown_as\": no segment has the role \"%s\"", unknown_as);
                else {
                        free(c->unknown_as);
                        r = (c->unknown_as = strdup(unknown_as)) ? 0 : -ENOMEM;
                }
        } else if (r == -ENOENT)
                r = 0;
        size_t n = 0;
        if (r >= 0 && (r = cfg_list_count(&g, "restricted", &n)) == -ENOENT)
                r = 0, n = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                CfgGroup e;
                if ((r = cfg_list_elem(&g, "restricted", i, &e)) < 0)
                        break;
                r = parse_restriction(&e, c, roles);
                cfg_group_done(&e);
        }
        if (r >= 0)
                r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

static int parse_waiver(CfgGroup *g, PolicyConfig *c) {
        const char *device = NULL, *until = NULL, *reason = NULL;
        int r;
        if ((r = cfg_string(g, "device", &device)) == -ENOENT)
                return cfg_fail(g, NULL, "a waiver needs a \"device\" (its id, e.g. \"mac:00e0fc123456\")");
        if (r < 0)
                return r;
        if ((r = cfg_string(g, "until", &until)) == -ENOENT)
                return cfg_fail(g, NULL, "waiver for \"%s\" needs \"until\" (YYYY-MM-DD)", device);
        if (r < 0)
                return r;
        if ((r = cfg_string(g, "reason", &reason)) == -ENOENT || (r >= 0 && isempty(reason)))
                return cfg_fail(g, "reason", "waiver for \"%s\" needs a \"reason\"", device);
        if (r < 0)
                return r;
        uint64_t until_usec;
        if (waiver_parse_date(until, &until_usec) < 0)
                return cfg_fail(g, "until", "waiver for \"%s\": \"%s\" is not a date YYYY-MM-DD", device, until);
        for (size_t i = 0; i < c->n_waivers; i++)
                if (streq(c->waivers[i].device, device))
                        return cfg_fail(g, "device", "device \"%s\" has two waivers", device);
        Waiver *n = realloc(c->waivers, (c->n_waivers + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        c->waivers = n;
        Waiver w = { .device = strdup(device), .reason = strdup(reason), .until_usec = until_usec, .from_config = true };
        if (!w.device || !w.reason) {
                free(w.device);
                free(w.reason);
                return -ENOMEM;
        }
        n[c->n_waivers++] = w;
        return cfg_check_unknown(g);
}

static int parse_waivers(CfgGroup *root, PolicyConfig *c) {
        size_t n = 0;
        int r = cfg_list_count(root, "waivers", &n);
        if (r == -ENOENT)
                return 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                CfgGroup e;
                if ((r = cfg_list_elem(root, "waivers", i, &e)) < 0)
                        break;
                r = parse_waiver(&e, c);
                cfg_group_done(&e);
        }
        return r;
}

static int parse_alerts(CfgGroup *root, AlertsConfig *a) {
        CfgGroup g;
        int r = cfg_sub(root, "alerts", &g);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        const char *s;
        int64_t v;
        if ((r = cfg_string(&g, "transport", &s)) >= 0) {
                int t = alert_transport_from_string(s);
                if (t < 0 || t == ALERT_TRANSPORT_NONE)
                        r = cfg_fail(&g, "transport", "transport \"%s\": want \"auto\", \"journal\" or \"syslog\"", s);
                else
                        a->transport = (AlertTransport) t;
        }
        if (r >= 0 || r == -ENOENT) {
                if ((r = cfg_string(&g, "facility", &s)) >= 0) {
                        int f = syslog_facility_from_string(s);
                        if (f < 0)
                                r = cfg_fail(&g, "facility", "facility \"%s\": want daemon, user, local0 … local7, …", s);
                        else
                                a->facility = f;
                }
        }
        if (r >= 0 || r == -ENOENT) {
                if ((r = cfg_string(&g, "ident", &s)) >= 0) {
                        if (isempty(s) || strlen(s) > 64 || strpbrk(s, " \t\n:[]"))
                                r = cfg_fail(&g, "ident", "ident \"%s\": 1-64 characters, no blanks, ':' or brackets", s);
                        else {
                                free(a->ident);
                                r = (a->ident = strdup(s)) ? 0 : -ENOMEM;
                        }
                }
        }
        if ((r >= 0 || r == -ENOENT) && (r = cfg_int(&g, "reminder_sec", 0, 365 * 86400, &v)) >= 0)
                a->reminder_usec = (uint64_t) v * USEC_PER_SEC;
        if ((r >= 0 || r == -ENOENT) && (r = cfg_int(&g, "rate_limit_per_sec", 0, 100000, &v)) >= 0)
                a->rate_limit_per_sec = (unsigned) v;
        if ((r >= 0 || r == -ENOENT) && (r = cfg_int(&g, "burst", 1, 1000000, &v)) >= 0)
                a->burst = (unsigned) v;
        if ((r >= 0 || r == -ENOENT) && (r = cfg_int(&g, "source_timeout_sec", 0, 30 * 86400, &v)) >= 0)
                a->source_timeout_usec = (uint64_t) v * USEC_PER_SEC;
        if ((r >= 0 || r == -ENOENT) && (r = cfg_string(&g, "source_lost_severity", &s)) >= 0) {
                int l = severity_from_string(s);
                if (l < 0)
                        r = cfg_fail(&g, "source_lost_severity", "severity \"%s\": want emerg … debug", s);
                else
                        a->source_lost_severity = l;
        }
        if (r >= 0 || r == -ENOENT)
                r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

int policy_config_parse(CfgGroup *root, const RolesConfig *roles, PolicyConfig **ret) {
        _cleanup_(policy_config_freep) PolicyConfig *c = NULL;
        int r = policy_config_new(&c);
        if (r < 0)
                return r;
        if ((r = parse_policy(root, c, roles)) < 0 || (r = parse_waivers(root, c)) < 0 ||
            (r = parse_alerts(root, &c->alerts)) < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}
