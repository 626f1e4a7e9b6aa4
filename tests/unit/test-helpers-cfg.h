/* SPDX-License-Identifier: MIT */
/* Parse a config text with libconfig and hand its root to a section parser. */
#pragma once

#include <libconfig.h>

#include "cfg.h"

typedef struct TestCfg {
        config_t lc;
        CfgError err;
        CfgGroup root;
} TestCfg;

static inline void test_cfg_open(TestCfg *t, const char *text) {
        *t = (TestCfg) {};
        config_init(&t->lc);
        if (config_read_string(&t->lc, text) != CONFIG_TRUE) {
                fprintf(stderr, "test config does not parse: line %d: %s\n", config_error_line(&t->lc),
                        config_error_text(&t->lc));
                abort();
        }
        cfg_group_init(&t->root, config_root_setting(&t->lc), "", "test.conf", &t->err);
}

static inline void test_cfg_close(TestCfg *t) {
        cfg_group_done(&t->root);
        cfg_error_done(&t->err);
        config_destroy(&t->lc);
}
