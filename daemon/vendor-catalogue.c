/* SPDX-License-Identifier: MIT */
/* Loading vendors.conf: every key typed and checked, every pattern compiled
 * once, unknown keys refused with file:line. */
#include <ctype.h>
#include <libconfig.h>
#include <stdarg.h>

#include "macro.h"
#include "vendor-internal.h"

const FieldInfo vendor_fields[_FIELD_MAX] = {
        [FIELD_SYS_DESCR] = { "sys_descr", EV_DESCR },
        [FIELD_PLATFORM] = { "platform", EV_DESCR },
        [FIELD_SW_VERSION] = { "sw_version", EV_DESCR },
        [FIELD_ENTITY_MFG] = { "entity_mfg", EV_ENTITY },
        [FIELD_ENTITY_MODEL] = { "entity_model", EV_ENTITY },
        [FIELD_MED_MFG] = { "med_mfg", EV_MED },
        [FIELD_MED_MODEL] = { "med_model", EV_MED },
        [FIELD_DHCP_VENDOR_CLASS] = { "dhcp_vendor_class", EV_DHCP },
        [FIELD_HOSTNAME] = { "hostname", EV_DHCP },
        [FIELD_SYS_OBJECT_ID] = { "sys_object_id", EV_ENTERPRISE },
};

#define MAX_VENDORS 4000
#define MAX_RULES 20000

typedef struct Ctx {
        VendorDb *db;
        const char *file;
        char **ret_error;
} Ctx;

static int fail(Ctx *c, const config_setting_t *s, const char *fmt, ...) _printf_(3, 4);
static int fail(Ctx *c, const config_setting_t *s, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (c->ret_error && asprintf(c->ret_error, "%s:%u: %s", c->file,
                                     s ? (unsigned) config_setting_source_line(s) : 0u,
                                     msg ? msg : "error") < 0)
                *c->ret_error = NULL;
        return -EINVAL;
}

static int check_keys(Ctx *c, const config_setting_t *g, const char *what, const char *const *allowed) {
        if (!config_setting_is_group(g))
                return fail(c, g, "%s must be a group { ... }", what);
        for (int i = 0; i < config_setting_length(g); i++) {
                const config_setting_t *e = config_setting_get_elem(g, (unsigned) i);
                const char *n = config_setting_name(e);
                bool ok = false;
                for (const char *const *a = allowed; *a && !ok; a++)
                        ok = n && streq(n, *a);
                if (!ok)
                        return fail(c, e, "unknown key \"%s\" in %s", n ? n : "?", what);
        }
        return 0;
}

static int get_string(Ctx *c, const config_setting_t *g, const char *key, bool required, const char **ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s) {
                if (required)
                        return fail(c, g, "missing \"%s\"", key);
                return 0;
        }
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
                return fail(c, s, "\"%s\" must be a string", key);
        *ret = config_setting_get_string(s);
        return 0;
}

static int get_number(Ctx *c, const config_setting_t *s, const char *key, double min, double max, double *ret) {
        double v;
        switch (config_setting_type(s)) {
        case CONFIG_TYPE_FLOAT:
                v = config_setting_get_float(s);
                break;
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64:
                v = (double) config_setting_get_int64(s);
                break;
        default:
                return fail(c, s, "\"%s\" must be a number", key);
        }
        if (!(v >= min && v <= max))
                return fail(c, s, "\"%s\" must be within %g..%g", key, min, max);
        *ret = v;
        return 0;
}

static int get_weight(Ctx *c, const config_setting_t *g, const char *key, bool required, double *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return required ? fail(c, g, "missing \"%s\"", key) : 0;
        return get_number(c, s, key, 0.0, 5.0, ret);
}

static int get_bool(Ctx *c, const config_setting_t *g, const char *key, bool *ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        if (!s)
                return 0;
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
                return fail(c, s, "\"%s\" must be true or false", key);
        *ret = config_setting_get_bool(s);
        return 0;
}

/* A list/array member of strings (or absent). */
static int get_strings(Ctx *c, const config_setting_t *g, const char *key, const config_setting_t **ret) {
        const config_setting_t *s = config_setting_get_member(g, key);
        *ret = NULL;
        if (!s)
                return 0;
        if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
                return fail(c, s, "\"%s\" must be a list of strings [ ... ]", key);
        for (int i = 0; i < config_setting_length(s); i++)
                if (config_setting_type(config_setting_get_elem(s, (unsigned) i)) != CONFIG_TYPE_STRING)
                        return fail(c, s, "\"%s\"[%d] must be a string", key, i);
        *ret = s;
        return 0;
}

