/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cfg.h"
#include "macro.h"

void cfg_group_init(CfgGroup *g, const config_setting_t *s, const char *name, const char *file, CfgError *err) {
        *g = (CfgGroup) {
                .setting = s,
                .name = name,
                .file = file,
                .error = err,
        };
}

void cfg_group_done(CfgGroup *g) {
        for (size_t i = 0; i < g->n_seen; i++)
                free(g->seen[i]);
        free(g->seen);
        g->seen = NULL;
        g->n_seen = 0;
}

void cfg_error_done(CfgError *e) {
        free(e->message);
        e->message = NULL;
}

static int mark_seen(CfgGroup *g, const char *key) {
        /* only the first path component counts: sub-groups check their own keys */
        size_t n = strcspn(key, ".");
        for (size_t i = 0; i < g->n_seen; i++)
                if (strlen(g->seen[i]) == n && strncmp(g->seen[i], key, n) == 0)
                        return 0;
        char **l = realloc(g->seen, (g->n_seen + 1) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        g->seen = l;
        g->seen[g->n_seen] = strndup(key, n);
        if (!g->seen[g->n_seen])
                return -ENOMEM;
        g->n_seen++;
        return 0;
}

static const config_setting_t *lookup(CfgGroup *g, const char *key) {
        if (!g->setting)
                return NULL;
        mark_seen(g, key);
        return config_setting_lookup((config_setting_t *) g->setting, key);
}

static int line_of(const config_setting_t *s) {
        int line = s ? (int) config_setting_source_line(s) : 0;
        return line;
}

static const char *file_of(CfgGroup *g, const config_setting_t *s) {
        const char *f = s ? config_setting_source_file(s) : NULL;
        return f ? f : g->file ? g->file : "<config>";
}

static int fail_at(CfgGroup *g, const config_setting_t *s, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static int fail_at(CfgGroup *g, const config_setting_t *s, const char *fmt, va_list ap) {
        if (!g->error || g->error->message)     /* the first error wins */
                return -EINVAL;
        _cleanup_free_ char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return -ENOMEM;
        const config_setting_t *at = s ? s : g->setting;
        int line = line_of(at);
        int r = line > 0 ? asprintf(&g->error->message, "%s:%d: %s", file_of(g, at), line, msg)
                         : asprintf(&g->error->message, "%s: %s", file_of(g, at), msg);
        if (r < 0)
                g->error->message = NULL;
        return -EINVAL;
}

int cfg_fail(CfgGroup *g, const char *key, const char *fmt, ...) {
        const config_setting_t *s = key && g->setting ? config_setting_lookup((config_setting_t *) g->setting, key) : NULL;
        va_list ap;
        va_start(ap, fmt);
        fail_at(g, s, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static int fail(CfgGroup *g, const config_setting_t *s, const char *fmt, ...) _printf_(3, 4);
static int fail(CfgGroup *g, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fail_at(g, s, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* "control.socket" for messages */
static char *qualified(CfgGroup *g, const char *key, char buf[static 256]) {
        if (g->name && *g->name)
                snprintf(buf, 256, "%s.%s", g->name, key);
        else
                snprintf(buf, 256, "%s", key);
        return buf;
}

static const char *type_name(int t) {
        switch (t) {
        case CONFIG_TYPE_GROUP: return "a group";
        case CONFIG_TYPE_INT: case CONFIG_TYPE_INT64: return "an integer";
        case CONFIG_TYPE_FLOAT: return "a number";
        case CONFIG_TYPE_STRING: return "a string";
        case CONFIG_TYPE_BOOL: return "a boolean";
        case CONFIG_TYPE_ARRAY: return "an array";
        case CONFIG_TYPE_LIST: return "a list";
        default: return "a value";
        }
}

int cfg_string(CfgGroup *g, const char *key, const char **ret) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
                return fail(g, s, "%s: expected a string, got %s", qualified(g, key, q), type_name(config_setting_type(s)));
        *ret = config_setting_get_string(s);
        return 0;
}

int cfg_int(CfgGroup *g, const char *key, int64_t min, int64_t max, int64_t *ret) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        int t = config_setting_type(s);
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
                return fail(g, s, "%s: expected an integer, got %s", qualified(g, key, q), type_name(t));
        int64_t v = config_setting_get_int64(s);
        if (v < min || v > max)
                return fail(g, s, "%s: %" PRId64 " is out of range %" PRId64 "..%" PRId64, qualified(g, key, q), v, min, max);
        *ret = v;
        return 0;
}

int cfg_double(CfgGroup *g, const char *key, double min, double max, double *ret) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        int t = config_setting_type(s);
        double v;
        if (t == CONFIG_TYPE_FLOAT)
                v = config_setting_get_float(s);
        else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
                v = (double) config_setting_get_int64(s);
        else
                return fail(g, s, "%s: expected a number, got %s", qualified(g, key, q), type_name(t));
        if (!(v >= min && v <= max))
                return fail(g, s, "%s: %g is out of range %g..%g", qualified(g, key, q), v, min, max);
        *ret = v;
        return 0;
}

int cfg_bool(CfgGroup *g, const char *key, bool *ret) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
                return fail(g, s, "%s: expected true or false, got %s", qualified(g, key, q), type_name(config_setting_type(s)));
        *ret = config_setting_get_bool(s);
        return 0;
}

int cfg_strings(CfgGroup *g, const char *key, const char ***ret, size_t *ret_n) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        int t = config_setting_type(s);
        if (t == CONFIG_TYPE_STRING) {
                const char **l = malloc(sizeof(char *));
                if (!l)
                        return -ENOMEM;
                l[0] = config_setting_get_string(s);
                *ret = l, *ret_n = 1;
                return 0;
        }
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
                return fail(g, s, "%s: expected a list of strings, got %s", qualified(g, key, q), type_name(t));
        int n = config_setting_length(s);
        const char **l = calloc(n > 0 ? (size_t) n : 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
                if (config_setting_type(e) != CONFIG_TYPE_STRING) {
                        free(l);
                        return fail(g, e, "%s[%d]: expected a string, got %s", qualified(g, key, q), i,
                                    type_name(config_setting_type(e)));
                }
                l[i] = config_setting_get_string(e);
        }
        *ret = l, *ret_n = (size_t) n;
        return 0;
}

int cfg_sub(CfgGroup *g, const char *key, CfgGroup *ret) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
                return fail(g, s, "%s: expected a group { … }, got %s", qualified(g, key, q), type_name(config_setting_type(s)));
        cfg_group_init(ret, s, config_setting_name(s), g->file, g->error);
        return 0;
}

