/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* True when the running executable lives in this build's tree: then the
 * tree's plugins/ and the source tree's conf/ are the defaults, so a
 * vendorwatchd run from the build tree needs no options. */
bool vw_in_build_tree(void);

/* Defaults that follow from that (static strings). */
const char *vw_default_plugin_dir(void);
const char *vw_default_vendors_file(void);