static size_t slug_hash(const char *s) {
        uint32_t h = 2166136261u;       /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 16777619u;
        return h;
}

/* Every rule, relation and number names its vendor by slug: a hash table
 * (vendor index, -1 = empty), sized once the vendor list's length is known. */
int vendor_find(const VendorDb *db, const char *slug) {
        if (!db->slug_slots)
                return -1;
        for (size_t h = slug_hash(slug) & db->slug_mask;; h = (h + 1) & db->slug_mask) {
                int v = db->slug_slots[h];
                if (v < 0 || streq(db->vendors[v].slug, slug))
                        return v;
        }
}

static void slug_add(VendorDb *db, const char *slug, int16_t v) {
        size_t h = slug_hash(slug) & db->slug_mask;
        while (db->slug_slots[h] >= 0)
                h = (h + 1) & db->slug_mask;
        db->slug_slots[h] = v;
}

/* The literal every match of `pattern` contains: its leading run of plain
 * characters.  Refused when the pattern has a top-level alternative (then
 * the rule must say `literal` itself). */
static int literal_from_pattern(const char *p, char **ret) {
        int depth = 0;
        bool bracket = false;
        for (const char *q = p; *q; q++) {
                if (*q == '\\' && q[1]) {
                        q++;
                        continue;
                }
                if (bracket) {
                        if (*q == ']')
                                bracket = false;
                        continue;
                }
                if (*q == '[')
                        bracket = true;
                else if (*q == '(')
                        depth++;
                else if (*q == ')')
                        depth--;
                else if (*q == '|' && depth <= 0)
                        return -EINVAL;
        }
        size_t n = 0, cap = strlen(p) + 1;
        char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        if (*p == '^')
                p++;
        if (p[0] == '\\' && p[1] == 'b')
                p += 2;
        for (; *p; p++) {
                char ch = *p;
                if (ch == '\\') {
                        if (!p[1] || isalnum((unsigned char) p[1]))
                                break;
                        ch = *++p;
                } else if (strchr(".[]()*+?{}|^$", ch)) {
                        if (strchr("?*{", ch) && n > 0)
                                n--;
                        break;
                }
                buf[n++] = (char) lower_ascii((uint8_t) ch);
        }
        buf[n] = '\0';
        *ret = buf;
        return 0;
}

/* "^?\\b?LITERAL\\b?$?" with no other syntax: checked by the prefilter and
 * matcher_anchors_ok() alone.  Only for case-insensitive patterns (the
 * prefilter compares lowercase). */
static bool simple_pattern(const char *p, Matcher *m) {
        const char *s = p, *end = p + strlen(p);
        bool start = false, ws = false, we = false, ae = false;
        if (*s == '^')
                start = true, s++;
        if (s[0] == '\\' && s[1] == 'b')
                ws = true, s += 2;
        if (end > s && end[-1] == '$' && (end - s < 2 || end[-2] != '\\'))
                ae = true, end--;
        if (end - s >= 2 && end[-2] == '\\' && end[-1] == 'b')
                we = true, end -= 2;
        if ((size_t) (end - s) != m->literal_len)
                return false;
        for (const char *q = s; q < end; q++)
                if (strchr(".[]()*+?{}|^$\\", *q) || lower_ascii((uint8_t) *q) != (uint8_t) m->literal[q - s])
                        return false;
        m->at_start = start, m->word_start = ws, m->word_end = we, m->at_end = ae;
        return true;
}


#define PATTERN_MAX 512
#define PATTERN_BOUND_MAX 64

/* glibc's regcomp expands repetitions into copies of their operand: stacked
 * operators ("a++", "(x*)*{9}") or large bounds grow it exponentially, to
 * gigabytes from a line of text.  Signatures never need either, so such a
 * pattern is refused before it is compiled.  Returns why, or NULL. */
