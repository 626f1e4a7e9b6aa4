/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "alerts.h"
#include "inventory.h"
#include "policy.h"
#include "roles.h"

struct Request;
struct Stream;

/* Control handlers (see control.h's command_fn): alerts, segments, waive, sync. */
int cmd_alerts(struct Request *req, json_object **ret, struct Stream *stream, char **ret_error);
int cmd_segments(struct Request *req, json_object **ret, struct Stream *stream, char **ret_error);
int cmd_waive(struct Request *req, json_object **ret, struct Stream *stream, char **ret_error);
int cmd_sync(struct Request *req, json_object **ret, struct Stream *stream, char **ret_error);

/* `segments` reply items: one object per segment (plus "(unassigned)") with
 * its role, match rules, and device counts per role and vendor. */
json_object *roles_segments_json(const RolesConfig *c, Inventory *inv);
