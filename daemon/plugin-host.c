/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdarg.h>

#include "audit.h"
#include "log.h"
#include "plugin-host.h"

struct vw_plugin_ctx {
        Manager *manager;
        Plugin *plugin;
        CfgGroup group;
        CfgError error;
        const char ***lists;            /* cfg_strings results, freed at the end */
        size_t n_lists, cap_lists;
        char *last_reason;
};

static Plugin *ctx_plugin(struct vw_plugin_ctx *ctx) {
        return ctx->plugin;
}

static void host_observe(struct vw_plugin_ctx *ctx, const struct vw_observation *obs) {
        if (ctx->plugin->pstate != PLUGIN_RUNNING && ctx->plugin->pstate != PLUGIN_DONE)
                return;         /* a check_only start must not feed the inventory */
        manager_observe(ctx->manager, obs);
}

static void host_observe_batch(struct vw_plugin_ctx *ctx, struct vw_sighting *s, size_t n) {
        if (ctx->plugin->pstate != PLUGIN_RUNNING && ctx->plugin->pstate != PLUGIN_DONE)
                return;
        manager_observe_batch(ctx->manager, s, n);
}

static void host_log(struct vw_plugin_ctx *ctx, enum vw_log_level level, const char *fmt, ...) _printf_(3, 4);
static void host_log(struct vw_plugin_ctx *ctx, enum vw_log_level level, const char *fmt, ...) {
        char buf[1024];
        va_list ap;
        if (log_get_max_level() < (int) level)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        log_internal((int) level, 0, "%s: %s", ctx_plugin(ctx)->name, buf);
}

static void host_done(struct vw_plugin_ctx *ctx) {
        Plugin *p = ctx_plugin(ctx);
        if (p->pstate != PLUGIN_RUNNING)
                return;
        p->pstate = PLUGIN_DONE;
        log_debug("%s: source finished", p->name);
        Manager *m = ctx->manager;
        audit_source_done(m->audit, p->name);   /* its silence is expected now */
        if (m->sources_pending > 0 && --m->sources_pending == 0 && m->oneshot)
                sd_event_exit(m->event, 0);
}

static int host_cfg_string(struct vw_plugin_ctx *ctx, const char *key, const char **ret) {
        return cfg_string(&ctx->group, key, ret);
}

static int host_cfg_int(struct vw_plugin_ctx *ctx, const char *key, int64_t min, int64_t max, int64_t *ret) {
        return cfg_int(&ctx->group, key, min, max, ret);
}

static int host_cfg_bool(struct vw_plugin_ctx *ctx, const char *key, bool *ret) {
        return cfg_bool(&ctx->group, key, ret);
}

static int host_cfg_strings(struct vw_plugin_ctx *ctx, const char *key, const char *const **ret, size_t *ret_n) {
        const char **l;
        size_t n;
        if (ctx->n_lists == ctx->cap_lists) {
                /* one per list a plugin reads: a plugin with many groups reads many */
                size_t cap = ctx->cap_lists ? 2 * ctx->cap_lists : 16;
                const char ***g = realloc(ctx->lists, cap * sizeof(*g));
                if (!g)
                        return -ENOMEM;
                ctx->lists = g;
                ctx->cap_lists = cap;
        }
        int r = cfg_strings(&ctx->group, key, &l, &n);
        if (r < 0)
                return r;
        ctx->lists[ctx->n_lists++] = l;
        *ret = l;
        *ret_n = n;
        return 0;
}

static int host_cfg_count(struct vw_plugin_ctx *ctx, const char *key, size_t *ret_n) {
        /* elements are then addressed as "key.[i].sub" (libconfig path syntax) */
        return cfg_list_count(&ctx->group, key, ret_n);
}

static int host_cfg_error(struct vw_plugin_ctx *ctx, const char *key, const char *fmt, ...) _printf_(3, 4);
static int host_cfg_error(struct vw_plugin_ctx *ctx, const char *key, const char *fmt, ...) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        return cfg_fail(&ctx->group, key, "%s", buf);
}

static char *host_cfg_path(struct vw_plugin_ctx *ctx, const char *path) {
        return cfg_resolve_path(ctx->group.file, path);
}

static bool host_oneshot(struct vw_plugin_ctx *ctx) {
        return ctx->manager->oneshot;
}

static int host_observe_json(struct vw_plugin_ctx *ctx, const char *json, size_t len, char **ret_error) {
        _cleanup_(observation_freep) Observation *o = NULL;
        int r = observation_from_json(json, len, &o, NULL, ret_error);
        if (r < 0)
                return r;
        if (!o->o.source)
                o->o.source = ctx->plugin->name;
        host_observe(ctx, &o->o);
        return 0;
}

static const struct vw_host_ops host_ops = {
        .observe_json = host_observe_json,
        .observe = host_observe,
        .observe_batch = host_observe_batch,
        .log = host_log,
        .done = host_done,
        .cfg_string = host_cfg_string,
        .cfg_int = host_cfg_int,
        .cfg_bool = host_cfg_bool,
        .cfg_strings = host_cfg_strings,
        .cfg_count = host_cfg_count,
        .cfg_error = host_cfg_error,
        .cfg_path = host_cfg_path,
        .oneshot = host_oneshot,
};