static const char *pattern_too_costly(const char *p) {
        bool after_repeat = false;      /* the previous token was a repetition */
        size_t len = strlen(p);
        if (len > PATTERN_MAX)
                return "longer than 512 characters";
        for (size_t i = 0; i < len; i++) {
                char ch = p[i];
                if (ch == '\\') {
                        i++;
                        after_repeat = false;
                        continue;
                }
                if (ch == '[') {        /* a bracket expression: skip to its end */
                        size_t j = i + 1;
                        if (p[j] == '^')
                                j++;
                        if (p[j] == ']')
                                j++;
                        while (j < len && p[j] != ']')
                                j++;
                        i = j;
                        after_repeat = false;
                        continue;
                }
                if (ch == '*' || ch == '+' || ch == '?' || ch == '{') {
                        if (after_repeat)
                                return "stacked repetition operators";
                        if (ch == '{') {
                                char *end;
                                unsigned long lo = strtoul(p + i + 1, &end, 10), hi = lo;
                                if (*end == ',')
                                        hi = end[1] == '}' ? lo : strtoul(end + 1, &end, 10);
                                if (lo > PATTERN_BOUND_MAX || hi > PATTERN_BOUND_MAX)
                                        return "a repetition bound over 64";
                                const char *close = strchr(p + i, '}');
                                if (close)
                                        i = (size_t) (close - p);
                        }
                        after_repeat = true;
                        continue;
                }
                /* a group ending in a repetition, itself repeated: (a+)+ */
                if (ch == ')' && i > 0 && strchr("*+?}", p[i - 1]) && i + 1 < len && strchr("*+?{", p[i + 1]))
                        return "a repeated group that ends in a repetition";
                after_repeat = false;
        }
        return NULL;
}

static int matcher_init(Ctx *c, const config_setting_t *at, Matcher *m, const char *literal,
                        const char *pattern, bool icase) {
        int r;
        if (!literal && !pattern)
                return fail(c, at, "needs \"literal\" or \"pattern\"");
        if (literal) {
                m->literal = strdup(literal);
                if (!m->literal)
                        return -ENOMEM;
                for (char *q = m->literal; *q; q++)
                        *q = (char) lower_ascii((uint8_t) *q);
        } else {
                r = literal_from_pattern(pattern, &m->literal);
                if (r == -EINVAL)
                        return fail(c, at, "pattern \"%.60s\" has a top-level '|': give \"literal\" or split it", pattern);
                if (r < 0)
                        return r;
        }
        m->literal_len = strlen(m->literal);
        if (m->literal_len < 2)
                return fail(c, at, "literal prefilter \"%s\" is shorter than 2 characters; give a longer \"literal\"",
                            m->literal);
        if (pattern && icase && simple_pattern(pattern, m)) {
                /* the literal says it all: no regex engine needed */
        } else if (pattern) {
                const char *why = pattern_too_costly(pattern);
                if (why)
                        return fail(c, at, "pattern \"%.60s\": %s", pattern, why);
                int e = regcomp(&m->re, pattern, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
                if (e != 0) {
                        char msg[128];
                        regerror(e, &m->re, msg, sizeof msg);
                        return fail(c, at, "bad pattern \"%.60s\": %s", pattern, msg);
                }
                m->has_regex = true;
        }
        return 0;
}

static void matcher_done(Matcher *m) {
        free(m->literal);
        if (m->has_regex)
                regfree(&m->re);
}

static int parse_weights(Ctx *c, const config_setting_t *g) {
        static const char *const keys[] = {
                "enterprise", "enterprise_org", "enterprise_fallback", "entity_mfg", "oui_chassis",
                "oui_interface", "oui_fallback", "conflict", "restricted_min", NULL,
        };
        Weights *w = &c->db->w;
        double *fields[] = {
                &w->enterprise, &w->enterprise_org, &w->enterprise_fallback, &w->entity_mfg,
                &w->oui_chassis, &w->oui_interface, &w->oui_fallback, &w->conflict, &w->restricted_min,
        };
        int r = check_keys(c, g, "weights", keys);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fields); i++)
                r = get_weight(c, g, keys[i], false, fields[i]);
        return r;
}

