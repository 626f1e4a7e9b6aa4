/* SPDX-License-Identifier: MIT */
/* Placeholder until the roles issue lands: no segments, every role unknown. */
#include "roles.h"

struct RolesConfig {
        int unused;
};

int roles_config_parse(CfgGroup *root, RolesConfig **ret) {
        *ret = calloc(1, sizeof(RolesConfig));
        return *ret ? 0 : -ENOMEM;
}

RolesConfig *roles_config_free(RolesConfig *c) {
        free(c);
        return NULL;
}

int role_evaluate(const RolesConfig *c, const Device *d, RoleVerdict *ret) {
        role_verdict_done(ret);
        return 0;
}

void role_verdict_done(RoleVerdict *v) {
        free(v->role);
        free(v->segment);
        free(v->rule);
        *v = (RoleVerdict) {};
}
