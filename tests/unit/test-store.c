/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sqlite3.h>
#include <syslog.h>
#include <time.h>
#include <systemd/sd-event.h>
#include <cmocka.h>

#include "store-internal.h"
#include "store.h"
#include "test-helpers-device.h"

typedef struct Loaded {
        size_t n_devices, n_alerts, n_waivers, n_links;
        char *ids[16];
        Observation *obs[16];
        uint64_t first_seen[16];
        Alert *alerts[16];
        char *waiver_reason;
        uint64_t waiver_until;
} Loaded;

static int on_device(void *ud, const char *id, DeviceKind kind, uint64_t first, uint64_t last, bool absent,
                     Observation **obs, size_t n) {
        Loaded *l = ud;
        assert_true(l->n_devices < 16);
        assert_int_equal(n, 1);
        l->ids[l->n_devices] = strdup(id);
        l->first_seen[l->n_devices] = first;
        l->obs[l->n_devices++] = TAKE_PTR(obs[0]);
        return 0;
}

static int on_alert(void *ud, Alert *a) {
        Loaded *l = ud;
        l->alerts[l->n_alerts++] = a;
        return 0;
}

static int on_waiver(void *ud, const char *device, uint64_t until, const char *reason, bool from_config,
                     uint64_t created) {
        Loaded *l = ud;
        l->n_waivers++;
        l->waiver_reason = strdup(reason);
        l->waiver_until = until;
        return 0;
}

static int on_link(void *ud, const Link *k) {
        ((Loaded *) ud)->n_links++;
        assert_string_equal(k->remote_port, "Gi0/1");
        return 0;
}

static const StoreLoadOps load_ops = { on_device, on_link, on_alert, on_waiver };

static void loaded_done(Loaded *l) {
        for (size_t i = 0; i < l->n_devices; i++) {
                free(l->ids[i]);
                observation_free(l->obs[i]);
        }
        for (size_t i = 0; i < l->n_alerts; i++)
                alert_free(l->alerts[i]);
        free(l->waiver_reason);
        *l = (Loaded) {};
}

