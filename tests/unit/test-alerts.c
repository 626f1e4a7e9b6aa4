/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>
#include <cmocka.h>

#include "alerts.h"
#include "policy.h"
#include "test-helpers-device.h"

#define SEC 1000000ull

typedef struct Capture {
        char *lines[256];
        size_t n;
        int priorities[256];
        size_t n_persist, n_sink;
} Capture;

static void capture_emit(void *userdata, const Alert *a, const char *event, int priority, const char *line) {
        Capture *c = userdata;
        assert_true(c->n < ELEMENTSOF(c->lines));
        c->priorities[c->n] = priority;
        c->lines[c->n++] = strdup(line);
}

static void capture_persist(void *userdata, const Alert *a, const char *event, const char *json) {
        ((Capture *) userdata)->n_persist++;
        assert_non_null(strstr(json, "\"event\""));
}

static void capture_sink(void *userdata, const Alert *a, const char *event, const char *json) {
        ((Capture *) userdata)->n_sink++;
}

static void capture_done(Capture *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->lines[i]);
        *c = (Capture) {};
}

static AlertManager *make_manager(Capture *cap, const AlertsConfig *cfg) {
        AlertManager *am;
        assert_int_equal(alert_manager_new(cfg, &am), 0);
        alerts_set_emitter(am, capture_emit, cap);
        alerts_set_persist(am, capture_persist, cap);
        assert_int_equal(alerts_add_sink(am, capture_sink, cap), 0);
        return am;
}

static void make_device(Device *d, const char *id) {
        struct vw_observation o = VW_OBSERVATION_INIT;
        const char *addr[] = { "10.0.0.1" };
        o.chassis_id = "00:e0:fc:12:34:56";
        o.chassis_subtype = "mac";
        o.addresses = addr, o.n_addresses = 1;
        *d = (Device) { .id = (char *) id };
        test_device_add_obs(d, &o);
        d->vendor.vendor = (char *) "huawei";
        d->vendor.confidence = 0.95;
        assert_int_equal(role_verdict_make("core", "core", NULL, &d->role), 0);
}

static void violate(Device *d, bool on, bool waived) {
        free(d->policy.rule);
        d->policy = (PolicyState) { .violation = on, .waived = waived, .severity = LOG_CRIT,
                                    .rule = on || waived ? strdup("huawei in core") : NULL };
}

static void test_raise_clear_once(void **state) {
        Capture cap = {};
        _cleanup_(alert_manager_freep) AlertManager *am = make_manager(&cap, NULL);
        Device d;
        make_device(&d, "mac:00e0fc123456");

        assert_int_equal(alerts_device_update(am, &d, 1 * SEC), 0);     /* no violation: nothing */
        violate(&d, true, false);
        assert_int_equal(alerts_device_update(am, &d, 2 * SEC), 1);
        assert_int_equal(alerts_device_update(am, &d, 3 * SEC), 0);     /* still open: silent */
        assert_int_equal(alerts_device_update(am, &d, 4 * SEC), 0);
        assert_int_equal(cap.n, 1);
        assert_string_equal(cap.lines[0],
                            "vendorwatch alert=raised severity=crit device=mac:00e0fc123456 vendor=huawei "
                            "confidence=0.95 role=core segment=core mgmt=10.0.0.1 chassis=00:e0:fc:12:34:56 "
                            "attached=- rule=\"huawei in core\"");
        assert_int_equal(cap.priorities[0], LOG_CRIT);
        assert_int_equal(alerts_n_open(am), 1);

        /* stale: losing sight is not leaving */
        d.stale = true;
        assert_int_equal(alerts_device_update(am, &d, 5 * SEC), 0);
        assert_int_equal(alerts_n_open(am), 1);

        violate(&d, false, true);                                       /* waived */
        assert_int_equal(alerts_device_update(am, &d, 6 * SEC), 1);
        assert_int_equal(cap.n, 2);
        assert_non_null(strstr(cap.lines[1], "alert=cleared"));
        assert_non_null(strstr(cap.lines[1], "reason=waived"));
        assert_int_equal(cap.priorities[1], LOG_NOTICE);
        assert_int_equal(alerts_device_update(am, &d, 7 * SEC), 0);
        assert_int_equal(alerts_n_open(am), 0);

        /* raised again, then re-segmented */
        violate(&d, true, false);
        assert_int_equal(alerts_device_update(am, &d, 8 * SEC), 1);
        role_verdict_done(&d.role);
        assert_int_equal(role_verdict_make("edge", NULL, NULL, &d.role), 0);
        violate(&d, false, false);
        assert_int_equal(alerts_device_update(am, &d, 9 * SEC), 1);
        assert_non_null(strstr(cap.lines[3], "reason=re-segmented"));

        /* gone for good */
        violate(&d, true, false);
        assert_int_equal(alerts_device_update(am, &d, 10 * SEC), 1);
        assert_int_equal(alerts_device_gone(am, d.id, "forget", 11 * SEC), 1);
        assert_int_equal(alerts_device_gone(am, d.id, "forget", 12 * SEC), 0);
        assert_non_null(strstr(cap.lines[5], "reason=forget"));

        assert_int_equal(cap.n_persist, 6);
        assert_int_equal(cap.n_sink, 6);

        size_t cur = 0, n = 0;
        while (alerts_next(am, true, &cur))
                n++;
        assert_int_equal(n, 3);
        cur = 0;
        assert_null(alerts_next(am, false, &cur));
        test_device_done(&d);
        capture_done(&cap);
}

