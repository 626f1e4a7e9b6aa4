/* SPDX-License-Identifier: MIT */
/* Building Device values by hand for the policy-side unit tests. */
#pragma once

#include "inventory.h"
#include "observation.h"
#include "roles.h"

static inline void test_device_add_obs(Device *d, const struct vw_observation *o) {
        PackedObs *copy = NULL;
        if (packed_obs_new(o, &copy) < 0 || d->n_obs >= DEVICE_SOURCES_MAX)
                abort();
        d->obs[d->n_obs++] = copy;
}

static inline void test_device_done(Device *d) {
        for (size_t i = 0; i < d->n_obs; i++)
                packed_obs_free(d->obs[i]);
        role_verdict_done(&d->role);
        free(d->policy.rule);
        *d = (Device) {};
}
