/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "strmap.h"
#include "test-helpers-device-json.h"

#define SEC UINT64_C(1000000)

static Inventory *inv;

static int setup(void **state) {
        InventoryLimits l = { .max_devices = 100, .retention_usec = 3600 * SEC };
        return inventory_new(&l, &inv);
}

static int teardown(void **state) {
        inv = inventory_free(inv);
        return 0;
}

static Device *observe(const struct vw_observation *o, uint64_t now) {
        Device *d = NULL;
        bool conflict;
        assert_int_equal(inventory_observe(inv, o, now, &d, &conflict), 0);
        return d;
}

static void test_chassis_mac_and_interface_macs_merge(void **state) {
        struct vw_observation lldp = VW_OBSERVATION_INIT;
        lldp.source = "lldp";
        lldp.chassis_id = "00:e0:fc:12:34:56";
        lldp.chassis_subtype = "mac";
        lldp.sys_name = "core1";
        Device *a = observe(&lldp, 1 * SEC);
        assert_string_equal(a->id, "mac:00e0fc123456");

        /* SNMP reports the same box by its interface MACs, written Cisco-style */
        const char *macs[] = { "00e0.fc12.3456", "00e0.fc12.3457" };
        struct vw_observation snmp = VW_OBSERVATION_INIT;
        snmp.source = "snmp";
        snmp.macs = macs;
        snmp.n_macs = 2;
        snmp.sys_descr = "Huawei Versatile Routing Platform";
        Device *b = observe(&snmp, 2 * SEC);
        assert_ptr_equal(a, b);
        assert_int_equal(inventory_count(inv), 1);
        assert_int_equal(b->n_obs, 2);
        assert_string_equal(DEVICE_ATTR(b, sys_descr), "Huawei Versatile Routing Platform");
        assert_string_equal(DEVICE_ATTR(b, sys_name), "core1");
        assert_int_equal(b->first_seen, 1 * SEC);
        assert_int_equal(b->last_seen, 2 * SEC);
}

/* Weak identifiers never fold two boxes together. */
static void test_weak_identifiers_do_not_merge(void **state) {
        static const char *const weak_macs[] = {
                "02:00:00:00:00:01",    /* locally administered */
                "00:00:5e:00:01:0a",    /* VRRP */
                "00:00:0c:07:ac:01",    /* HSRP */
                "01:80:c2:00:00:0e",    /* multicast */
        };
        for (size_t i = 0; i < 4; i++) {
                const char *macs[] = { weak_macs[i] };
                struct vw_observation a = VW_OBSERVATION_INIT, b = VW_OBSERVATION_INIT;
                a.source = b.source = "jsonl";
                a.macs = b.macs = macs;
                a.n_macs = b.n_macs = 1;
                a.chassis_id = "00:e0:fc:00:00:01";     /* a Huawei */
                a.chassis_subtype = "mac";
                b.chassis_id = "00:1b:54:00:00:01";     /* a Cisco */
                b.chassis_subtype = "mac";
                Device *da = observe(&a, SEC), *db = observe(&b, SEC);
                assert_ptr_not_equal(da, db);
        }
        /* the same sysName, or a CDP device ID such as "Switch", in two places */
        struct vw_observation x = VW_OBSERVATION_INIT, y = VW_OBSERVATION_INIT;
        x.source = y.source = "cdp";
        x.chassis_id = y.chassis_id = "Switch";
        x.chassis_subtype = y.chassis_subtype = "cdp";
        x.via.interface = "eth0";
        y.via.interface = "eth1";
        assert_ptr_not_equal(observe(&x, SEC), observe(&y, SEC));
        /* a factory-default address */
        const char *addr[] = { "192.168.1.1" };
        struct vw_observation p = VW_OBSERVATION_INIT, q = VW_OBSERVATION_INIT;
        p.addresses = q.addresses = addr;
        p.n_addresses = q.n_addresses = 1;
        p.sys_name = "cam-1";
        q.sys_name = "cam-2";
        p.source = q.source = "jsonl";
        assert_ptr_not_equal(observe(&p, SEC), observe(&q, SEC));
}

/* One observation carrying the strong identifiers of two known devices:
 * they stay two devices and the caller is told. */
static void test_conflict_kept_apart(void **state) {
        struct vw_observation a = VW_OBSERVATION_INIT, b = VW_OBSERVATION_INIT, c = VW_OBSERVATION_INIT;
        a.source = b.source = c.source = "jsonl";
        a.chassis_id = "00:e0:fc:aa:aa:aa";
        a.chassis_subtype = "mac";
        b.chassis_id = "00:1b:54:bb:bb:bb";
        b.chassis_subtype = "mac";
        Device *da = observe(&a, SEC), *db = observe(&b, SEC);
        const char *macs[] = { "00:1b:54:bb:bb:bb" };
        c.chassis_id = "00:e0:fc:aa:aa:aa";
        c.chassis_subtype = "mac";
        c.macs = macs;
        c.n_macs = 1;
        Device *d = NULL;
        bool conflict = false;
        assert_int_equal(inventory_observe(inv, &c, 2 * SEC, &d, &conflict), 0);
        assert_true(conflict);
        assert_ptr_equal(d, da);
        assert_ptr_equal(inventory_get(inv, "mac:001b54bbbbbb"), db);
        assert_int_equal(inventory_count(inv), 2);
}

/* A management address joins a sighting to a device that has no identity
 * of its own (polled by address only), but never two boxes whose chassis
 * MACs differ. */
