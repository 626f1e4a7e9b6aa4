/* SPDX-License-Identifier: MIT */
/* The observation schema both ways: whatever observation_from_json accepts,
 * observation_to_json writes out in a form that parses again to the same
 * observation (the JSON is a fixpoint after one round), so `device` output,
 * --classify and the jsonl import never disagree. */
#include <stdint.h>

#include "observation.h"

static void check_same(const struct vw_observation *a, const struct vw_observation *b) {
        if (a->vlan != b->vlan || a->ttl != b->ttl || a->caps_system != b->caps_system ||
            a->caps_enabled != b->caps_enabled || a->n_macs != b->n_macs || a->n_addresses != b->n_addresses ||
            a->n_entity_mfg != b->n_entity_mfg || a->n_entity_model != b->n_entity_model ||
            !streq_ptr(a->chassis_id, b->chassis_id) || !streq_ptr(a->sys_descr, b->sys_descr) ||
            !streq_ptr(a->via.interface, b->via.interface)) {
                fprintf(stderr, "fuzz-observation: the round trip changed the observation\n");
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 1 << 20)
                return 0;
        Observation *o1 = NULL, *o2 = NULL;
        char *id = NULL, *error = NULL;
        if (observation_from_json((const char *) data, size, &o1, &id, &error) < 0) {
                if (!error)
                        abort();        /* every refusal says why */
                free(error);
                return 0;
        }
        json_object *j1 = observation_to_json(&o1->o);
        size_t n1;
        const char *s1 = json_object_to_json_string_length(j1, JSON_C_TO_STRING_PLAIN, &n1);
        if (observation_from_json(s1, n1, &o2, NULL, &error) < 0) {
                fprintf(stderr, "fuzz-observation: own output refused: %s\n%s\n", error, s1);
                abort();
        }
        check_same(&o1->o, &o2->o);
        json_object *j2 = observation_to_json(&o2->o);
        if (!streq(s1, json_object_to_json_string_ext(j2, JSON_C_TO_STRING_PLAIN))) {
                fprintf(stderr, "fuzz-observation: not a fixpoint:\n%s\n%s\n", s1,
                        json_object_to_json_string_ext(j2, JSON_C_TO_STRING_PLAIN));
                abort();
        }
        Observation *copy = NULL;
        if (observation_dup(&o2->o, &copy) >= 0)
                check_same(&o2->o, &copy->o);
        observation_free(copy);
        /* the inventory's packed form reads back the same (NULL items aside,
         * which JSON cannot carry) */
        PackedObs *packed = NULL;
        ObsView view;
        if (packed_obs_new(&o2->o, &packed) >= 0 && packed_obs_view(packed, &view) >= 0) {
                check_same(&o2->o, &view.o);
                if (!streq_ptr(PACKED_OBS_GET(packed, sys_descr), o2->o.sys_descr) ||
                    !streq_ptr(PACKED_OBS_GET(packed, via.agent), o2->o.via.agent) ||
                    !streq_ptr(PACKED_OBS_GET(packed, port_id), o2->o.port_id))
                        abort();
                obs_view_done(&view);
                /* its tail rewritten from a copy without port and MACs, then
                 * from the original again: each reads back as written */
                struct vw_observation bare = o2->o;
                bare.port_id = bare.port_subtype = bare.port_descr = NULL;
                bare.macs = NULL;
                bare.n_macs = 0;
                size_t tail = packed_obs_tail_offset(packed);
                if (packed_obs_patch(&packed, tail, 0, &bare, bare.time_usec) >= 0 && packed_obs_view(packed, &view) >= 0) {
                        check_same(&bare, &view.o);
                        obs_view_done(&view);
                }
                if (packed_obs_tail_offset(packed) != tail)
                        abort();
                if (packed_obs_patch(&packed, tail, 0, &o2->o, o2->o.time_usec) >= 0 && packed_obs_view(packed, &view) >= 0) {
                        check_same(&o2->o, &view.o);
                        obs_view_done(&view);
                }
        }
        packed_obs_free(packed);
        json_object_put(j1);
        json_object_put(j2);
        observation_free(o1);
        observation_free(o2);
        free(id);
        return 0;
}
