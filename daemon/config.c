/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <syslog.h>

#include "config.h"
#include "macro.h"
#include "paths.h"
#include "policy.h"
#include "roles.h"
#include "vw-config.h"

static const char *const level_names[] = {
        [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

const char *log_level_to_string(int level) {
        if (level < 0 || (size_t) level >= ELEMENTSOF(level_names) || !level_names[level])
                return "info";
        return level_names[level];
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        config_destroy(&c->lc);
        free(c->path);
        free(c->control_socket);
        free(c->control_group);
        free(c->control_admin_group);
        free(c->store_path);
        free(c->plugin_dir);
        free(c->vendors_file);
        free(c->oui_dir);
        free(c->enterprises_file);
        free(c->metrics_path);
        for (size_t i = 0; i < c->n_plugins; i++)
                free(c->plugins[i].name);
        free(c->plugins);
        roles_config_free(c->roles);
        policy_config_free(c->policy);
        free(c);
        return NULL;
}

/* A non-empty string setting, replacing *target (which holds the default,
 * if any). */
static int get_optional_string(CfgGroup *g, const char *key, char **target) {
        const char *v;
        int r = cfg_string(g, key, &v);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (isempty(v))
                return cfg_fail(g, key, "%s.%s: must not be empty", g->name, key);
        char *copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        free(*target);
        *target = copy;
        return 0;
}

/* A setting that names a file: resolved against the config file's folder. */
static int get_path(CfgGroup *g, const char *key, char **target) {
        char *v = NULL;
        int r = get_optional_string(g, key, &v);
        if (r < 0 || !v)
                return r;
        char *p = cfg_resolve_path(g->file, v);
        free(v);
        if (!p)
                return -ENOMEM;
        free(*target);
        *target = p;
        return 0;
}

static int get_uint(CfgGroup *g, const char *key, unsigned min, unsigned max, unsigned *target) {
        int64_t v;
        int r = cfg_int(g, key, min, max, &v);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        *target = (unsigned) v;
        return 0;
}

/* A group that may be absent: absent means all defaults. */
static int sub_or_empty(CfgGroup *root, const char *key, CfgGroup *ret) {
        cfg_group_init(ret, NULL, key, root->file, root->error);
        int r = cfg_sub(root, key, ret);
        if (r == -ENOENT) {
                cfg_group_init(ret, NULL, key, root->file, root->error);
                return 0;
        }
        return r;
}

static int parse_control(CfgGroup *root, Config *c) {
        CfgGroup g;
        int r = sub_or_empty(root, "control", &g);
        if (r >= 0) r = get_path(&g, "socket", &c->control_socket);
        if (r >= 0) r = get_optional_string(&g, "group", &c->control_group);
        if (r >= 0) r = get_optional_string(&g, "admin_group", &c->control_admin_group);
        if (r >= 0) r = get_uint(&g, "max_clients", 1, 65536, &c->control_max_clients);
        if (r >= 0) r = get_uint(&g, "max_clients_per_uid", 1, 65536, &c->control_max_clients_per_uid);
        if (r >= 0) r = get_uint(&g, "idle_timeout_sec", 1, 3600, &c->control_idle_timeout_sec);
        if (r >= 0) r = cfg_check_unknown(&g);
        if (r >= 0 && strlen(c->control_socket) >= 108)
                r = cfg_fail(&g, "socket", "control.socket: path longer than 107 bytes");
        cfg_group_done(&g);
        return r;
}

static int parse_store(CfgGroup *root, Config *c) {
        CfgGroup g;
        int r = sub_or_empty(root, "store", &g);
        if (r >= 0) r = get_path(&g, "path", &c->store_path);
        if (r >= 0) r = get_uint(&g, "retention_days", 1, 36500, &c->store_retention_days);
        if (r >= 0) r = get_uint(&g, "max_size_mb", 1, 1 << 20, &c->store_max_size_mb);
        if (r >= 0) r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

static int parse_log(CfgGroup *root, Config *c) {
        CfgGroup g;
        const char *v;
        int r = sub_or_empty(root, "log", &g);
        if (r >= 0) {
                r = cfg_string(&g, "level", &v);
                if (r == -ENOENT)
                        r = 0;
                else if (r >= 0) {
                        size_t i;
                        for (i = 0; i < ELEMENTSOF(level_names); i++)
                                if (level_names[i] && streq(level_names[i], v))
                                        break;
                        if (i == ELEMENTSOF(level_names))
                                r = cfg_fail(&g, "level", "log.level: \"%s\" is not one of err, warning, notice, info, debug", v);
                        else
                                c->log_level = (int) i;
                }
        }
        if (r >= 0) r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

static int parse_vendors(CfgGroup *root, Config *c) {
        CfgGroup g;
        int r = sub_or_empty(root, "vendors", &g);
        if (r >= 0) r = get_path(&g, "catalogue", &c->vendors_file);
        if (r >= 0) r = get_path(&g, "oui_dir", &c->oui_dir);
        if (r >= 0) r = get_path(&g, "enterprises", &c->enterprises_file);
        if (r >= 0) r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

static int parse_metrics(CfgGroup *root, Config *c) {
        CfgGroup g;
        int r = sub_or_empty(root, "metrics", &g);
        if (r >= 0) r = get_path(&g, "path", &c->metrics_path);
        if (r >= 0) r = get_uint(&g, "interval_sec", 1, 86400, &c->metrics_interval_sec);
        if (r >= 0) r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

static int parse_inventory(CfgGroup *root, Config *c) {
        CfgGroup g;
        int r = sub_or_empty(root, "inventory", &g);
        if (r >= 0) r = get_uint(&g, "max_devices", 1, 10000000, &c->inventory_max_devices);
        if (r >= 0) r = get_uint(&g, "retention_days", 1, 36500, &c->inventory_retention_days);
        if (r >= 0) r = get_uint(&g, "age_interval_sec", 1, 3600, &c->inventory_age_interval_sec);
        if (r >= 0) r = cfg_check_unknown(&g);
        cfg_group_done(&g);
        return r;
}

static int parse_plugin(CfgGroup *root, CfgGroup *g, Config *c, size_t i) {
        const char *name;
        bool required = false;
        int r = cfg_string(g, "name", &name);
        if (r == -ENOENT)
                return cfg_fail(root, "plugins", "plugins[%zu]: missing name", i);
        if (r < 0)
                return r;
        if (isempty(name) || strchr(name, '/') || name[0] == '.')
                return cfg_fail(g, "name", "plugins[%zu].name: \"%s\" is not a plugin name", i, name);
        for (size_t k = 0; k < i; k++)
                if (streq(c->plugins[k].name, name))
                        return cfg_fail(g, "name", "plugins[%zu]: plugin \"%s\" is configured twice", i, name);
        r = cfg_bool(g, "required", &required);
        if (r < 0 && r != -ENOENT)
                return r;
        c->plugins[i] = (PluginConfig) {
                .name = strdup(name),
                .required = required,
                .setting = g->setting,
        };
        if (!c->plugins[i].name)
                return -ENOMEM;
        c->n_plugins++;
        return 0;
}

/* plugins = ( { name = "lldp"; required = true; …plugin keys… }, … ).  The
 * plugin keys are checked by the plugin itself (check_only start). */
static int parse_plugins(CfgGroup *root, Config *c) {
        size_t n;
        int r = cfg_list_count(root, "plugins", &n);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        c->plugins = calloc(n ? n : 1, sizeof(PluginConfig));
        if (!c->plugins)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                CfgGroup g;
                r = cfg_list_elem(root, "plugins", i, &g);
                if (r < 0)
                        return r;
                r = parse_plugin(root, &g, c, i);
                cfg_group_done(&g);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int set_defaults(Config *c) {
        *c = (Config) {
                .control_socket = strdup(VW_SOCKET_PATH),
                .control_max_clients = 256,
                .control_max_clients_per_uid = 64,
                .control_idle_timeout_sec = 30,
                .store_path = strdup(VW_STORE_PATH),
                .store_retention_days = 365,
                .store_max_size_mb = 1024,
                .plugin_dir = strdup(vw_default_plugin_dir()),
                .log_level = LOG_INFO,
                .vendors_file = strdup(vw_default_vendors_file()),
                .oui_dir = strdup(VW_OUI_DIR),
                .enterprises_file = strdup(VW_ENTERPRISES_FILE),
                .inventory_max_devices = 1000000,
                .inventory_retention_days = 30,
                .inventory_age_interval_sec = 5,
                .metrics_interval_sec = 15,
        };
        config_init(&c->lc);
        if (!c->control_socket || !c->store_path || !c->plugin_dir || !c->vendors_file || !c->oui_dir ||
            !c->enterprises_file)
                return -ENOMEM;
        return 0;
}

int config_load(const char *path, const char *plugin_dir_override, Config **ret, char **ret_error) {
        Config *c = calloc(1, sizeof(Config));
        CfgError err = {};
        int r;

        *ret_error = NULL;
        if (!c)
                return -ENOMEM;
        r = set_defaults(c);
        if (r < 0)
                goto fail;

        if (path) {
                c->path = realpath(path, NULL);
                if (!c->path) {
                        r = -errno;
                        if (asprintf(ret_error, "%s: %s", path, strerror(errno)) < 0)
                                *ret_error = NULL;
                        goto fail;
                }
                if (config_read_file(&c->lc, c->path) != CONFIG_TRUE) {
                        const char *f = config_error_file(&c->lc);
                        if (config_error_type(&c->lc) == CONFIG_ERR_FILE_IO) {
                                if (asprintf(ret_error, "%s: cannot read the file", c->path) < 0)
                                        *ret_error = NULL;
                        } else if (asprintf(ret_error, "%s:%d: %s", f ? f : c->path, config_error_line(&c->lc),
                                            config_error_text(&c->lc)) < 0)
                                *ret_error = NULL;
                        r = -EINVAL;
                        goto fail;
                }
        }

        CfgGroup root;
        cfg_group_init(&root, path ? config_root_setting(&c->lc) : NULL, "", c->path, &err);

        /* plugin_dir at the top level */
        r = get_path(&root, "plugin_dir", &c->plugin_dir);
        if (r >= 0) r = parse_control(&root, c);
        if (r >= 0) r = parse_store(&root, c);
        if (r >= 0) r = parse_log(&root, c);
        if (r >= 0) r = parse_vendors(&root, c);
        if (r >= 0) r = parse_inventory(&root, c);
        if (r >= 0) r = parse_metrics(&root, c);
        if (r >= 0) r = parse_plugins(&root, c);
        if (r >= 0) r = roles_config_parse(&root, &c->roles);
        if (r >= 0) r = policy_config_parse(&root, c->roles, &c->policy);
        if (r >= 0) r = cfg_check_unknown(&root);
        cfg_group_done(&root);
        if (r < 0)
                goto fail;

        if (plugin_dir_override) {
                free(c->plugin_dir);
                c->plugin_dir = strdup(plugin_dir_override);
                if (!c->plugin_dir) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = c;
        return 0;

fail:
        if (!*ret_error) {
                if (err.message)
                        *ret_error = TAKE_PTR(err.message);
                else if (asprintf(ret_error, "%s: %s", path ? path : "<defaults>", strerror(-r)) < 0)
                        *ret_error = NULL;
        }
        cfg_error_done(&err);
        config_free(c);
        return r;
}