static void test_address_merges_only_without_strong_identity(void **state) {
        const char *addr[] = { "192.0.2.1" };
        struct vw_observation polled = VW_OBSERVATION_INIT;
        polled.source = "snmp";
        polled.addresses = addr;
        polled.n_addresses = 1;
        polled.sys_descr = "Huawei Versatile Routing Platform";
        Device *p = observe(&polled, SEC);
        assert_string_equal(p->id, "addr:192.0.2.1");

        struct vw_observation a = VW_OBSERVATION_INIT;
        a.source = "lldp";
        a.chassis_id = "00:e0:fc:00:00:0a";
        a.chassis_subtype = "mac";
        a.addresses = addr;
        a.n_addresses = 1;
        assert_ptr_equal(observe(&a, 2 * SEC), p);      /* the polled box gains its chassis MAC */

        struct vw_observation b = a;
        b.chassis_id = "00:e0:fc:00:00:0b";             /* another box announcing the same address */
        Device *q = observe(&b, 3 * SEC);
        assert_ptr_not_equal(q, p);
        assert_string_equal(q->id, "mac:00e0fc00000b");
        assert_int_equal(inventory_count(inv), 2);
}

static void test_serial_with_vendor_is_strong(void **state) {
        const char *mfg[] = { "Huawei" };
        struct vw_observation a = VW_OBSERVATION_INIT;
        a.source = "snmp";
        a.entity_mfg = mfg;
        a.n_entity_mfg = 1;
        a.entity_serial = "2102351931P0";
        Device *d = observe(&a, SEC);
        assert_string_equal(d->id, "serial:Huawei:2102351931P0");
        a.source = "snmp2";
        assert_ptr_equal(observe(&a, 2 * SEC), d);
        /* a serial without a maker identifies nothing by itself */
        struct vw_observation b = VW_OBSERVATION_INIT;
        b.source = "snmp";
        b.entity_serial = "12345";
        Device *e = NULL;
        bool conflict;
        assert_int_equal(inventory_observe(inv, &b, SEC, &e, &conflict), -EINVAL);
}

static void test_ttl_absent_and_retention(void **state) {
        struct vw_observation a = VW_OBSERVATION_INIT;
        a.source = "lldp";
        a.chassis_id = "00:e0:fc:01:02:03";
        a.chassis_subtype = "mac";
        a.ttl = 120;
        Device *d = observe(&a, 10 * SEC);
        inventory_age(inv, 100 * SEC, NULL, NULL);
        assert_false(d->absent);
        inventory_age(inv, 131 * SEC, NULL, NULL);
        assert_true(d->absent);                 /* silent past its TTL: absent, kept */
        assert_non_null(inventory_get(inv, "mac:00e0fc010203"));
        /* heard again: present again */
        d = observe(&a, 200 * SEC);
        assert_false(d->absent);
        /* a shutdown frame: gone at once */
        a.ttl = 0;
        d = observe(&a, 210 * SEC);
        assert_true(d->absent);
        /* retention passes: removed */
        inventory_age(inv, 210 * SEC + 3601 * SEC, NULL, NULL);
        assert_null(inventory_get(inv, "mac:00e0fc010203"));
        assert_int_equal(inventory_count(inv), 0);
}

static void test_device_cap(void **state) {
        char chassis[32];
        struct vw_observation a = VW_OBSERVATION_INIT;
        a.source = "lldp";
        a.chassis_subtype = "local";
        a.chassis_id = chassis;
        for (int i = 0; i < 100; i++) {
                snprintf(chassis, sizeof chassis, "box-%d", i);
                observe(&a, SEC);
        }
        snprintf(chassis, sizeof chassis, "one-too-many");
        Device *d = NULL;
        bool conflict;
        assert_int_equal(inventory_observe(inv, &a, SEC, &d, &conflict), -ENOSPC);
        assert_int_equal(inventory_count(inv), 100);
}

static void test_links(void **state) {
        struct vw_observation a = VW_OBSERVATION_INIT;
        a.source = "lldp";
        a.chassis_id = "00:e0:fc:01:02:03";
        a.chassis_subtype = "mac";
        a.port_id = "10GE1/0/1";
        a.via.interface = "eth0";
        observe(&a, SEC);
        observe(&a, 2 * SEC);
        assert_int_equal(inventory_n_links(inv), 1);
        const Link *l = inventory_link(inv, 0);
        assert_string_equal(l->local, "capture:eth0");
        assert_string_equal(l->remote, "mac:00e0fc010203");
        assert_string_equal(l->remote_port, "10GE1/0/1");
        assert_int_equal(l->last_seen, 2 * SEC);
}

/* A link's remote port, short (kept in the link) or long (a block of its
 * own), follows the neighbour from one to the other, and stays right while
 * the links' array grows and moves. */
