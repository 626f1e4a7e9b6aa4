/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snmp-config.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

typedef struct Reader {
        const struct vw_host *host;
        struct vw_plugin_ctx *ctx;
} Reader;

static void freep_(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ __attribute__((cleanup(freep_)))

/* Overwrite a secret before freeing it. */
static void secret_free(char *s) {
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

static int opt_int(Reader *r, const char *key, int64_t min, int64_t max, int64_t def, int64_t *ret) {
        int64_t v;
        int k = r->host->ops->cfg_int(r->ctx, key, min, max, &v);
        if (k == -ENOENT)
                v = def;
        else if (k < 0)
                return k;
        *ret = v;
        return 0;
}

static int opt_string(Reader *r, const char *key, char **ret) {
        const char *s;
        int k = r->host->ops->cfg_string(r->ctx, key, &s);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return k;
        char *d = strdup(s);
        if (!d)
                return -ENOMEM;
        *ret = d;
        return 1;
}

/* A string naming one of `names`; -ENOENT keeps *ret. */
static int opt_enum(Reader *r, const char *key, const char *const *names, size_t n, int *ret) {
        const char *s;
        int k = r->host->ops->cfg_string(r->ctx, key, &s);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcasecmp(s, names[i]) == 0) {
                        *ret = (int) i;
                        return 0;
                }
        char list[256] = "";
        for (size_t i = 0; i < n; i++)
                if (names[i])
                        snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", *list ? ", " : "", names[i]);
        return r->host->ops->cfg_error(r->ctx, key, "unknown value \"%.60s\" (expected one of %s)", s, list);
}

static int opt_prefixes(Reader *r, const char *key, SnmpPrefix **ret, size_t *ret_n) {
        const char *const *l;
        size_t n;
        int k = r->host->ops->cfg_strings(r->ctx, key, &l, &n);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return k;
        SnmpPrefix *p = calloc(n ? n : 1, sizeof(SnmpPrefix));
        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (snmp_prefix_parse(l[i], &p[i]) < 0) {
                        free(p);
                        return r->host->ops->cfg_error(r->ctx, key, "\"%.80s\" is not an address prefix (ADDRESS/LENGTH)", l[i]);
                }
        *ret = p, *ret_n = n;
        return 0;
}

static void group_done(SnmpGroup *g) {
        free(g->name);
        secret_free(g->community);
        free(g->user);
        secret_free(g->auth_password);
        secret_free(g->priv_password);
        free(g->context);
        free(g->seeds);
        free(g->sweep);
        free(g->prefixes);
}

SnmpConfig *snmp_config_free(SnmpConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_groups; i++)
                group_done(&c->groups[i]);
        free(c->groups);
        free(c->allowed);
        free(c->persistent_dir);
        free(c);
        return NULL;
}

static const char *const version_names[] = { [SNMP_VERSION_V1] = "1", [SNMP_VERSION_V2C] = "2c", [SNMP_VERSION_V3] = "3" };
static const char *const auth_names[] = { [SNMP_AUTH_NONE] = "none", [SNMP_AUTH_SHA] = "SHA", [SNMP_AUTH_SHA256] = "SHA-256" };
static const char *const priv_names[] = { [SNMP_PRIV_NONE] = "none", [SNMP_PRIV_AES] = "AES" };