static char *tmp_path(const char *name) {
        char dir[] = "/tmp/vwstoreXXXXXX";
        assert_non_null(mkdtemp(dir));
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void make_device(Device *d, const char *id, const char *mac, const char *name) {
        struct vw_observation o = VW_OBSERVATION_INIT;
        const char *macs[] = { mac };
        const char *addr[] = { "10.0.0.1", "2001:db8::1" };
        o.source = "jsonl";
        o.time_usec = 1700000000000000ull;
        o.chassis_id = mac;
        o.chassis_subtype = "mac";
        o.sys_name = name;
        o.sys_descr = "Huawei Versatile Routing Platform Software";
        o.macs = macs, o.n_macs = 1;
        o.addresses = addr, o.n_addresses = 2;
        o.caps_system = o.caps_enabled = VW_CAP_BRIDGE | VW_CAP_ROUTER;
        o.vlan = 10;
        o.via.interface = "eth1";
        *d = (Device) { .id = (char *) id, .first_seen = 1600000000000000ull, .last_seen = 1700000000000000ull };
        test_device_add_obs(d, &o);
}

static void test_round_trip(void **state) {
        _cleanup_free_ char *path = tmp_path("inventory.db");
        char *err = NULL;
        Store *s;
        assert_int_equal(store_open(&(StoreOptions) { .path = path }, &s, &err), 0);
        assert_int_equal(store_committed(s), 0);

        Device d1, d2;
        make_device(&d1, "mac:00e0fc000001", "00:e0:fc:00:00:01", "core-1");
        make_device(&d2, "mac:00e0fc000002", "00:e0:fc:00:00:02", "core-2");
        assert_int_equal(store_put_device(s, &d1), 1);
        assert_int_equal(store_put_device(s, &d2), 2);
        assert_int_equal(store_put_device(s, &d1), 3);                  /* coalesced, still numbered */
        Alert a = { .id = 7, .kind = ALERT_VIOLATION, .key = (char *) "device:mac:00e0fc000001",
                    .subject = (char *) "mac:00e0fc000001", .vendor = (char *) "huawei", .rule = (char *) "huawei in core",
                    .severity = LOG_CRIT, .open = true };
        a.raised_usec = (uint64_t) time(NULL) * 1000000u;
        json_object *j = alert_to_json(&a);
        store_alert_persist(s, &a, "raised", json_object_to_json_string(j));
        json_object_put(j);
        Waiver w = { .device = (char *) "mac:00e0fc000002", .until_usec = 99, .reason = (char *) "lab box" };
        store_put_waiver(s, &w);
        Link l = { .local = (char *) "mac:00e0fc000001", .local_port = (char *) "Gi0/2",
                   .remote = (char *) "mac:00e0fc000002", .remote_port = (char *) "Gi0/1", .last_seen = 1 };
        store_put_link(s, &l);
        store_delete_device(s, "nosuch");
        assert_int_equal(store_last_change(s), 7);
        assert_int_equal(store_flush(s), 0);
        assert_int_equal(store_committed(s), 7);
        store_free(s);

        assert_int_equal(store_open(&(StoreOptions) { .path = path }, &s, &err), 0);
        assert_int_equal(store_committed(s), 7);                        /* numbering survives */
        Loaded ld = {};
        assert_int_equal(store_load(s, &load_ops, &ld, &err), 0);
        assert_int_equal(ld.n_devices, 2);
        assert_string_equal(ld.ids[0], "mac:00e0fc000001");
        assert_int_equal(ld.first_seen[0], 1600000000000000ull);
        const struct vw_observation *o = &ld.obs[1]->o;
        assert_string_equal(o->sys_name, "core-2");
        assert_string_equal(o->source, "jsonl");
        assert_int_equal(o->time_usec, 1700000000000000ull);
        assert_int_equal(o->n_addresses, 2);
        assert_string_equal(o->addresses[1], "2001:db8::1");
        assert_int_equal(o->vlan, 10);
        assert_string_equal(o->via.interface, "eth1");
        assert_int_equal(o->caps_enabled, VW_CAP_BRIDGE | VW_CAP_ROUTER);
        assert_int_equal(ld.n_alerts, 1);
        assert_true(ld.alerts[0]->open);
        assert_int_equal(ld.alerts[0]->id, 7);
        assert_string_equal(ld.alerts[0]->rule, "huawei in core");
        assert_int_equal(ld.n_waivers, 1);
        assert_string_equal(ld.waiver_reason, "lab box");
        assert_int_equal(ld.n_links, 1);
        loaded_done(&ld);

        /* delete, clear */
        store_delete_device(s, "mac:00e0fc000002");
        store_delete_waiver(s, "mac:00e0fc000002");
        a.open = false;
        a.cleared_usec = a.raised_usec + 1;
        a.clear_reason = (char *) "waived";
        j = alert_to_json(&a);
        store_alert_persist(s, &a, "cleared", json_object_to_json_string(j));
        json_object_put(j);
        store_free(s);                                                  /* flushes */

        assert_int_equal(store_open(&(StoreOptions) { .path = path }, &s, &err), 0);
        assert_int_equal(store_load(s, &load_ops, &ld, &err), 0);
        assert_int_equal(ld.n_devices, 1);
        assert_int_equal(ld.n_waivers, 0);
        assert_int_equal(ld.n_alerts, 1);                               /* kept as history */
        assert_false(ld.alerts[0]->open);
        loaded_done(&ld);
        json_object *st = store_status(s);
        assert_non_null(st);
        json_object_put(st);
        store_free(s);
        test_device_done(&d1);
        test_device_done(&d2);
}

static void test_migration(void **state) {
        _cleanup_free_ char *path = tmp_path("old.db");
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        /* a version-1 store as the first release wrote it */
        assert_int_equal(sqlite3_exec(db,
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE devices (id TEXT PRIMARY KEY, kind TEXT NOT NULL, first_seen INTEGER NOT NULL,"
                "  last_seen INTEGER NOT NULL, vendor TEXT, role TEXT, segment TEXT, violation INTEGER NOT NULL DEFAULT 0,"
                "  data TEXT NOT NULL);"
                "CREATE TABLE alerts (id INTEGER PRIMARY KEY, key TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,"
                "  open INTEGER NOT NULL, raised INTEGER NOT NULL, cleared INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);"
                "CREATE TABLE waivers (device TEXT PRIMARY KEY, until INTEGER NOT NULL, reason TEXT NOT NULL,"
                "  origin TEXT NOT NULL, created INTEGER NOT NULL);"
                "INSERT INTO devices VALUES ('mac:00e0fc00000a', 'network', 1, 2, NULL, NULL, NULL, 0,"
                "  '{\"kind\":\"network\",\"first_seen\":1,\"last_seen\":2,\"observations\":[{\"sys_name\":\"old\"}]}');"
                "INSERT INTO meta VALUES ('last_change', '41');"
                "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);

        Store *s;
        char *err = NULL;
        assert_int_equal(store_open(&(StoreOptions) { .path = path }, &s, &err), 0);
        assert_int_equal(store_committed(s), 41);
        Loaded ld = {};
        assert_int_equal(store_load(s, &load_ops, &ld, &err), 0);
        assert_int_equal(ld.n_devices, 1);
        assert_string_equal(ld.obs[0]->o.sys_name, "old");
        loaded_done(&ld);
        Link l = { .local = (char *) "a", .remote = (char *) "b", .remote_port = (char *) "Gi0/1" };
        assert_int_equal(store_put_link(s, &l), 42);                   /* the new table works */
        store_free(s);

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_true(store_open(&(StoreOptions) { .path = path }, &s, &err) < 0);
        assert_non_null(strstr(err, path));
        assert_non_null(strstr(err, "newer"));
        free(err);
}

static void test_corrupt_and_unwritable(void **state) {
        _cleanup_free_ char *path = tmp_path("garbage.db");
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        for (int i = 0; i < 512; i++)
                fputs("this is not a database ", f);
        fclose(f);
        Store *s;
        char *err = NULL;
        assert_true(store_open(&(StoreOptions) { .path = path }, &s, &err) < 0);
        assert_non_null(strstr(err, path));
        assert_non_null(strstr(err, "corrupt"));
        free(err);
        err = NULL;
        assert_true(store_check(path, &err) < 0);
        free(err);
        err = NULL;

        /* a store whose folder cannot exist: a file sits where it should be */
        _cleanup_free_ char *blocker = tmp_path("blocker");
        fclose(fopen(blocker, "w"));
        _cleanup_free_ char *p1 = NULL;
        assert_true(asprintf(&p1, "%s/inventory.db", blocker) > 0);
        assert_true(store_open(&(StoreOptions) { .path = p1 }, &s, &err) < 0);
        assert_non_null(strstr(err, p1));
        free(err);
        err = NULL;
        assert_true(store_check(p1, &err) < 0);
        free(err);
        err = NULL;

        /* a truncated real store: its header survives, the pages do not */
        _cleanup_free_ char *p2 = tmp_path("trunc.db");
        assert_int_equal(store_open(&(StoreOptions) { .path = p2 }, &s, &err), 0);
        Device d;
        make_device(&d, "mac:00e0fc000001", "00:e0:fc:00:00:01", "x");
        store_put_device(s, &d);
        store_free(s);
        test_device_done(&d);
        int fd = open(p2, O_WRONLY);
        assert_true(fd >= 0);
        assert_int_equal(lseek(fd, 4096, SEEK_SET), 4096);
        assert_int_equal(write(fd, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16), 16);
        close(fd);
        assert_true(store_open(&(StoreOptions) { .path = p2 }, &s, &err) < 0);
        assert_non_null(strstr(err, p2));
        free(err);
}

static void on_sync(void *userdata, uint64_t committed, int error) {
        uint64_t *ret = userdata;
        assert_int_equal(error, 0);
        *ret = committed;
}

static void test_sync_through_loop(void **state) {
        _cleanup_free_ char *path = tmp_path("sync.db");
        Store *s;
        char *err = NULL;
        sd_event *e;
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(store_open(&(StoreOptions) { .path = path, .flush_msec = 1000 }, &s, &err), 0);
        assert_int_equal(store_attach_event(s, e), 0);

        uint64_t got = 0;
        assert_int_equal(store_sync(s, on_sync, &got), 0);              /* nothing queued: at once */
        assert_int_equal(got, 0);

        Device d;
        make_device(&d, "mac:00e0fc000001", "00:e0:fc:00:00:01", "x");
        for (int i = 0; i < 100; i++)
                store_put_device(s, &d);
        got = 0;
        assert_int_equal(store_sync(s, on_sync, &got), 0);
        while (got == 0)                                                /* sync does not wait for the 1 s batch delay */
                assert_true(sd_event_run(e, 5 * 1000000) >= 0);
        assert_int_equal(got, 100);
        assert_int_equal(store_prune(s, 0), 0);
        store_free(s);
        sd_event_unref(e);
        test_device_done(&d);
}

static void on_sync_error(void *userdata, uint64_t committed, int error) {
        *(int *) userdata = error < 0 ? error : 1;
}

/* A full disk, simulated with max_page_count (SQLite answers SQLITE_FULL as
 * for ENOSPC): nothing unwritten is acknowledged, the failed batch is kept
 * and retried, and once there is room every change lands. */
static void test_full_then_room(void **state) {
        _cleanup_free_ char *path = tmp_path("full.db");
        Store *s;
        char *err = NULL;
        sd_event *e;
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(store_open(&(StoreOptions) { .path = path }, &s, &err), 0);
        assert_int_equal(store_attach_event(s, e), 0);

        Device d[12];
        char ids[12][32], macs[12][18];
        for (int i = 0; i < 12; i++) {
                snprintf(ids[i], sizeof ids[i], "mac:00e0fc0000%02x", i);
                snprintf(macs[i], sizeof macs[i], "00:e0:fc:00:00:%02x", i);
                make_device(&d[i], ids[i], macs[i], "before");
        }
        store_put_device(s, &d[0]);
        store_put_device(s, &d[1]);
        assert_int_equal(store_flush(s), 0);
        uint64_t committed = store_committed(s);

        /* the writer is idle after a flush: the disk "fills" */
        assert_int_equal(sqlite3_exec(s->db, "PRAGMA max_page_count = 1; PRAGMA max_page_count", NULL, NULL, NULL),
                         SQLITE_OK);
        for (int i = 2; i < 12; i++)
                store_put_device(s, &d[i]);
        assert_int_equal(store_flush(s), -ENOSPC);
        assert_int_equal(store_committed(s), committed);        /* nothing acknowledged */
        assert_int_equal(store_flush(s), -ENOSPC);              /* a new attempt, failing again */
        int got = 0;
        assert_int_equal(store_sync(s, on_sync_error, &got), 0);
        while (got == 0)
                assert_true(sd_event_run(e, 5 * 1000000) >= 0);
        assert_int_equal(got, -ENOSPC);

        /* room again (the writer sleeps for a second after the failed
         * attempt that the sync reported, so the connection is ours) */
        assert_int_equal(sqlite3_exec(s->db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL), SQLITE_OK);
        json_object *st = store_status(s);
        json_object *v;
        assert_true(json_object_object_get_ex(st, "error_detail", &v));
        assert_non_null(strstr(json_object_get_string(v), "SQLITE_FULL"));
        assert_true(json_object_object_get_ex(st, "pending", &v));
        assert_int_equal(json_object_get_int(v), 10);
        json_object_put(st);

        /* a newer change of a waiting device supersedes it */
        test_device_done(&d[2]);
        make_device(&d[2], ids[2], macs[2], "newer");
        store_put_device(s, &d[2]);
        assert_int_equal(store_flush(s), 0);
        assert_int_equal(store_committed(s), store_last_change(s));
        store_free(s);

        assert_int_equal(store_open(&(StoreOptions) { .path = path }, &s, &err), 0);
        Loaded ld = {};
        assert_int_equal(store_load(s, &load_ops, &ld, &err), 0);
        assert_int_equal(ld.n_devices, 12);
        for (size_t i = 0; i < ld.n_devices; i++)
                if (streq(ld.ids[i], ids[2]))
                        assert_string_equal(ld.obs[i]->o.sys_name, "newer");
        loaded_done(&ld);
        store_free(s);
        sd_event_unref(e);
        for (int i = 0; i < 12; i++)
                test_device_done(&d[i]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_migration),
                cmocka_unit_test(test_corrupt_and_unwritable),
                cmocka_unit_test(test_sync_through_loop),
                cmocka_unit_test(test_full_then_room),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