static void test_restart_dedup(void **state) {
        Capture cap = {};
        Device d;
        make_device(&d, "mac:00e0fc123456");
        violate(&d, true, false);

        /* first life: raise, keep the store's copy as JSON */
        char *stored;
        {
                _cleanup_(alert_manager_freep) AlertManager *am = make_manager(&cap, NULL);
                assert_int_equal(alerts_device_update(am, &d, 1 * SEC), 1);
                size_t cur = 0;
                const Alert *a = alerts_next(am, false, &cur);
                json_object *j = alert_to_json(a);
                stored = strdup(json_object_to_json_string(j));
                json_object_put(j);
        }
        /* second life: restore, re-evaluate: nothing raised */
        _cleanup_(alert_manager_freep) AlertManager *am = make_manager(&cap, NULL);
        json_object *j = json_tokener_parse(stored);
        Alert *a;
        assert_int_equal(alert_from_json(j, &a), 0);
        json_object_put(j);
        free(stored);
        assert_true(a->open);
        assert_int_equal(a->id, 1);
        assert_string_equal(a->rule, "huawei in core");
        assert_int_equal(alerts_restore(am, a), 0);
        assert_int_equal(alerts_device_update(am, &d, 2 * SEC), 0);
        assert_int_equal(cap.n, 1);
        /* new alerts continue the id sequence */
        Device e;
        make_device(&e, "mac:00e0fc000009");
        violate(&e, true, false);
        assert_int_equal(alerts_device_update(am, &e, 3 * SEC), 1);
        assert_int_equal(alerts_get_open(am, "device:mac:00e0fc000009")->id, 2);
        test_device_done(&d);
        test_device_done(&e);
        capture_done(&cap);
}

static void test_source_lost(void **state) {
        Capture cap = {};
        _cleanup_(alert_manager_freep) AlertManager *am = make_manager(&cap, NULL);
        assert_int_equal(alerts_source_lost(am, "lldp", "interface eth1 down", 1 * SEC), 1);
        assert_int_equal(alerts_source_lost(am, "lldp", "interface eth1 down", 2 * SEC), 0);
        assert_int_equal(cap.n, 1);
        assert_string_equal(cap.lines[0], "vendorwatch alert=raised severity=err kind=source-lost source=lldp "
                                          "what=\"interface eth1 down\"");
        assert_int_equal(alerts_source_back(am, "lldp", 3 * SEC), 1);
        assert_int_equal(alerts_source_back(am, "lldp", 4 * SEC), 0);
        assert_non_null(strstr(cap.lines[1], "alert=cleared"));
        capture_done(&cap);
}

