/* SPDX-License-Identifier: MIT */
/* The audit's view of its sources when neighbours announce themselves
 * again: a refreshed observation marks its source as seen once per batch
 * (audit_batch_end()), with the highest TTL of the batch, exactly as the
 * full path marks it for every observation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "alerts.h"
#include "audit.h"
#include "inventory.h"
#include "policy.h"
#include "roles.h"
#include "test-helpers-cfg.h"

#define SEC UINT64_C(1000000)
#define T0 (UINT64_C(1700000000) * SEC)

typedef struct Fixture {
        TestCfg cfg;
        RolesConfig *roles;
        PolicyConfig *policy;
        Audit *audit;
        Inventory *inv;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_non_null(f);
        test_cfg_open(&f->cfg, "");
        assert_int_equal(roles_config_parse(&f->cfg.root, &f->roles), 0);
        assert_int_equal(policy_config_parse(&f->cfg.root, f->roles, &f->policy), 0);
        assert_int_equal(audit_new(f->roles, f->policy, NULL, &f->audit), 0);
        AlertsConfig ac = f->policy->alerts;
        ac.transport = ALERT_TRANSPORT_NONE;    /* as one-shot runs: nothing leaves the test */
        assert_int_equal(alert_manager_set_config(audit_alerts(f->audit), &ac), 0);
        assert_int_equal(inventory_new(NULL, &f->inv), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        audit_free(f->audit);
        inventory_free(f->inv);
        policy_config_free(f->policy);
        roles_config_free(f->roles);
        test_cfg_close(&f->cfg);
        free(f);
        return 0;
}

/* The one source's entry in the audit's status: lost or not, last seen. */
static bool source_lost(Audit *a, uint64_t *ret_last_seen) {
        json_object *j = audit_status(a), *src, *o, *v;
        assert_true(json_object_object_get_ex(j, "sources", &src));
        assert_int_equal(json_object_array_length(src), 1);
        o = json_object_array_get_idx(src, 0);
        assert_true(json_object_object_get_ex(o, "source", &v));
        assert_string_equal(json_object_get_string(v), "lldp@eth0");
        assert_true(json_object_object_get_ex(o, "last_seen_usec", &v));
        *ret_last_seen = (uint64_t) json_object_get_int64(v);
        assert_true(json_object_object_get_ex(o, "lost", &v));
        bool lost = json_object_get_boolean(v);
        json_object_put(j);
        return lost;
}

/* One LLDP neighbour's sighting, as the plugin hands it over (its strings
 * stay valid until the batch ends). */
static void sighting(Fixture *f, struct vw_observation *o, const char *interface, int32_t ttl, uint64_t now,
                     bool full) {
        o->via.interface = interface;
        o->ttl = ttl;
        ObserveResult res;
        assert_int_equal(inventory_merge(f->inv, o, now, &res), 0);
        if (full)
                assert_int_equal(audit_device_changed(f->audit, f->inv, res.device, now), 0);
        else {
                assert_true(res.refresh);
                assert_int_equal(audit_device_refreshed(f->audit, f->inv, res.device, o, res.was_present, now), 0);
        }
}

static void test_refresh_touches_source_at_batch_end(void **state) {
        Fixture *f = *state;
        const char *macs[] = { "00:e0:fc:80:00:01" };
        struct vw_observation o = {
                .source = "lldp", .kind = "neighbor", .chassis_id = "00:e0:fc:00:00:01", .chassis_subtype = "mac",
                .port_id = "ge-0/0/1", .macs = macs, .n_macs = 1,
        };
        char eth0[] = "eth0", eth0_again[] = "eth0";    /* two buffers: one source by content */
        uint64_t seen;

        sighting(f, &o, eth0, 60, T0, true);
        sighting(f, &o, eth0, 60, T0, true);    /* the second one is remembered for the refresh path */
        audit_batch_end(f->audit, T0);
        assert_false(source_lost(f->audit, &seen));
        assert_int_equal(seen, T0);

        /* a batch of refreshes: the source is seen when the batch ends,
         * with the highest TTL of the batch */
        uint64_t t1 = T0 + 100 * SEC;
        o.port_id = "ge-0/0/2";
        sighting(f, &o, eth0, 600, t1, false);
        o.port_id = "ge-0/0/3";
        sighting(f, &o, eth0, 60, t1, false);
        assert_false(source_lost(f->audit, &seen));
        assert_int_equal(seen, T0);                     /* not yet */
        o.port_id = "ge-0/0/4";
        sighting(f, &o, eth0_again, 30, t1, false);     /* another buffer: the pending one is seen first */
        audit_batch_end(f->audit, t1);
        assert_false(source_lost(f->audit, &seen));
        assert_int_equal(seen, t1);
        audit_tick(f->audit, f->inv, t1 + 181 * SEC);  /* 3 × 600 s are not over */
        assert_false(source_lost(f->audit, &seen));
        audit_tick(f->audit, f->inv, t1 + 1801 * SEC);
        assert_true(source_lost(f->audit, &seen));

        /* the source came back: its stale device takes the full path, and
         * the source is back at once */
        uint64_t t2 = t1 + 2000 * SEC;
        ObserveResult res;
        o.via.interface = eth0;
        assert_int_equal(inventory_merge(f->inv, &o, t2, &res), 0);
        assert_int_equal(audit_device_refreshed(f->audit, f->inv, res.device, &o, res.was_present, t2), 0);
        assert_false(source_lost(f->audit, &seen));
        assert_int_equal(seen, t2);
        audit_batch_end(f->audit, t2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_refresh_touches_source_at_batch_end, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
