/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "vw-config.h"

bool vw_in_build_tree(void) {
        static int cached = -1;
        if (cached < 0) {
                char exe[PATH_MAX];
                ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
                size_t root = strlen(VW_BUILD_ROOT);
                cached = n > 0 && (size_t) n > root && strncmp(exe, VW_BUILD_ROOT, root) == 0 &&
                         exe[root] == '/';
        }
        return cached;
}

const char *vw_default_plugin_dir(void) {
        return vw_in_build_tree() ? VW_BUILD_PLUGIN_DIR : VW_PLUGIN_DIR;
}

const char *vw_default_vendors_file(void) {
        return vw_in_build_tree() ? VW_SOURCE_ROOT "/conf/vendors.conf" : VW_VENDORS_FILE;
}
