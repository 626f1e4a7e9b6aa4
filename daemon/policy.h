/* SPDX-License-Identifier: MIT */
#pragma once

#include "cfg.h"
#include "inventory.h"

typedef struct PolicyConfig PolicyConfig;

/* Reads the root keys `policy`, `waivers`, `alerts`. */
int policy_config_parse(CfgGroup *root, PolicyConfig **ret);
PolicyConfig *policy_config_free(PolicyConfig *c);

int policy_evaluate(const PolicyConfig *c, const Device *d, uint64_t now, PolicyState *ret);
void policy_state_done(PolicyState *s);