static int load_group(Reader *r, SnmpConfig *c, size_t i, uint16_t default_port) {
        SnmpGroup *g = &c->groups[i];
        char key[128];
        int k, v;
        int64_t x;

#define KEY(sub) (snprintf(key, sizeof key, "groups.[%zu]." sub, i), key)
        k = opt_string(r, KEY("name"), &g->name);
        if (k < 0)
                return k;
        if (k == 0 && asprintf(&g->name, "group%zu", i) < 0)
                return -ENOMEM;
        for (size_t j = 0; j < i; j++)
                if (strcmp(c->groups[j].name, g->name) == 0)
                        return r->host->ops->cfg_error(r->ctx, KEY("name"), "duplicate group name \"%s\"", g->name);

        v = SNMP_VERSION_V2C;
        if ((k = opt_enum(r, KEY("version"), version_names, ELEMENTSOF(version_names), &v)) < 0)
                return k;
        g->version = (SnmpVersion) v;
        if ((k = opt_int(r, KEY("port"), 1, 65535, default_port, &x)) < 0)
                return k;
        g->port = (uint16_t) x;
        if ((k = opt_string(r, KEY("community"), &g->community)) < 0 ||
            (k = opt_string(r, KEY("user"), &g->user)) < 0 ||
            (k = opt_string(r, KEY("auth_password"), &g->auth_password)) < 0 ||
            (k = opt_string(r, KEY("priv_password"), &g->priv_password)) < 0 ||
            (k = opt_string(r, KEY("context"), &g->context)) < 0)
                return k;
        v = SNMP_AUTH_NONE;
        if ((k = opt_enum(r, KEY("auth"), auth_names, ELEMENTSOF(auth_names), &v)) < 0)
                return k;
        g->auth = (SnmpAuth) v;
        v = SNMP_PRIV_NONE;
        if ((k = opt_enum(r, KEY("priv"), priv_names, ELEMENTSOF(priv_names), &v)) < 0)
                return k;
        g->priv = (SnmpPriv) v;

        const char *const *l;
        size_t n;
        k = r->host->ops->cfg_strings(r->ctx, KEY("seeds"), &l, &n);
        if (k < 0 && k != -ENOENT)
                return k;
        if (k >= 0) {
                g->seeds = calloc(n ? n : 1, sizeof(SnmpSeed));
                if (!g->seeds)
                        return -ENOMEM;
                for (size_t j = 0; j < n; j++) {
                        if (snmp_target_parse(l[j], &g->seeds[j].addr, &g->seeds[j].port) < 0)
                                return r->host->ops->cfg_error(r->ctx, key, "\"%.80s\" is not an address (ADDRESS, ADDRESS:PORT or [IPv6]:PORT)", l[j]);
                }
                g->n_seeds = n;
        }
        if ((k = opt_prefixes(r, KEY("sweep"), &g->sweep, &g->n_sweep)) < 0 ||
            (k = opt_prefixes(r, KEY("prefixes"), &g->prefixes, &g->n_prefixes)) < 0)
                return k;
#undef KEY
        return 0;
}

/* Secrets file: "GROUP KEY VALUE" lines, KEY one of community,
 * auth_password, priv_password; '#' starts a comment line.  It must not be
 * readable by others than its owner and group. */
static int load_secrets(Reader *r, SnmpConfig *c, const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return r->host->ops->cfg_error(r->ctx, "secrets_file", "cannot open %s: %s", path, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return r->host->ops->cfg_error(r->ctx, "secrets_file", "%s is not a regular file", path);
        }
        if (st.st_mode & 0007) {
                close(fd);
                return r->host->ops->cfg_error(r->ctx, "secrets_file", "%s is readable by others (mode %04o); make it 0600 or 0640",
                                               path, (unsigned) (st.st_mode & 07777));
        }
        FILE *f = fdopen(fd, "re");
        if (!f) {
                close(fd);
                return -ENOMEM;
        }
        char *line = NULL;
        size_t cap = 0;
        unsigned lineno = 0;
        int ret = 0;
        while (getline(&line, &cap, f) > 0) {
                lineno++;
                line[strcspn(line, "\r\n")] = 0;
                char *p = line + strspn(line, " \t");
                if (!*p || *p == '#')
                        continue;
                char *grp = strsep(&p, " \t");
                if (p)
                        p += strspn(p, " \t");
                char *what = p ? strsep(&p, " \t") : NULL;
                if (p)
                        p += strspn(p, " \t");
                if (!what || !p || !*p) {
                        ret = r->host->ops->cfg_error(r->ctx, "secrets_file", "%s:%u: expected GROUP KEY VALUE", path, lineno);
                        break;
                }
                SnmpGroup *g = NULL;
                for (size_t i = 0; i < c->n_groups; i++)
                        if (strcmp(c->groups[i].name, grp) == 0)
                                g = &c->groups[i];
                if (!g) {
                        ret = r->host->ops->cfg_error(r->ctx, "secrets_file", "%s:%u: no group named \"%.60s\"", path, lineno, grp);
                        break;
                }
                char **slot = strcmp(what, "community") == 0       ? &g->community
                              : strcmp(what, "auth_password") == 0 ? &g->auth_password
                              : strcmp(what, "priv_password") == 0 ? &g->priv_password
                                                                   : NULL;
                if (!slot) {
                        ret = r->host->ops->cfg_error(r->ctx, "secrets_file",
                                                      "%s:%u: unknown key \"%.40s\" (community, auth_password, priv_password)",
                                                      path, lineno, what);
                        break;
                }
                secret_free(*slot);
                *slot = strdup(p);
                if (!*slot) {
                        ret = -ENOMEM;
                        break;
                }
        }
        if (line) {
                explicit_bzero(line, cap);
                free(line);
        }
        fclose(f);
        return ret;
}

