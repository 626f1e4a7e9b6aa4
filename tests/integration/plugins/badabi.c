/* SPDX-License-Identifier: MIT */
/* A plugin that claims another ABI: the host must refuse it by name. */
#include "vendorwatch/plugin.h"

static int start(const struct vw_host *host, struct vw_plugin_ctx *ctx, bool check_only, void **ret_state) {
        return 0;
}

__attribute__((visibility("default"))) const struct vw_plugin vw_plugin = {
        .abi_version = VW_PLUGIN_ABI_VERSION + 41,
        .name = "badabi",
        .start = start,
};
