/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "alerts.h"
#include "inventory.h"
#include "policy.h"
#include "roles.h"

/* `segments` reply items: one object per segment (plus "(unassigned)") with
 * its role, match rules, and device counts per role and vendor. */
json_object *roles_segments_json(const RolesConfig *c, Inventory *inv);