static int check_group(Reader *r, const SnmpGroup *g, size_t i) {
        char key[64];
        snprintf(key, sizeof key, "groups.[%zu]", i);
        if (g->version != SNMP_VERSION_V3) {
                if (!g->community)
                        return r->host->ops->cfg_error(r->ctx, key, "group \"%s\": SNMPv%s needs a community (here or in secrets_file)",
                                                       g->name, version_names[g->version]);
                return 0;
        }
        if (!g->user)
                return r->host->ops->cfg_error(r->ctx, key, "group \"%s\": SNMPv3 needs a user", g->name);
        if (g->priv != SNMP_PRIV_NONE && g->auth == SNMP_AUTH_NONE)
                return r->host->ops->cfg_error(r->ctx, key, "group \"%s\": privacy needs authentication (set auth)", g->name);
        if (g->auth != SNMP_AUTH_NONE && (!g->auth_password || strlen(g->auth_password) < 8))
                return r->host->ops->cfg_error(r->ctx, key, "group \"%s\": auth needs an auth_password of at least 8 characters", g->name);
        if (g->priv != SNMP_PRIV_NONE && (!g->priv_password || strlen(g->priv_password) < 8))
                return r->host->ops->cfg_error(r->ctx, key, "group \"%s\": priv needs a priv_password of at least 8 characters", g->name);
        return 0;
}