int cfg_list_count(CfgGroup *g, const char *key, size_t *ret_n) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s) {
                *ret_n = 0;
                return -ENOENT;
        }
        if (config_setting_type(s) != CONFIG_TYPE_LIST)
                return fail(g, s, "%s: expected a list ( { … }, … ), got %s", qualified(g, key, q), type_name(config_setting_type(s)));
        *ret_n = (size_t) config_setting_length(s);
        return 0;
}

int cfg_list_elem(CfgGroup *g, const char *key, size_t i, CfgGroup *ret) {
        char q[256];
        const config_setting_t *s = lookup(g, key);
        if (!s)
                return -ENOENT;
        const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
        if (!e)
                return -ENOENT;
        if (config_setting_type(e) != CONFIG_TYPE_GROUP)
                return fail(g, e, "%s[%zu]: expected a group { … }, got %s", qualified(g, key, q), i, type_name(config_setting_type(e)));
        cfg_group_init(ret, e, key, g->file, g->error);
        return 0;
}

int cfg_check_unknown(CfgGroup *g) {
        char q[256];
        if (!g->setting)
                return 0;
        int n = config_setting_length(g->setting);
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(g->setting, (unsigned) i);
                const char *name = config_setting_name(e);
                bool seen = false;
                if (!name)
                        continue;
                for (size_t k = 0; k < g->n_seen && !seen; k++)
                        seen = streq(g->seen[k], name);
                if (!seen)
                        return fail(g, e, "unknown key %s", qualified(g, name, q));
        }
        return 0;
}

char *cfg_resolve_path(const char *config_file, const char *path) {
        if (!path)
                return NULL;
        if (path[0] == '/' || !config_file)
                return strdup(path);
        _cleanup_free_ char *copy = strdup(config_file);
        if (!copy)
                return NULL;
        char *r = NULL;
        if (asprintf(&r, "%s/%s", dirname(copy), path) < 0)
                return NULL;
        return r;
}

char *cfg_where(CfgGroup *g, const char *key) {
        const config_setting_t *s = key && g->setting ? config_setting_lookup((config_setting_t *) g->setting, key) : g->setting;
        char *r = NULL;
        if (asprintf(&r, "%s:%d", file_of(g, s), line_of(s)) < 0)
                return NULL;
        return r;
}