static void test_link_ports(void **state) {
        char chassis[90][18], port[90][160];
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.chassis_subtype = "mac";
        o.via.interface = "eth0";
        for (int round = 0; round < 3; round++)
                for (size_t i = 0; i < 90; i++) {
                        snprintf(chassis[i], sizeof chassis[i], "00:e0:fc:00:10:%02zx", i);
                        /* long and short in turn, per link and per round */
                        if ((i + (size_t) round) % 3 == 0)
                                snprintf(port[i], sizeof port[i], "%0120zu/r%d", i, round);
                        else
                                snprintf(port[i], sizeof port[i], "Gi1/0/%zu.%d", i, round);
                        o.chassis_id = chassis[i];
                        o.port_id = port[i];
                        observe(&o, (uint64_t) (round * 100 + (int) i + 1) * SEC);
                        if (round == 0)         /* new links: the array grows past 64 */
                                for (size_t k = 0; k <= i; k++)
                                        assert_string_equal(inventory_link(inv, k)->remote_port, port[k]);
                }
        assert_int_equal(inventory_n_links(inv), 90);
        for (size_t i = 0; i < 90; i++)
                assert_string_equal(inventory_link(inv, i)->remote_port, port[i]);
        o.chassis_id = chassis[5];
        o.port_id = NULL;                       /* none any more */
        observe(&o, 1000 * SEC);
        assert_null(inventory_link(inv, 5)->remote_port);
}

/* Only the latest observation of a source is kept, but the record still
 * lists every address and MAC the device has been seen with. */
static void test_record_keeps_every_identifier(void **state) {
        const char *mac[] = { "00:e0:fc:01:02:03" };
        const char *a1[] = { "192.0.2.1" }, *a2[] = { "192.0.2.2" };
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "snmp";
        o.macs = mac;
        o.n_macs = 1;
        o.addresses = a1;
        o.n_addresses = 1;
        observe(&o, SEC);
        o.addresses = a2;
        Device *d = observe(&o, 2 * SEC);
        assert_int_equal(d->n_obs, 1);
        json_object *j = device_to_json(d, false), *addrs, *macs;
        assert_true(json_object_object_get_ex(j, "addresses", &addrs));
        assert_int_equal(json_object_array_length(addrs), 2);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(addrs, 0)), "192.0.2.2");
        assert_string_equal(json_object_get_string(json_object_array_get_idx(addrs, 1)), "192.0.2.1");
        assert_true(json_object_object_get_ex(j, "macs", &macs));
        assert_int_equal(json_object_array_length(macs), 1);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(macs, 0)), "00:e0:fc:01:02:03");
        json_object_put(j);
}

static void test_forget(void **state) {
        struct vw_observation a = VW_OBSERVATION_INIT;
        a.source = "lldp";
        a.chassis_id = "00:e0:fc:01:02:03";
        a.chassis_subtype = "mac";
        observe(&a, SEC);
        assert_int_equal(inventory_forget(inv, "mac:00e0fc010203"), 0);
        assert_int_equal(inventory_forget(inv, "mac:00e0fc010203"), -ENOENT);
        size_t cursor = 0;
        assert_null(inventory_next(inv, &cursor));
}

static void test_packed_observation(void **state) {
        const char *macs[40];
        char mac_text[40][18];
        for (size_t i = 0; i < 40; i++) {
                snprintf(mac_text[i], sizeof mac_text[i], "00:e0:fc:00:00:%02zx", i);
                macs[i] = mac_text[i];
        }
        const char *addresses[] = { "10.0.0.1", NULL, "2001:db8::1" };
        const char *mfg[] = { "Huawei" };
        struct vw_observation o = {
                .source = "snmp", .time_usec = 42, .chassis_id = "box", .chassis_subtype = "local",
                .sys_descr = "", .hostname = "cam-1", .macs = macs, .n_macs = 40,
                .addresses = addresses, .n_addresses = 3, .entity_mfg = mfg, .n_entity_mfg = 1,
                .caps_system = 6, .caps_enabled = 4, .vlan = 100, .ttl = 120,
                .via = { .device = "mac:00e0fc000001", .agent = "10.0.0.254" },
        };
        PackedObs *p = NULL;
        assert_int_equal(packed_obs_new(&o, &p), 0);
        assert_string_equal(PACKED_OBS_GET(p, source), "snmp");
        assert_string_equal(PACKED_OBS_GET(p, sys_descr), "");          /* empty is not absent */
        assert_null(PACKED_OBS_GET(p, sys_name));
        assert_string_equal(PACKED_OBS_GET(p, hostname), "cam-1");
        assert_string_equal(PACKED_OBS_GET(p, via.agent), "10.0.0.254");
        assert_null(PACKED_OBS_GET(p, via.port));
        size_t n;
        const char *item = packed_obs_items(p, OBS_ADDRESSES, &n);
        assert_int_equal(n, 2);                                         /* the NULL hole holds nothing */
        assert_string_equal(item, "10.0.0.1");
        assert_string_equal(packed_obs_next_item(item), "2001:db8::1");
        assert_null(packed_obs_items(p, OBS_ENTITY_MODEL, &n));
        assert_int_equal(n, 0);

        ObsView v;                                                      /* 43 items: more than fit inline */
        assert_int_equal(packed_obs_view(p, &v), 0);
        assert_int_equal(v.o.time_usec, 42);
        assert_int_equal(v.o.vlan, 100);
        assert_int_equal(v.o.ttl, 120);
        assert_int_equal(v.o.caps_enabled, 4);
        assert_int_equal(v.o.n_macs, 40);
        for (size_t i = 0; i < 40; i++)
                assert_string_equal(v.o.macs[i], macs[i]);
        assert_string_equal(v.o.entity_mfg[0], "Huawei");
        assert_string_equal(v.o.chassis_subtype, "local");
        assert_string_equal(v.o.via.device, "mac:00e0fc000001");
        assert_null(v.o.via.interface);
        assert_null(v.o.entity_model);
        obs_view_done(&v);
        packed_obs_free(p);
}