static void test_flood(void **state) {
        Capture cap = {};
        AlertsConfig cfg;
        ALERTS_CONFIG_DEFAULTS(cfg);
        cfg.rate_limit_per_sec = 2;
        cfg.burst = 5;
        _cleanup_(alert_manager_freep) AlertManager *am = make_manager(&cap, &cfg);
        Device d[50];
        for (size_t i = 0; i < ELEMENTSOF(d); i++) {
                char *id;
                assert_true(asprintf(&id, "dev%zu", i) > 0);
                make_device(&d[i], id);
                violate(&d[i], true, false);
                assert_int_equal(alerts_device_update(am, &d[i], 10 * SEC), 1);
        }
        assert_int_equal(cap.n, 5);                     /* the burst */
        assert_int_equal(cap.n_persist, 50);            /* nothing lost */
        assert_int_equal(cap.n_sink, 50);
        assert_int_equal(alerts_n_open(am), 50);
        alerts_tick(am, 10 * SEC + 1);
        assert_int_equal(cap.n, 6);
        assert_non_null(strstr(cap.lines[5], "alert=summary"));
        assert_non_null(strstr(cap.lines[5], "raised=45"));
        alerts_tick(am, 12 * SEC);                      /* nothing new held back: no summary */
        assert_int_equal(cap.n, 6);
        /* the bucket refills: 2 per second */
        violate(&d[0], false, false);
        assert_int_equal(alerts_device_update(am, &d[0], 13 * SEC), 1);
        assert_int_equal(cap.n, 7);
        for (size_t i = 0; i < ELEMENTSOF(d); i++) {
                free((char *) d[i].id);
                test_device_done(&d[i]);
        }
        capture_done(&cap);
}

static void test_reminder(void **state) {
        Capture cap = {};
        AlertsConfig cfg;
        ALERTS_CONFIG_DEFAULTS(cfg);
        cfg.reminder_usec = 60 * SEC;
        _cleanup_(alert_manager_freep) AlertManager *am = make_manager(&cap, &cfg);
        Device d;
        make_device(&d, "r");
        violate(&d, true, false);
        assert_int_equal(alerts_device_update(am, &d, 100 * SEC), 1);
        alerts_tick(am, 159 * SEC);
        assert_int_equal(cap.n, 1);
        alerts_tick(am, 160 * SEC);
        assert_int_equal(cap.n, 2);
        assert_non_null(strstr(cap.lines[1], "alert=reminder"));
        alerts_tick(am, 161 * SEC);
        assert_int_equal(cap.n, 2);
        test_device_done(&d);
        capture_done(&cap);
}

static void test_line_escaping(void **state) {
        Alert a = { .kind = ALERT_VIOLATION, .subject = (char *) "chassis:local:evil\nline", .severity = LOG_CRIT,
                    .vendor = (char *) "huawei", .rule = (char *) "say \"hi\" = \\" };
        _cleanup_free_ char *line = alert_format_line(&a, "raised");
        assert_null(strchr(line, '\n'));
        assert_non_null(strstr(line, "device=\"chassis:local:evil\\x0aline\""));
        assert_non_null(strstr(line, "rule=\"say \\\"hi\\\" = \\\\\""));
        assert_non_null(strstr(line, "role=-"));
}

static void test_names(void **state) {
        assert_int_equal(syslog_facility_from_string("local3"), LOG_LOCAL3);
        assert_int_equal(syslog_facility_from_string("daemon"), LOG_DAEMON);
        assert_int_equal(syslog_facility_from_string("nope"), -EINVAL);
        assert_int_equal(alert_transport_from_string("journal"), ALERT_TRANSPORT_JOURNAL);
        assert_int_equal(alert_transport_from_string("both"), -EINVAL);
        AlertsConfig cfg;
        ALERTS_CONFIG_DEFAULTS(cfg);
        assert_int_equal(cfg.facility, LOG_DAEMON);
        assert_int_equal(cfg.source_lost_severity, LOG_ERR);
        cfg.transport = ALERT_TRANSPORT_SYSLOG;
        AlertManager *am;
        assert_int_equal(alert_manager_new(&cfg, &am), 0);
        assert_string_equal(alert_manager_transport(am), "syslog");
        alert_manager_free(am);

        /* auto: the journal when our output goes to it, never both */
        cfg.transport = ALERT_TRANSPORT_AUTO;
        assert_int_equal(setenv("JOURNAL_STREAM", "8:12345", 1), 0);
        assert_int_equal(alert_manager_new(&cfg, &am), 0);
        assert_string_equal(alert_manager_transport(am), "journal");
        alert_manager_free(am);
        unsetenv("JOURNAL_STREAM");
        if (access("/run/systemd/journal/socket", F_OK) < 0) {
                assert_int_equal(alert_manager_new(&cfg, &am), 0);
                assert_string_equal(alert_manager_transport(am), "syslog");
                alert_manager_free(am);
        }
        alert_manager_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_raise_clear_once),
                cmocka_unit_test(test_restart_dedup),
                cmocka_unit_test(test_source_lost),
                cmocka_unit_test(test_flood),
                cmocka_unit_test(test_reminder),
                cmocka_unit_test(test_line_escaping),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
