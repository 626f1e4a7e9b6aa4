/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "config.h"
#include "manager.h"

typedef enum PluginState {
        PLUGIN_LOADED,
        PLUGIN_RUNNING,
        PLUGIN_DONE,            /* an offline source reached its end */
        PLUGIN_FAILED,
} PluginState;

struct Plugin {
        char *name;
        char *file;
        void *dl;
        const struct vw_plugin *vt;
        void *state;
        PluginState pstate;
        char *error;
        bool required;
        struct vw_plugin_ctx *ctx;
        struct vw_host host;            /* plugins keep a pointer to it */
};

/* Load plugin_dir/NAME.so, check its ABI, let it read and check its config
 * group, and (unless check_only) start it.  Always returns a Plugin in
 * *ret (NULL only on -ENOMEM); on failure its error says why. */
int plugin_load(Manager *m, const Config *c, const PluginConfig *pc, bool check_only, Plugin **ret);
Plugin *plugin_free(Plugin *p);

json_object *plugin_status(Plugin *p);
const char *plugin_state_to_string(PluginState s);