static int parse_trust(Ctx *c, const config_setting_t *g) {
        VendorDb *db = c->db;
        if (!config_setting_is_group(g))
                return fail(c, g, "trust must be a group { source = factor; ... }");
        size_t n = (size_t) config_setting_length(g);
        db->trust = calloc(n ? n : 1, sizeof *db->trust);
        if (!db->trust)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(g, (unsigned) i);
                double f;
                int r = get_number(c, e, config_setting_name(e), 0.0, 1.0, &f);
                if (r < 0)
                        return r;
                if (streq(config_setting_name(e), "default")) {
                        db->trust_default = f;
                        continue;
                }
                db->trust[db->n_trust].source = strdup(config_setting_name(e));
                if (!db->trust[db->n_trust].source)
                        return -ENOMEM;
                db->trust[db->n_trust++].factor = f;
        }
        return 0;
}

static int add_org(Ctx *c, const config_setting_t *at, const char *pattern, int16_t vendor) {
        VendorDb *db = c->db;
        if (db->n_orgs % 64 == 0) {
                OrgPattern *o = reallocarray(db->orgs, db->n_orgs + 64, sizeof *o);
                if (!o)
                        return -ENOMEM;
                db->orgs = o;
        }
        OrgPattern *o = &db->orgs[db->n_orgs];
        *o = (OrgPattern) { .vendor = vendor };
        int r = matcher_init(c, at, &o->m, NULL, pattern, true);
        db->n_orgs++;           /* counted even on failure: freed by _done */
        if (r < 0)
                return r;
        if (!db->org_set && (r = litset_new(ORG_MAX_STATES, ORG_MAX_CELLS, true, &db->org_set)) < 0)
                return r;
        r = litset_add(db->org_set, o->m.literal, o->m.literal_len, (uint32_t) db->n_orgs - 1);
        if (r == -E2BIG)
                return fail(c, at, "organisation pattern \"%.60s\": the org patterns' literals need more than "
                            "%u automaton states or %u table cells", pattern, ORG_MAX_STATES, ORG_MAX_CELLS);
        return r;
}

static int parse_slug_list(Ctx *c, const config_setting_t *v, const char *key, int16_t **ret) {
        const config_setting_t *l;
        int r = get_strings(c, v, key, &l);
        if (r < 0)
                return r;
        size_t n = l ? (size_t) config_setting_length(l) : 0;
        int16_t *out = malloc((n + 1) * sizeof *out);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *slug = config_setting_get_string_elem(l, (unsigned) i);
                int k = vendor_find(c->db, slug);
                if (k < 0) {
                        free(out);
                        return fail(c, l, "\"%s\": unknown vendor \"%s\"", key, slug);
                }
                out[i] = (int16_t) k;
        }
        out[n] = -1;
        *ret = out;
        return 0;
}

static int add_override(Ctx *c, const config_setting_t *at, uint32_t number, int16_t vendor, double weight,
                        const char *note) {
        VendorDb *db = c->db;
        for (size_t i = 0; i < db->n_overrides; i++)
                if (db->overrides[i].number == number)
                        return fail(c, at, "enterprise number %u listed twice", number);
        if (db->n_overrides % 64 == 0) {
                EnterpriseOverride *o = reallocarray(db->overrides, db->n_overrides + 64, sizeof *o);
                if (!o)
                        return -ENOMEM;
                db->overrides = o;
        }
        EnterpriseOverride *o = &db->overrides[db->n_overrides++];
        *o = (EnterpriseOverride) { .number = number, .vendor = vendor, .weight = weight };
        if (note && !(o->note = strdup(note)))
                return -ENOMEM;
        return 0;
}

