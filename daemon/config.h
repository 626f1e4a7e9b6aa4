/* SPDX-License-Identifier: MIT */
#pragma once

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"

typedef struct PluginConfig {
        char *name;                     /* "lldp" → plugin_dir/lldp.so */
        bool required;                  /* refuse to run without it */
        const config_setting_t *setting;        /* the group (borrowed from Config.lc) */
} PluginConfig;

struct RolesConfig;
struct PolicyConfig;

/* Parsed in one pass, immutable afterwards, swapped whole on reload. */
typedef struct Config {
        config_t lc;                    /* kept: plugin groups point into it */
        char *path;                     /* absolute path of the file, or NULL for built-in defaults */

        char *control_socket;
        char *control_group;            /* NULL: leave the socket's group alone */
        char *control_admin_group;      /* NULL: admin commands need uid 0 */
        unsigned control_max_clients;
        unsigned control_max_clients_per_uid;
        unsigned control_idle_timeout_sec;

        char *store_path;
        unsigned store_retention_days;
        unsigned store_max_size_mb;

        char *plugin_dir;
        int log_level;                  /* LOG_ERR … LOG_DEBUG */

        char *vendors_file;
        char *oui_dir;
        char *enterprises_file;

        unsigned inventory_max_devices;
        unsigned inventory_retention_days;
        unsigned inventory_age_interval_sec;

        char *metrics_path;             /* NULL: no metrics file */
        unsigned metrics_interval_sec;

        PluginConfig *plugins;
        size_t n_plugins;

        struct RolesConfig *roles;
        struct PolicyConfig *policy;
} Config;

/* Parse and validate `path` (NULL = built-in defaults only).  On failure
 * *ret_error is "file:line: reason".  `plugin_dir_override` (from
 * --plugin-dir) wins over the file. */
int config_load(const char *path, const char *plugin_dir_override, Config **ret, char **ret_error);
Config *config_free(Config *c);

const char *log_level_to_string(int level);
