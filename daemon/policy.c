/* SPDX-License-Identifier: MIT */
/* Placeholder until the policy issue lands: nothing is restricted. */
#include "policy.h"

struct PolicyConfig {
        int unused;
};

int policy_config_parse(CfgGroup *root, PolicyConfig **ret) {
        *ret = calloc(1, sizeof(PolicyConfig));
        return *ret ? 0 : -ENOMEM;
}

PolicyConfig *policy_config_free(PolicyConfig *c) {
        free(c);
        return NULL;
}

int policy_evaluate(const PolicyConfig *c, const Device *d, uint64_t now, PolicyState *ret) {
        policy_state_done(ret);
        return 0;
}

void policy_state_done(PolicyState *s) {
        free(s->rule);
        *s = (PolicyState) {};
}
