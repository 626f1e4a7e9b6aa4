/* SPDX-License-Identifier: MIT */
#pragma once

#include "cfg.h"
#include "inventory.h"

typedef struct RolesConfig RolesConfig;

/* Reads the root keys `segments`, `overrides`, `heuristics`. */
int roles_config_parse(CfgGroup *root, RolesConfig **ret);
RolesConfig *roles_config_free(RolesConfig *c);

int role_evaluate(const RolesConfig *c, const Device *d, RoleVerdict *ret);
void role_verdict_done(RoleVerdict *v);