const char *plugin_state_to_string(PluginState s) {
        static const char *const names[] = {
                [PLUGIN_LOADED] = "loaded", [PLUGIN_RUNNING] = "running",
                [PLUGIN_DONE] = "done", [PLUGIN_FAILED] = "failed",
        };
        return names[s];
}

static void ctx_free(struct vw_plugin_ctx *ctx) {
        if (!ctx)
                return;
        for (size_t i = 0; i < ctx->n_lists; i++)
                free(ctx->lists[i]);
        free(ctx->lists);
        cfg_group_done(&ctx->group);
        cfg_error_done(&ctx->error);
        free(ctx);
}

Plugin *plugin_free(Plugin *p) {
        if (!p)
                return NULL;
        if (p->vt && p->vt->stop && p->state)
                p->vt->stop(p->state);
        ctx_free(p->ctx);
        if (p->dl)
                dlclose(p->dl);
        free(p->name);
        free(p->file);
        free(p->error);
        free(p);
        return NULL;
}

static int plugin_fail(Plugin *p, int r, const char *fmt, ...) _printf_(3, 4);
static int plugin_fail(Plugin *p, int r, const char *fmt, ...) {
        va_list ap;
        free(p->error);
        va_start(ap, fmt);
        if (vasprintf(&p->error, fmt, ap) < 0)
                p->error = NULL;
        va_end(ap);
        p->pstate = PLUGIN_FAILED;
        return r;
}

int plugin_load(Manager *m, const Config *c, const PluginConfig *pc, bool check_only, Plugin **ret) {
        Plugin *p = calloc(1, sizeof(Plugin));
        if (!p)
                return -ENOMEM;
        *ret = p;
        p->name = strdup(pc->name);
        p->required = pc->required;
        if (!p->name || asprintf(&p->file, "%s/%s.so", c->plugin_dir, pc->name) < 0) {
                p->file = NULL;
                return plugin_fail(p, -ENOMEM, "out of memory");
        }

        p->dl = dlopen(p->file, RTLD_NOW | RTLD_LOCAL);
        if (!p->dl)
                return plugin_fail(p, -ENOENT, "%s: cannot load: %s", p->file, dlerror());
        p->vt = dlsym(p->dl, VW_PLUGIN_SYMBOL);
        if (!p->vt)
                return plugin_fail(p, -EINVAL, "%s: not a vendorwatch plugin (no \"%s\" symbol)", p->file, VW_PLUGIN_SYMBOL);
        if (p->vt->abi_version != VW_PLUGIN_ABI_VERSION)
                return plugin_fail(p, -EPROTO, "%s: built for plugin ABI %u, this vendorwatchd speaks ABI %u",
                                   p->file, p->vt->abi_version, VW_PLUGIN_ABI_VERSION);
        if (!p->vt->start || !p->vt->name)
                return plugin_fail(p, -EINVAL, "%s: incomplete plugin table", p->file);

        p->ctx = calloc(1, sizeof(struct vw_plugin_ctx));
        if (!p->ctx)
                return plugin_fail(p, -ENOMEM, "out of memory");
        p->ctx->manager = m;
        p->ctx->plugin = p;
        cfg_group_init(&p->ctx->group, pc->setting, "plugins", c->path, &p->ctx->error);
        /* the host's own keys */
        const char *unused;
        bool unused_b;
        cfg_string(&p->ctx->group, "name", &unused);
        cfg_bool(&p->ctx->group, "required", &unused_b);

        p->host = (struct vw_host) {
                .abi_version = VW_PLUGIN_ABI_VERSION,
                .ops = &host_ops,
                .event = (struct sd_event *) m->event,
                .instance = p->name,
        };
        p->pstate = check_only ? PLUGIN_LOADED : PLUGIN_RUNNING;
        int r = p->vt->start(&p->host, p->ctx, check_only, &p->state);
        if (r >= 0)
                r = cfg_check_unknown(&p->ctx->group);
        if (r < 0) {
                if (p->vt->stop && p->state)
                        p->vt->stop(p->state);
                p->state = NULL;
                if (p->ctx->error.message)
                        return plugin_fail(p, r, "%s", p->ctx->error.message);
                return plugin_fail(p, r, "%s: failed to start: %s", p->name, strerror(-r));
        }
        if (check_only && p->vt->stop) {
                p->vt->stop(p->state);
                p->state = NULL;
        }
        return 0;
}

json_object *plugin_status(Plugin *p) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "name", json_object_new_string(p->name));
        json_object_object_add(j, "file", p->file ? json_object_new_string(p->file) : NULL);
        json_object_object_add(j, "state", json_object_new_string(plugin_state_to_string(p->pstate)));
        if (p->error)
                json_object_object_add(j, "error", json_object_new_string(p->error));
        if (p->vt && p->vt->status && p->state) {
                _cleanup_free_ char *s = p->vt->status(p->state);
                json_object *st = s ? json_tokener_parse(s) : NULL;
                if (st)
                        json_object_object_add(j, "status", st);
        }
        return j;
}