static int parse_vendors(Ctx *c, const config_setting_t *list) {
        static const char *const keys[] = {
                "slug", "name", "restricted", "orgs", "enterprises", "oui", "makers", "related", NULL,
        };
        VendorDb *db = c->db;
        if (!config_setting_is_list(list))
                return fail(c, list, "vendors must be a list ( {...}, ... )");
        size_t n = (size_t) config_setting_length(list);
        if (n > MAX_VENDORS)
                return fail(c, list, "too many vendors (limit %d)", MAX_VENDORS);
        db->vendors = calloc(n ? n : 1, sizeof *db->vendors);
        if (!db->vendors)
                return -ENOMEM;
        size_t cap = 16;
        while (cap < 2 * n)
                cap *= 2;
        db->slug_slots = malloc(cap * sizeof *db->slug_slots);
        if (!db->slug_slots)
                return -ENOMEM;
        memset(db->slug_slots, 0xff, cap * sizeof *db->slug_slots);  /* -1 */
        db->slug_mask = cap - 1;

        /* pass 1: names, so relations may point forward */
        for (size_t i = 0; i < n; i++) {
                const config_setting_t *v = config_setting_get_elem(list, (unsigned) i);
                const char *slug = NULL, *name = NULL;
                int r = check_keys(c, v, "a vendor", keys);
                if (r >= 0)
                        r = get_string(c, v, "slug", true, &slug);
                if (r >= 0)
                        r = get_string(c, v, "name", true, &name);
                if (r < 0)
                        return r;
                if (!*slug || strncmp(slug, "org:", 4) == 0 || strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(slug))
                        return fail(c, v, "slug \"%s\" must be lowercase letters, digits, '-' or '_'", slug);
                if (vendor_find(db, slug) >= 0)
                        return fail(c, v, "vendor \"%s\" defined twice", slug);
                Vendor *ve = &db->vendors[db->n_vendors];
                ve->slug = strdup(slug);
                ve->name = strdup(name);
                db->n_vendors++;
                if (!ve->slug || !ve->name)
                        return -ENOMEM;
                slug_add(db, ve->slug, (int16_t) (db->n_vendors - 1));
                r = get_bool(c, v, "restricted", &ve->restricted);
                if (r < 0)
                        return r;
        }
        /* pass 2: everything that refers to vendors */
        for (size_t i = 0; i < n; i++) {
                const config_setting_t *v = config_setting_get_elem(list, (unsigned) i), *l;
                Vendor *ve = &db->vendors[i];
                int r = parse_slug_list(c, v, "makers", &ve->makers);
                if (r >= 0)
                        r = parse_slug_list(c, v, "related", &ve->related);
                if (r >= 0)
                        r = get_strings(c, v, "orgs", &l);
                if (r < 0)
                        return r;
                for (int k = 0; l && k < config_setting_length(l); k++) {
                        r = add_org(c, l, config_setting_get_string_elem(l, (unsigned) k), (int16_t) i);
                        if (r < 0)
                                return r;
                }
                l = config_setting_get_member(v, "enterprises");
                if (l && (!config_setting_is_aggregate(l) || config_setting_is_group(l)))
                        return fail(c, l, "\"enterprises\" must be a list of numbers [ ... ]");
                for (int k = 0; l && k < config_setting_length(l); k++) {
                        const config_setting_t *e = config_setting_get_elem(l, (unsigned) k);
                        if (config_setting_type(e) != CONFIG_TYPE_INT && config_setting_type(e) != CONFIG_TYPE_INT64)
                                return fail(c, l, "\"enterprises\"[%d] must be a number", k);
                        long long num = config_setting_get_int64(e);
                        if (num < 0 || num >= (1 << 24))
                                return fail(c, l, "enterprise number %lld out of range", num);
                        r = add_override(c, l, (uint32_t) num, (int16_t) i, -1.0, NULL);
                        if (r < 0)
                                return r;
                }
                r = get_strings(c, v, "oui", &l);
                if (r < 0)
                        return r;
                for (int k = 0; l && k < config_setting_length(l); k++) {
                        const char *hex = config_setting_get_string_elem(l, (unsigned) k);
                        int id = oui_db_add(db->oui, hex, ve->name);
                        if (id == -EINVAL)
                                return fail(c, l, "\"oui\"[%d]: \"%s\" is not a 6, 7 or 9 hex digit block", k, hex);
                        if (id < 0)
                                return id;
                        ve->has_oui = true;
                        ve->oui_org = (uint32_t) id;
                }
        }
        return 0;
}

static int parse_field(Ctx *c, const config_setting_t *r, RuleField *ret) {
        const char *f = "sys_descr";
        int k = get_string(c, r, "field", false, &f);
        if (k < 0)
                return k;
        for (size_t i = 0; i < _FIELD_MAX; i++)
                if (streq(vendor_fields[i].name, f)) {
                        *ret = (RuleField) i;
                        return 0;
                }
        return fail(c, r, "unknown field \"%s\"", f);
}