static ObserveResult merge(const struct vw_observation *o, uint64_t now) {
        ObserveResult res;
        assert_int_equal(inventory_merge(inv, o, now, &res), 0);
        return res;
}

/* A Huawei switch's LLDP sighting on eth0, from one port MAC, with one
 * management address. */
static struct vw_observation huawei_sighting(const char **mac, const char **addr) {
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.chassis_id = "00:e0:fc:00:00:01";
        o.chassis_subtype = "mac";
        o.sys_descr = "Huawei Versatile Routing Platform";
        o.macs = mac;
        o.n_macs = 1;
        o.addresses = addr;
        o.n_addresses = 1;
        o.ttl = 120;
        o.via.interface = "eth0";
        return o;
}

/* A neighbour re-announcing itself takes the refresh path, which must leave
 * the inventory as the full path would: new port MACs become keys, the
 * link's remote port follows, and a change of identity goes the full way. */
static void test_refresh_path(void **state) {
        const char *mac1[] = { "00:e0:fc:80:00:01" }, *mac2[] = { "00:e0:fc:80:00:02" };
        const char *addr[] = { "10.1.2.3" };
        struct vw_observation o = huawei_sighting(mac1, addr);
        o.port_id = "GE1/0/1";

        ObserveResult r = merge(&o, SEC);
        assert_false(r.refresh);                /* new: nothing to remember yet */
        Device *d = r.device;
        r = merge(&o, 2 * SEC);
        assert_false(r.refresh);                /* seen before: remembered now */
        assert_ptr_equal(r.device, d);

        o.port_id = "GE1/0/2";                  /* another port, from its own MAC */
        o.macs = mac2;
        o.ttl = 90;
        r = merge(&o, 3 * SEC);
        assert_true(r.refresh);
        assert_true(r.same_vendor_inputs);      /* the same registry block */
        assert_true(r.was_present);
        assert_ptr_equal(r.device, d);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800002"), d);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800001"), d);
        assert_ptr_equal(inventory_get(inv, "addr:10.1.2.3"), d);
        assert_string_equal(DEVICE_ATTR(d, port_id), "GE1/0/2");
        assert_int_equal(d->last_seen, 3 * SEC);
        assert_int_equal(d->expires, 3 * SEC + 90 * SEC);
        const Link *l = inventory_take_changed_link(inv);
        assert_non_null(l);
        assert_string_equal(l->remote_port, "GE1/0/2");
        assert_string_equal(l->local, "capture:eth0");

        /* a MAC from another registry block: refreshed, but the vendor
         * engine must look again */
        const char *other[] = { "3c:8a:b0:00:00:01" };
        o.macs = other;
        r = merge(&o, 4 * SEC);
        assert_true(r.refresh);
        assert_false(r.same_vendor_inputs);

        /* a new description is a new identity: the full path */
        o.sys_descr = "Huawei VRP V200R005";
        r = merge(&o, 5 * SEC);
        assert_false(r.refresh);
        assert_ptr_equal(r.device, d);

        /* a shutdown frame on the refresh path */
        r = merge(&o, 6 * SEC);
        assert_true(r.refresh);
        o.ttl = 0;
        r = merge(&o, 7 * SEC);
        assert_true(r.refresh);
        assert_true(d->absent);
        o.ttl = 120;
        r = merge(&o, 8 * SEC);
        assert_true(r.refresh);
        assert_false(r.was_present);
        assert_false(d->absent);
}

/* A switch heard from port after port: its port MACs are kept in its MAC
 * window or, past it, by value through growths of its key block; a text key
 * added in between stays indexed as the block moves; the record lists every
 * key; and forgetting the device frees every one of them. */
static void test_port_macs_grow(void **state) {
        char mac_text[80][18], port[80][16];
        const char *macs[1], *addr1[] = { "10.1.2.3" }, *addr2[] = { "10.1.2.3", "10.9.9.9" };
        struct vw_observation o = huawei_sighting(macs, addr1);
        Device *d = NULL;
        for (size_t i = 0; i < 80; i++) {
                snprintf(mac_text[i], sizeof mac_text[i], "00:e0:fc:80:00:%02zx", i);
                snprintf(port[i], sizeof port[i], "GE1/0/%zu", i + 1);
                macs[0] = mac_text[i];
                o.port_id = port[i];
                if (i == 40) {          /* a new address: the full path adds a text key */
                        o.addresses = addr2;
                        o.n_addresses = 2;
                }
                ObserveResult r = merge(&o, (i + 1) * SEC);
                assert_true(i < 2 || i == 40 || r.refresh);
                if (d)
                        assert_ptr_equal(r.device, d);
                d = r.device;
        }
        assert_int_equal(device_n_keys(d), 83); /* chassis, 80 port MACs, two addresses */
        assert_int_equal(d->n_keys, 19);        /* the 64 port MACs of its window have no word */
        assert_string_equal(d->id, "mac:00e0fc000001");
        for (size_t i = 0; i < 80; i++) {
                char key[32];
                snprintf(key, sizeof key, "mac:00e0fc8000%02zx", i);
                assert_ptr_equal(inventory_get(inv, key), d);
        }
        assert_ptr_equal(inventory_get(inv, "addr:10.9.9.9"), d);
        assert_ptr_equal(inventory_get(inv, "addr:10.1.2.3"), d);

        json_object *j = device_to_json(d, true), *ids;
        assert_true(json_object_object_get_ex(j, "identifiers", &ids));
        assert_int_equal(json_object_array_length(ids), 83);
        /* its keys in the order learned (the id, the addresses, the MACs
         * past its window), then the MACs of its window in order */
        const char *want[] = { "mac:00e0fc000001", "addr:10.1.2.3", "addr:10.9.9.9", "mac:00e0fc800040" };
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_string_equal(json_object_get_string(json_object_array_get_idx(ids, i)), want[i]);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(ids, 18)), "mac:00e0fc80004f");
        assert_string_equal(json_object_get_string(json_object_array_get_idx(ids, 19)), "mac:00e0fc800000");
        assert_string_equal(json_object_get_string(json_object_array_get_idx(ids, 82)), "mac:00e0fc80003f");
        json_object_put(j);
        const char *bad = device_json_check(d, true);   /* the streamed record against the reference */
        if (bad)
                fail_msg("device record: %s", bad);

        assert_int_equal(inventory_forget(inv, d->id), 0);
        assert_null(inventory_get(inv, "mac:00e0fc80004f"));
        assert_null(inventory_get(inv, "mac:00e0fc800000"));
        assert_null(inventory_get(inv, "addr:10.9.9.9"));
        assert_null(inventory_get(inv, "mac:00e0fc000001"));
}