int snmp_config_load(const struct vw_host *host, struct vw_plugin_ctx *ctx, SnmpConfig **ret) {
        Reader r = { host, ctx };
        SnmpConfig *c = calloc(1, sizeof(SnmpConfig));
        int64_t x;
        int k;

        if (!c)
                return -ENOMEM;
#define INT(key, min, max, def, field) \
        do { \
                if ((k = opt_int(&r, key, min, max, def, &x)) < 0) \
                        goto fail; \
                c->field = (__typeof__(c->field)) x; \
        } while (0)
        INT("concurrency", 1, 65536, 256, concurrency);
        INT("timeout_ms", 10, 600000, 1000, timeout_ms);
        INT("retries", 0, 20, 1, retries);
        INT("max_repetitions", 1, 1000, 24, max_repetitions);
        INT("max_rows", 1, 10000000, 10000, max_rows);
        INT("max_host_rows", 1, 10000000, 100000, max_host_rows);
        INT("max_macs_per_access_port", 1, 100000, 8, max_macs_per_access_port);
        INT("max_targets", 1, 10000000, 65536, max_targets);
        INT("max_sweep", 0, 10000000, 4096, max_sweep);
        INT("max_requests", 1, 100000000, 20000, max_requests);
        INT("interval_sec", 1, 31 * 86400, 3600, interval_usec);
        c->interval_usec *= 1000000;
        INT("backoff_initial_sec", 1, 31 * 86400, 30, backoff_initial_usec);
        c->backoff_initial_usec *= 1000000;
        INT("backoff_max_sec", 1, 31 * 86400, 3600, backoff_max_usec);
        c->backoff_max_usec *= 1000000;
        int64_t default_port;
        if ((k = opt_int(&r, "port", 1, 65535, 161, &default_port)) < 0)
                goto fail;
#undef INT
        if (c->backoff_max_usec < c->backoff_initial_usec) {
                k = host->ops->cfg_error(ctx, "backoff_max_sec", "backoff_max_sec is less than backoff_initial_sec");
                goto fail;
        }
        c->crawl = true;
        k = host->ops->cfg_bool(ctx, "crawl", &c->crawl);
        if (k < 0 && k != -ENOENT)
                goto fail;
        c->hosts = true;
        k = host->ops->cfg_bool(ctx, "hosts", &c->hosts);
        if (k < 0 && k != -ENOENT)
                goto fail;
        if ((k = opt_prefixes(&r, "allowed_prefixes", &c->allowed, &c->n_allowed)) < 0)
                goto fail;
        if ((k = opt_string(&r, "persistent_dir", &c->persistent_dir)) < 0)
                goto fail;

        size_t n;
        if ((k = host->ops->cfg_count(ctx, "groups", &n)) < 0)
                goto fail;
        c->groups = calloc(n ? n : 1, sizeof(SnmpGroup));
        if (!c->groups) {
                k = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                c->n_groups = i + 1;
                if ((k = load_group(&r, c, i, (uint16_t) default_port)) < 0)
                        goto fail;
        }

        const char *secrets;
        k = host->ops->cfg_string(ctx, "secrets_file", &secrets);
        if (k < 0 && k != -ENOENT)
                goto fail;
        if (k >= 0) {
                _cleanup_free_ char *path = host->ops->cfg_path(ctx, secrets);
                if (!path) {
                        k = -ENOMEM;
                        goto fail;
                }
                if ((k = load_secrets(&r, c, path)) < 0)
                        goto fail;
        }
        for (size_t i = 0; i < c->n_groups; i++)
                if ((k = check_group(&r, &c->groups[i], i)) < 0)
                        goto fail;

        /* sweeps are bounded: an operator typing /8 for /24 must not send
         * sixteen million requests */
        uint64_t total = 0;
        for (size_t i = 0; i < c->n_groups; i++)
                for (size_t j = 0; j < c->groups[i].n_sweep; j++) {
                        uint64_t h = snmp_prefix_hosts(&c->groups[i].sweep[j]);
                        total = h > UINT64_MAX - total ? UINT64_MAX : total + h;
                }
        if (total > c->max_sweep) {
                char key[64];
                snprintf(key, sizeof key, "groups");
                k = host->ops->cfg_error(ctx, key, "the sweep prefixes hold %s%llu addresses, more than max_sweep (%zu)",
                                         total == UINT64_MAX ? "over " : "", (unsigned long long) total, c->max_sweep);
                goto fail;
        }
        *ret = c;
        return 0;
fail:
        snmp_config_free(c);
        return k;
}

const SnmpGroup *snmp_config_group_for(const SnmpConfig *c, const SnmpAddr *a) {
        for (size_t i = 0; i < c->n_groups; i++) {
                const SnmpGroup *g = &c->groups[i];
                for (size_t j = 0; j < g->n_prefixes; j++)
                        if (snmp_prefix_contains(&g->prefixes[j], a))
                                return g;
                for (size_t j = 0; j < g->n_sweep; j++)
                        if (snmp_prefix_contains(&g->sweep[j], a))
                                return g;
        }
        for (size_t i = 0; i < c->n_groups; i++)
                for (size_t j = 0; j < c->groups[i].n_seeds; j++)
                        if (snmp_addr_equal(&c->groups[i].seeds[j].addr, a))
                                return &c->groups[i];
        return NULL;
}

bool snmp_config_allows(const SnmpConfig *c, const SnmpAddr *a) {
        for (size_t i = 0; i < c->n_allowed; i++)
                if (snmp_prefix_contains(&c->allowed[i], a))
                        return true;
        return snmp_config_group_for(c, a) != NULL;
}