static int parse_rules(Ctx *c, const config_setting_t *list) {
        static const char *const keys[] = {
                "vendor", "field", "literal", "pattern", "weight", "case_sensitive", NULL,
        };
        VendorDb *db = c->db;
        if (!config_setting_is_list(list))
                return fail(c, list, "rules must be a list ( {...}, ... )");
        size_t n = (size_t) config_setting_length(list);
        if (n > MAX_RULES)
                return fail(c, list, "too many rules (limit %d)", MAX_RULES);
        db->rules = calloc(n ? n : 1, sizeof *db->rules);
        if (!db->rules)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(list, (unsigned) i);
                const char *vendor = NULL, *literal = NULL, *pattern = NULL;
                bool cs = false;
                Rule *ru = &db->rules[i];
                int r = check_keys(c, e, "a rule", keys);
                if (r >= 0)
                        r = get_string(c, e, "vendor", true, &vendor);
                if (r >= 0)
                        r = get_string(c, e, "literal", false, &literal);
                if (r >= 0)
                        r = get_string(c, e, "pattern", false, &pattern);
                if (r >= 0)
                        r = get_weight(c, e, "weight", true, &ru->weight);
                if (r >= 0)
                        r = get_bool(c, e, "case_sensitive", &cs);
                if (r >= 0)
                        r = parse_field(c, e, &ru->field);
                if (r < 0)
                        return r;
                int v = vendor_find(db, vendor);
                if (v < 0)
                        return fail(c, e, "unknown vendor \"%s\"", vendor);
                ru->vendor = (int16_t) v;
                ru->line = (unsigned) config_setting_source_line(e);
                snprintf(ru->note, sizeof ru->note, "rule at line %u", ru->line);
                r = matcher_init(c, e, &ru->m, literal, pattern, !cs);
                db->n_rules++;
                if (r < 0)
                        return r;
                const uint8_t *l = (const uint8_t *) ru->m.literal;
                unsigned k = rule_key(ru->field, l[0], l[1], ru->m.literal_len > 2 ? l[2] : -1);
                ru->m.next = db->rule_heads[k];
                db->rule_heads[k] = (uint32_t) i + 1;
                unsigned b = bigram(l[0], l[1]);
                db->rule_bigrams[ru->field][b / 64] |= UINT64_C(1) << (b % 64);
                db->field_has_rules[ru->field] = true;
        }
        return 0;
}