/* mac_parse() by its rules, plainly: twelve hex digits, bare, in pairs
 * between ':' or '-', or in fours between '.'. */
static bool reference_mac(const char *s, uint8_t out[6]) {
        size_t n = strlen(s);
        char sep = n == 17 ? s[2] : n == 14 ? '.' : 0, digits[12];
        size_t group = n == 17 ? 2 : n == 14 ? 4 : 12, nd = 0;
        if ((n != 12 && n != 14 && n != 17) || (n == 17 && sep != ':' && sep != '-'))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (sep && i % (group + 1) == group) {
                        if (s[i] != sep)
                                return false;
                } else if (isxdigit((unsigned char) s[i]))
                        digits[nd++] = s[i];
                else
                        return false;
        }
        for (size_t i = 0; i < 6; i++) {
                char pair[3] = { digits[2 * i], digits[2 * i + 1], 0 };
                out[i] = (uint8_t) strtoul(pair, NULL, 16);
        }
        return true;
}

/* Every form mac_parse() takes, and mutations of them, against the plain
 * reading of its rules. */
static void test_mac_parse(void **state) {
        static const char *const fixed[] = {
                "00:e0:fc:12:34:56", "00:E0:FC:12:34:5F", "00-e0-fc-12-34-56", "00e0.fc12.3456", "00e0fc123456",
                "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "0:e0:fc:12:34:56", "00:e0:fc:12:34:5", "00:e0:fc:12:34:567",
                "00:e0-fc:12:34:56", "00:e0:fc:12:34:5g", "00:e0:fc:12:34:56:", ":00:e0:fc:12:34:56", "",
                "00e0fc12345", "00e0fc1234567", "00e0.fc12.345", "00e.0fc1.23456", "0:0:0:0:0:0",
                "00:e0:fc:12:34:56\n", "00:e0:fc:12:34:\xc3\xa9",
        };
        static const char alphabet[] = "0123456789abcdefABCDEFgGzZ:-. \x80\xff\t";
        uint32_t seed = 12345;
        for (size_t round = 0; round < ELEMENTSOF(fixed) + 50000; round++) {
                char text[32];
                if (round < ELEMENTSOF(fixed))
                        snprintf(text, sizeof text, "%s", fixed[round]);
                else {
                        /* a MAC in one of the forms, then up to three edits */
                        uint8_t m[6];
                        for (size_t i = 0; i < 6; i++)
                                m[i] = (uint8_t) ((seed = seed * 1103515245 + 12345) >> 16);
                        switch ((seed >> 8) % 4) {
                        case 0: snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]); break;
                        case 1: snprintf(text, sizeof text, "%02X-%02X-%02X-%02X-%02X-%02X", m[0], m[1], m[2], m[3], m[4], m[5]); break;
                        case 2: snprintf(text, sizeof text, "%02x%02x.%02x%02x.%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]); break;
                        default: snprintf(text, sizeof text, "%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]); break;
                        }
                        for (size_t e = (seed >> 12) % 4; e > 0; e--) {
                                seed = seed * 1103515245 + 12345;
                                size_t len = strlen(text), at = (seed >> 8) % (len + 1);
                                char c = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
                                switch ((seed >> 28) % 3) {
                                case 0: if (at < len) text[at] = c; break;      /* replace */
                                case 1: if (len + 1 < sizeof text) {            /* insert */
                                                memmove(text + at + 1, text + at, len - at + 1);
                                                text[at] = c;
                                        }
                                        break;
                                default: if (at < len) memmove(text + at, text + at + 1, len - at); break;
                                }
                        }
                }
                uint8_t got[6], want[6];
                bool ok = mac_parse(text, got) == 0, want_ok = reference_mac(text, want);
                if (ok != want_ok)
                        fail_msg("mac_parse(\"%s\"): %s, the rules say %s", text, ok ? "taken" : "refused",
                                 want_ok ? "taken" : "refused");
                if (ok && memcmp(got, want, 6) != 0)
                        fail_msg("mac_parse(\"%s\"): %02x:%02x:%02x:%02x:%02x:%02x", text, got[0], got[1], got[2],
                                 got[3], got[4], got[5]);
        }
}

static struct vw_observation switch_sighting(const char *chassis, const char *const *macs, size_t n) {
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.chassis_id = chassis;
        o.chassis_subtype = "mac";
        o.macs = macs;
        o.n_macs = n;
        return o;
}

static Device *switch_with_macs(const char *chassis, const char *const *macs, size_t n, uint64_t now) {
        struct vw_observation o = switch_sighting(chassis, macs, n);
        return observe(&o, now);
}

/* MAC keys after a device's id go to a window of 64 values from the first
 * one whose block of 16 is free; a MAC outside it, or in a block another
 * device claimed first, is indexed by value.  Every MAC finds its own device
 * whichever way it is kept, and a device's removal takes its claims along
 * without touching another device's MACs in the same block. */
static void test_mac_windows(void **state) {
        const char *a_macs[] = { "00:e0:fc:80:00:00", "00:e0:fc:80:00:05",
                                 "00:e0:fc:80:00:3f",           /* the window's last value */
                                 "00:e0:fc:80:00:40",           /* past it: by value */
                                 "00:e0:fc:7f:ff:ff" };         /* before it: by value */
        const char *b_macs[] = { "00:e0:fc:80:00:08",           /* in a's first block */
                                 "00:e0:fc:80:01:00", "00:e0:fc:80:01:0f" };
        Device *a = switch_with_macs("00:e0:fc:00:00:01", a_macs, ELEMENTSOF(a_macs), SEC);
        Device *b = switch_with_macs("00:e0:fc:00:00:02", b_macs, ELEMENTSOF(b_macs), SEC);
        assert_ptr_not_equal(a, b);
        const char *a_keys[] = { "mac:00e0fc000001", "mac:00e0fc800000", "mac:00e0fc800005", "mac:00e0fc80003f",
                                 "mac:00e0fc800040", "mac:00e0fc7fffff" };
        const char *b_keys[] = { "mac:00e0fc000002", "mac:00e0fc800008", "mac:00e0fc800100", "mac:00e0fc80010f" };
        for (size_t i = 0; i < ELEMENTSOF(a_keys); i++)
                assert_ptr_equal(inventory_get(inv, a_keys[i]), a);
        for (size_t i = 0; i < ELEMENTSOF(b_keys); i++)
                assert_ptr_equal(inventory_get(inv, b_keys[i]), b);
        assert_null(inventory_get(inv, "mac:00e0fc800001"));   /* in a's window, nobody's */
        assert_null(inventory_get(inv, "mac:00e0fc800101"));   /* in b's */

        /* a's MAC again from b is a conflict, kept with a */
        const char *stolen[] = { "00:e0:fc:80:00:05" };
        struct vw_observation o = switch_sighting("00:e0:fc:00:00:02", stolen, 1);
        ObserveResult r = merge(&o, 2 * SEC);
        assert_true(r.conflict);
        assert_ptr_equal(r.device, b);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800005"), a);

        /* a goes: its MACs and claims with it, b's stay */
        assert_int_equal(inventory_forget(inv, a->id), 0);
        for (size_t i = 0; i < ELEMENTSOF(a_keys); i++)
                assert_null(inventory_get(inv, a_keys[i]));
        for (size_t i = 0; i < ELEMENTSOF(b_keys); i++)
                assert_ptr_equal(inventory_get(inv, b_keys[i]), b);

        /* the block a claimed is free for the next one */
        const char *c_macs[] = { "00:e0:fc:80:00:01", "00:e0:fc:80:00:02" };
        Device *c = switch_with_macs("00:e0:fc:00:00:03", c_macs, ELEMENTSOF(c_macs), 3 * SEC);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800001"), c);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800002"), c);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800008"), b);
        assert_int_equal(inventory_forget(inv, b->id), 0);
        assert_null(inventory_get(inv, "mac:00e0fc800008"));
        assert_null(inventory_get(inv, "mac:00e0fc80010f"));
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800002"), c);
        assert_int_equal(inventory_forget(inv, c->id), 0);
        assert_null(inventory_get(inv, "mac:00e0fc800001"));
        assert_int_equal(inventory_count(inv), 0);
}

/* A MAC key kept as a word reads back as the text it was made from; any
 * other text stays a pointer to itself. */
static void test_mac_key_words(void **state) {
        const char *texts[] = { "mac:000000000000", "mac:0123456789ab", "mac:cdef01234567", "mac:ffffffffffff",
                                "mac:09afaf09fa90", "mac:a0b1c2d3e4f5" };
        DeviceKey words[ELEMENTSOF(texts) + 3];
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                words[i] = device_key_of_text(texts[i]);
                assert_true(words[i] & DEVICE_KEY_MAC);
        }
        const char *others[] = { "mac:0123456789AB", "mac:0123456789a", "addr:10.0.0.1" };
        for (size_t i = 0; i < ELEMENTSOF(others); i++) {
                words[ELEMENTSOF(texts) + i] = device_key_of_text(others[i]);
                assert_false(words[ELEMENTSOF(texts) + i] & DEVICE_KEY_MAC);
        }
        Device d = { .keys = words, .n_keys = ELEMENTSOF(words) };
        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                char buf[DEVICE_KEY_MAC_SIZE];
                const char *want = i < ELEMENTSOF(texts) ? texts[i] : others[i - ELEMENTSOF(texts)];
                const char *got = device_key(&d, i, buf);
                assert_string_equal(got, want);
                assert_true(i < ELEMENTSOF(texts) ? got == buf : got == want);
        }
}