static int parse_overrides(Ctx *c, const config_setting_t *list) {
        static const char *const keys[] = { "number", "vendor", "weight", "note", NULL };
        if (!config_setting_is_list(list))
                return fail(c, list, "enterprises must be a list ( {...}, ... )");
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *e = config_setting_get_elem(list, (unsigned) i), *num;
                const char *vendor = NULL, *note = NULL;
                double weight = -1.0;
                int r = check_keys(c, e, "an enterprise", keys);
                if (r >= 0)
                        r = get_string(c, e, "vendor", false, &vendor);
                if (r >= 0)
                        r = get_string(c, e, "note", false, &note);
                if (r >= 0)
                        r = get_weight(c, e, "weight", false, &weight);
                if (r < 0)
                        return r;
                num = config_setting_get_member(e, "number");
                if (!num || (config_setting_type(num) != CONFIG_TYPE_INT && config_setting_type(num) != CONFIG_TYPE_INT64))
                        return fail(c, e, "\"number\" must be given as a number");
                long long n = config_setting_get_int64(num);
                if (n < 0 || n >= (1 << 24))
                        return fail(c, num, "enterprise number %lld out of range", n);
                int v = -1;
                if (vendor && (v = vendor_find(c->db, vendor)) < 0)
                        return fail(c, e, "unknown vendor \"%s\"", vendor);
                if (!vendor && weight >= 0)
                        return fail(c, e, "\"weight\" without \"vendor\"");
                r = add_override(c, e, (uint32_t) n, (int16_t) v, weight, note);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int override_cmp(const void *a, const void *b) {
        const EnterpriseOverride *x = a, *y = b;
        return x->number < y->number ? -1 : x->number > y->number;
}

static int parse_root(Ctx *c, config_t *cfg) {
        static const char *const keys[] = {
                "version", "weights", "trust", "ignore_orgs", "enterprises", "vendors", "rules", NULL,
        };
        VendorDb *db = c->db;
        const config_setting_t *root = config_root_setting(cfg), *s;
        int r = check_keys(c, root, "the top level", keys);
        if (r < 0)
                return r;
        s = config_setting_get_member(root, "version");
        if (!s || config_setting_type(s) != CONFIG_TYPE_INT || config_setting_get_int(s) != 1)
                return fail(c, s ? s : root, "\"version = 1;\" is required");

        db->w = (Weights) {
                .enterprise = 0.9, .enterprise_org = 0.7, .enterprise_fallback = 0.3, .entity_mfg = 0.8,
                .oui_chassis = 0.5, .oui_interface = 0.3, .oui_fallback = 0.15, .conflict = 0.5,
                .restricted_min = 0.2,
        };
        db->trust_default = 0.9;
        if ((s = config_setting_get_member(root, "weights")) && (r = parse_weights(c, s)) < 0)
                return r;
        if ((s = config_setting_get_member(root, "trust")) && (r = parse_trust(c, s)) < 0)
                return r;
        s = config_setting_get_member(root, "vendors");
        if (!s)
                return fail(c, root, "no \"vendors\" list");
        if ((r = parse_vendors(c, s)) < 0)
                return r;
        const config_setting_t *l;
        if ((r = get_strings(c, root, "ignore_orgs", &l)) < 0)
                return r;
        for (int k = 0; l && k < config_setting_length(l); k++)
                if ((r = add_org(c, l, config_setting_get_string_elem(l, (unsigned) k), VENDOR_IGNORED)) < 0)
                        return r;
        if ((s = config_setting_get_member(root, "enterprises")) && (r = parse_overrides(c, s)) < 0)
                return r;
        if ((s = config_setting_get_member(root, "rules")) && (r = parse_rules(c, s)) < 0)
                return r;
        if (db->n_overrides)
                qsort(db->overrides, db->n_overrides, sizeof *db->overrides, override_cmp);
        return db->org_set ? litset_build(db->org_set) : 0;
}

static int parse_config(VendorDb *db, const char *name, config_t *cfg, bool ok, char **ret_error) {
        Ctx c = { .db = db, .file = name, .ret_error = ret_error };
        if (!ok) {
                if (ret_error && asprintf(ret_error, "%s:%d: %s", config_error_file(cfg) ? config_error_file(cfg) : name,
                                          config_error_line(cfg), config_error_text(cfg)) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        return parse_root(&c, cfg);
}

int vendor_catalogue_parse(VendorDb *db, const char *name, const char *text, char **ret_error) {
        /* One self-contained file: an include would make errors point elsewhere
         * and let a catalogue read arbitrary files. */
        for (const char *p = strstr(text, "@include"); p; p = strstr(p + 1, "@include"))
                if (p == text || p[-1] == '\n') {
                        unsigned line = 1;
                        for (const char *q = text; q < p; q++)
                                line += *q == '\n';
                        if (ret_error && asprintf(ret_error, "%s:%u: @include is not supported", name, line) < 0)
                                *ret_error = NULL;
                        return -EINVAL;
                }
        config_t cfg;
        config_init(&cfg);
        int r = parse_config(db, name, &cfg, config_read_string(&cfg, text) == CONFIG_TRUE, ret_error);
        config_destroy(&cfg);
        return r;
}

int vendor_catalogue_load(VendorDb *db, const char *path, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_file_full(path, 16u << 20, &text, &len);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (strlen(text) != len) {
                if (ret_error && asprintf(ret_error, "%s: contains a NUL byte", path) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        return vendor_catalogue_parse(db, path, text, ret_error);
}

void vendor_catalogue_done(VendorDb *db) {
        for (size_t i = 0; i < db->n_vendors; i++) {
                free(db->vendors[i].slug);
                free(db->vendors[i].name);
                free(db->vendors[i].makers);
                free(db->vendors[i].related);
        }
        free(db->vendors);
        free(db->slug_slots);
        for (size_t i = 0; i < db->n_rules; i++)
                matcher_done(&db->rules[i].m);
        free(db->rules);
        for (size_t i = 0; i < db->n_orgs; i++)
                matcher_done(&db->orgs[i].m);
        free(db->orgs);
        litset_free(db->org_set);
        for (size_t i = 0; i < db->n_overrides; i++)
                free(db->overrides[i].note);
        free(db->overrides);
        for (size_t i = 0; i < db->n_trust; i++)
                free(db->trust[i].source);
        free(db->trust);
}