/* A port MAC that belongs to another device is a conflict, reported by the
 * full path; a forgotten device is never found through a stale memo. */
static void test_refresh_falls_back(void **state) {
        const char *mac1[] = { "00:e0:fc:80:00:01" }, *theirs[] = { "00:e0:fc:99:99:99" };
        struct vw_observation other = VW_OBSERVATION_INIT;
        other.source = "lldp";
        other.chassis_id = "00:e0:fc:99:99:99";
        other.chassis_subtype = "mac";
        Device *e = merge(&other, SEC).device;

        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.chassis_id = "00:e0:fc:00:00:01";
        o.chassis_subtype = "mac";
        o.macs = mac1;
        o.n_macs = 1;
        o.via.interface = "eth0";
        Device *d = merge(&o, SEC).device;
        assert_false(merge(&o, 2 * SEC).refresh);
        assert_true(merge(&o, 3 * SEC).refresh);

        o.macs = theirs;
        ObserveResult r = merge(&o, 4 * SEC);
        assert_false(r.refresh);
        assert_true(r.conflict);
        assert_ptr_equal(r.device, d);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc999999"), e);

        assert_int_equal(inventory_forget(inv, d->id), 0);
        o.macs = mac1;
        r = merge(&o, 5 * SEC);
        assert_false(r.refresh);
        assert_int_equal(r.device->first_seen, 5 * SEC);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc000001"), r.device);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800001"), r.device);
}

/* A plugin's reference takes the refresh path without comparing; it goes
 * stale when the observation is replaced from elsewhere or the device goes. */
static void test_refresh_by_reference(void **state) {
        const char *mac1[] = { "00:e0:fc:80:00:01" }, *mac2[] = { "00:e0:fc:80:00:02" };
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "lldp";
        o.chassis_id = "00:e0:fc:00:00:01";
        o.chassis_subtype = "mac";
        o.port_id = "GE1/0/1";
        o.macs = mac1;
        o.n_macs = 1;
        o.via.interface = "eth0";
        ObserveResult r;
        assert_int_equal(inventory_merge(inv, &o, SEC, &r), 0);
        assert_int_equal(r.ref, 0);                     /* a new device: nothing remembered */
        assert_int_equal(inventory_merge(inv, &o, 2 * SEC, &r), 0);
        uint64_t ref = r.ref;
        assert_true(ref != 0);
        Device *d = r.device;

        o.port_id = "GE1/0/2";
        o.macs = mac2;
        assert_int_equal(inventory_refresh(inv, ref, &o, 3 * SEC, &r), 1);
        assert_true(r.refresh);
        assert_true(r.same_vendor_inputs);
        assert_int_equal(r.ref, ref);
        assert_ptr_equal(r.device, d);
        assert_ptr_equal(inventory_get(inv, "mac:00e0fc800002"), d);
        assert_string_equal(DEVICE_ATTR(d, port_id), "GE1/0/2");
        assert_int_equal(inventory_refresh(inv, 0, &o, 3 * SEC, &r), 0);
        assert_int_equal(inventory_refresh(inv, ref + 1, &o, 3 * SEC, &r), 0);
        assert_int_equal(inventory_refresh(inv, ref ^ (UINT64_C(1) << 40), &o, 3 * SEC, &r), 0);

        /* the same neighbour heard on another interface replaces the
         * observation: the first reference no longer holds */
        o.via.interface = "eth1";
        assert_int_equal(inventory_merge(inv, &o, 4 * SEC, &r), 0);
        assert_int_equal(inventory_refresh(inv, ref, &o, 5 * SEC, &r), 0);
        assert_int_equal(inventory_merge(inv, &o, 5 * SEC, &r), 0);
        ref = r.ref;
        assert_true(ref != 0);
        assert_int_equal(inventory_refresh(inv, ref, &o, 6 * SEC, &r), 1);

        assert_int_equal(inventory_forget(inv, d->id), 0);
        assert_int_equal(inventory_refresh(inv, ref, &o, 7 * SEC, &r), 0);
}

/* A NULL hole in a plugin's list holds nothing, for the keys as for the
 * packed form: the manufacturer of a serial key is the first one there, so
 * the refresh path and the full path agree. */
static void test_list_holes(void **state) {
        const char *mfg_hole[] = { NULL, "X" }, *mfg[] = { "X" };
        const char *addr_hole[] = { NULL, "192.0.2.7" };
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "snmp";
        o.chassis_id = "00:e0:fc:00:00:07";
        o.chassis_subtype = "mac";
        o.entity_serial = "S1";
        o.entity_mfg = mfg_hole;
        o.n_entity_mfg = 2;
        o.addresses = addr_hole;
        o.n_addresses = 2;
        Device *d = observe(&o, SEC);
        assert_ptr_equal(inventory_get(inv, "serial:X:S1"), d);
        assert_ptr_equal(inventory_get(inv, "addr:192.0.2.7"), d);
        observe(&o, 2 * SEC);
        o.entity_mfg = mfg;
        o.n_entity_mfg = 1;
        ObserveResult r;
        assert_int_equal(inventory_merge(inv, &o, 3 * SEC, &r), 0);
        assert_ptr_equal(r.device, d);
        assert_int_equal(d->n_keys, 3);
}

/* The MAC index: removal shifts probe chains back, and every key stays
 * reachable through any mix of puts and removals. */
static void test_u64map(void **state) {
        U64Map m = {};
        enum { N = 5000 };
        for (uint64_t k = 1; k <= N; k++)
                assert_int_equal(u64map_put(&m, k * 0x1000, (uint32_t) k), 0);
        assert_int_equal(u64map_put(&m, 0, 1), -EINVAL);
        for (uint64_t k = 1; k <= N; k += 3)
                assert_int_equal(u64map_remove(&m, k * 0x1000), (uint32_t) k);
        assert_int_equal(u64map_remove(&m, 1 * 0x1000), 0);
        for (uint64_t k = 1; k <= N; k++)
                assert_int_equal(u64map_get(&m, k * 0x1000), (k - 1) % 3 == 0 ? 0 : (uint32_t) k);
        assert_int_equal(u64map_put(&m, 2 * 0x1000, 7), 0);    /* replace */
        assert_int_equal(u64map_get(&m, 2 * 0x1000), 7);
        assert_int_equal(m.used, N - (N + 2) / 3);
        u64map_done(&m);
        assert_int_equal(u64map_get(&m, 5), 0);
}

/* The volatile tail (port ID, subtype, description, MACs) is rewritten in
 * place or in a grown block; everything before it stays as it was. */
static void test_packed_patch(void **state) {
        const char *macs[] = { "00:e0:fc:00:00:01" }, *macs2[] = { "00:e0:fc:00:00:02", "00:e0:fc:00:00:03" };
        const char *addresses[] = { "10.0.0.1" };
        struct vw_observation o = {
                .source = "lldp", .chassis_id = "00:e0:fc:00:00:00", .chassis_subtype = "mac",
                .port_id = "GE1/0/1", .port_subtype = "ifname", .port_descr = "uplink",
                .sys_name = "core1", .sys_descr = "Huawei VRP", .macs = macs, .n_macs = 1,
                .addresses = addresses, .n_addresses = 1, .vlan = 10, .ttl = 120, .time_usec = 1,
                .via = { .interface = "eth0" },
        };
        PackedObs *p = NULL;
        assert_int_equal(packed_obs_new(&o, &p), 0);
        p->stamp = 7;
        size_t tail = packed_obs_tail_offset(p);
        assert_string_equal(PACKED_OBS_GET(p, port_descr), "uplink");
        assert_int_equal(packed_obs_compare(p, &o), OBS_SAME_IDENTITY | OBS_SAME_MAC_BLOCKS);

        o.port_id = "GigabitEthernet1/0/48";                    /* longer: the block grows */
        o.port_descr = NULL;
        o.macs = macs2;
        o.n_macs = 2;
        o.ttl = 0;
        o.time_usec = 2;
        assert_int_equal(packed_obs_patch(&p, tail, 0, &o, o.time_usec), 0);
        assert_int_equal(p->stamp, 7);
        assert_int_equal(p->ttl, 0);
        assert_int_equal(p->time_usec, 2);
        assert_string_equal(PACKED_OBS_GET(p, port_id), "GigabitEthernet1/0/48");
        assert_string_equal(PACKED_OBS_GET(p, port_subtype), "ifname");
        assert_null(PACKED_OBS_GET(p, port_descr));
        assert_string_equal(PACKED_OBS_GET(p, sys_descr), "Huawei VRP");
        assert_string_equal(PACKED_OBS_GET(p, via.interface), "eth0");
        size_t n;
        const char *item = packed_obs_items(p, OBS_MACS, &n);
        assert_int_equal(n, 2);
        assert_string_equal(item, "00:e0:fc:00:00:02");
        assert_string_equal(packed_obs_next_item(item), "00:e0:fc:00:00:03");
        item = packed_obs_items(p, OBS_ADDRESSES, &n);
        assert_int_equal(n, 1);
        assert_string_equal(item, "10.0.0.1");
        assert_int_equal(packed_obs_tail_offset(p), tail);
        unsigned same = packed_obs_compare(p, &o);
        assert_true(same & OBS_SAME_IDENTITY);
        o.sys_name = "core2";
        assert_int_equal(packed_obs_compare(p, &o), 0);

        ObsView v;
        assert_int_equal(packed_obs_view(p, &v), 0);
        assert_string_equal(v.o.port_id, "GigabitEthernet1/0/48");
        assert_null(v.o.port_descr);
        assert_int_equal(v.o.n_macs, 2);
        assert_string_equal(v.o.macs[1], "00:e0:fc:00:00:03");
        assert_string_equal(v.o.addresses[0], "10.0.0.1");
        assert_string_equal(v.o.sys_name, "core1");
        obs_view_done(&v);
        packed_obs_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_packed_observation),
                cmocka_unit_test(test_packed_patch),
                cmocka_unit_test_setup_teardown(test_chassis_mac_and_interface_macs_merge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_weak_identifiers_do_not_merge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_conflict_kept_apart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_address_merges_only_without_strong_identity, setup, teardown),
                cmocka_unit_test_setup_teardown(test_serial_with_vendor_is_strong, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ttl_absent_and_retention, setup, teardown),
                cmocka_unit_test_setup_teardown(test_device_cap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_link_ports, setup, teardown),
                cmocka_unit_test_setup_teardown(test_record_keeps_every_identifier, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refresh_path, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port_macs_grow, setup, teardown),
                cmocka_unit_test(test_mac_key_words),
                cmocka_unit_test(test_mac_parse),
                cmocka_unit_test_setup_teardown(test_mac_windows, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refresh_falls_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refresh_by_reference, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_holes, setup, teardown),
                cmocka_unit_test(test_u64map),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
