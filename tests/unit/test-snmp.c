/* SPDX-License-Identifier: MIT */
/* The SNMP plugin's pure half: varbinds -> record -> observations, text
 * escaping, addresses and prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observation.h"
#include "snmp-addr.h"
#include "snmp-mib.h"

#define MAX_OBS 16

typedef struct Collected {
        Observation *obs[MAX_OBS];
        size_t n;
} Collected;

static void collect(const struct vw_observation *o, void *userdata) {
        Collected *c = userdata;
        assert_true(c->n < MAX_OBS);
        assert_int_equal(observation_dup(o, &c->obs[c->n]), 0);
        c->n++;
}

static void collected_free(Collected *c) {
        for (size_t i = 0; i < c->n; i++)
                observation_free(c->obs[i]);
}

/* Only counts, for the larger emissions. */
typedef struct Counted {
        size_t n;
} Counted;

static void collect2(const struct vw_observation *o, void *userdata) {
        assert_non_null(o->source);
        ((Counted *) userdata)->n++;
}

static void collected2_free(Counted *c) {
        c->n = 0;
}

/* Build a varbind for column `col` with the given index. */
typedef struct VB {
        uint32_t oid[SNMP_OID_MAX];
        SnmpVarbind vb;
} VB;

static SnmpVarbind *vb_make(VB *b, SnmpColumnId col, const uint32_t *index, size_t n_index, uint8_t type) {
        const SnmpColumn *c = &snmp_columns[col];
        memcpy(b->oid, c->oid, c->oid_len * sizeof(uint32_t));
        if (n_index > 0)
                memcpy(b->oid + c->oid_len, index, n_index * sizeof(uint32_t));
        b->vb = (SnmpVarbind) { .oid = b->oid, .oid_len = c->oid_len + n_index, .type = type };
        return &b->vb;
}

static void add_str(SnmpRecord *r, SnmpColumnId col, const uint32_t *index, size_t n_index, const void *s, size_t len) {
        VB b;
        SnmpVarbind *vb = vb_make(&b, col, index, n_index, SNMP_VB_OCTETS);
        vb->octets = s, vb->octets_len = len;
        assert_int_equal(snmp_record_add(r, vb, NULL), 1);
}

static void add_int(SnmpRecord *r, SnmpColumnId col, const uint32_t *index, size_t n_index, int64_t v) {
        VB b;
        SnmpVarbind *vb = vb_make(&b, col, index, n_index, SNMP_VB_INTEGER);
        vb->integer = v;
        assert_int_equal(snmp_record_add(r, vb, NULL), 1);
}

#define IDX(...) (const uint32_t[]) { __VA_ARGS__ }, sizeof((uint32_t[]) { __VA_ARGS__ }) / sizeof(uint32_t)
#define STR(s) s, strlen(s)

static const uint32_t huawei_oid[] = { 1, 3, 6, 1, 4, 1, 2011, 2, 239, 12 };

static void fill_device(SnmpRecord *r) {
        /* scalars have the empty index */
        VB b;
        SnmpVarbind *vb;
        add_str(r, COL_SYS_DESCR, NULL, 0, STR("Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 8.180\0\0"));
        add_str(r, COL_SYS_NAME, NULL, 0, STR("hw-core-1"));
        vb = vb_make(&b, COL_SYS_OBJECT_ID, NULL, 0, SNMP_VB_OID);
        vb->value_oid = huawei_oid, vb->value_oid_len = 10;
        assert_int_equal(snmp_record_add(r, vb, NULL), 1);
        add_int(r, COL_LLDP_LOC_CHASSIS_SUBTYPE, NULL, 0, 4);
        add_str(r, COL_LLDP_LOC_CHASSIS_ID, NULL, 0, "\x00\xe0\xfc\x12\x34\x56", 6);

        /* ifTable: a duplicate, a zero MAC, an empty one, a wrong length */
        add_str(r, COL_IF_PHYS_ADDRESS, IDX(1), "", 0);
        add_str(r, COL_IF_PHYS_ADDRESS, IDX(2), "\x00\xe0\xfc\x12\x34\x57", 6);
        add_str(r, COL_IF_PHYS_ADDRESS, IDX(3), "\x00\xe0\xfc\x12\x34\x57", 6);
        add_str(r, COL_IF_PHYS_ADDRESS, IDX(4), "\x00\x00\x00\x00\x00\x00", 6);
        add_str(r, COL_IF_PHYS_ADDRESS, IDX(5), "\x00\xe0\xfc\x12", 4);
        add_str(r, COL_IF_PHYS_ADDRESS, IDX(6), "\x00\xe0\xfc\x00\x00\x01", 6);
        add_str(r, COL_IF_NAME, IDX(2), STR("GigabitEthernet0/0/1"));
        add_str(r, COL_IF_NAME, IDX(3), STR("GigabitEthernet0/0/2"));

        /* ENTITY-MIB: a module (class 9) and the chassis (class 3) */
        add_int(r, COL_ENT_CLASS, IDX(1), 9);
        add_int(r, COL_ENT_CLASS, IDX(16777216), 3);
        add_str(r, COL_ENT_MFG, IDX(1), STR("NotTheChassis"));
        add_str(r, COL_ENT_MFG, IDX(16777216), STR("Huawei"));
        add_str(r, COL_ENT_MODEL, IDX(16777216), STR("S5735-L48T4X-A1"));
        add_str(r, COL_ENT_SERIAL, IDX(16777216), STR("2102351234ABC"));
        add_str(r, COL_ENT_SOFTWARE_REV, IDX(16777216), STR("V200R021C00"));

        /* one LLDP neighbour on local port 3, and its management address */
        add_int(r, COL_LLDP_REM_CHASSIS_SUBTYPE, IDX(0, 3, 1), 4);
        add_str(r, COL_LLDP_REM_CHASSIS_ID, IDX(0, 3, 1), "\x00\x19\xc6\x01\x02\x03", 6);
        add_int(r, COL_LLDP_REM_PORT_SUBTYPE, IDX(0, 3, 1), 5);
        add_str(r, COL_LLDP_REM_PORT_ID, IDX(0, 3, 1), STR("xgei-1/1/1"));
        add_str(r, COL_LLDP_REM_SYS_NAME, IDX(0, 3, 1), STR("zte-edge-7"));
        add_str(r, COL_LLDP_REM_SYS_DESC, IDX(0, 3, 1), STR("ZXR10 5250 Software, Version V2.05"));
        add_str(r, COL_LLDP_REM_CAP_SUPPORTED, IDX(0, 3, 1), "\x28\x00", 2);       /* bridge, router */
        add_str(r, COL_LLDP_REM_CAP_ENABLED, IDX(0, 3, 1), "\x20\x00", 2);         /* bridge */
        add_int(r, COL_LLDP_REM_MAN_ADDR_IF_SUBTYPE, IDX(0, 3, 1, 1, 4, 10, 0, 0, 7), 2);
        add_int(r, COL_LLDP_REM_MAN_ADDR_IF_SUBTYPE, IDX(0, 3, 1, 1, 4, 10, 0, 999, 7), 2);  /* bogus: dropped */

        /* one CDP neighbour on ifIndex 2 */
        add_str(r, COL_CDP_DEVICE_ID, IDX(2, 1), STR("sw-cisco.example"));
        add_int(r, COL_CDP_ADDRESS_TYPE, IDX(2, 1), 1);
        add_str(r, COL_CDP_ADDRESS, IDX(2, 1), "\xc0\x00\x02\x09", 4);
        add_str(r, COL_CDP_DEVICE_PORT, IDX(2, 1), STR("GigabitEthernet1/0/24"));
        add_str(r, COL_CDP_PLATFORM, IDX(2, 1), STR("cisco WS-C2960X-48TS-L"));
        add_str(r, COL_CDP_CAPABILITIES, IDX(2, 1), "\x00\x00\x00\x28", 4);
}

static void test_device_and_neighbours(void **state) {
        SnmpRecord *r;
        Collected c = {};
        assert_int_equal(snmp_record_new(NULL, &r), 0);
        fill_device(r);
        assert_int_equal(snmp_record_emit(r, "192.0.2.1", collect, &c), 3);
        assert_int_equal(c.n, 3);

        const struct vw_observation *d = &c.obs[0]->o;
        assert_string_equal(d->source, "snmp");
        assert_string_equal(d->chassis_id, "00:e0:fc:12:34:56");
        assert_string_equal(d->chassis_subtype, "mac");
        assert_string_equal(d->sys_name, "hw-core-1");
        assert_string_equal(d->sys_object_id, "1.3.6.1.4.1.2011.2.239.12");
        assert_non_null(strstr(d->sys_descr, "VRP (R) software"));
        assert_null(strchr(d->sys_descr, '\0' + 1));
        assert_int_equal(d->n_macs, 2);
        assert_string_equal(d->macs[0], "00:e0:fc:00:00:01");
        assert_string_equal(d->macs[1], "00:e0:fc:12:34:57");
        assert_int_equal(d->n_addresses, 1);
        assert_string_equal(d->addresses[0], "192.0.2.1");
        assert_int_equal(d->n_entity_mfg, 1);
        assert_string_equal(d->entity_mfg[0], "Huawei");
        assert_string_equal(d->entity_model[0], "S5735-L48T4X-A1");
        assert_string_equal(d->entity_serial, "2102351234ABC");
        assert_string_equal(d->sw_version, "V200R021C00");

        const struct vw_observation *l = &c.obs[1]->o;
        assert_string_equal(l->source, "snmp-lldp");
        assert_string_equal(l->chassis_id, "00:19:c6:01:02:03");
        assert_string_equal(l->chassis_subtype, "mac");
        assert_string_equal(l->port_id, "xgei-1/1/1");
        assert_string_equal(l->port_subtype, "ifname");
        assert_string_equal(l->sys_name, "zte-edge-7");
        assert_int_equal(l->caps_system, VW_CAP_BRIDGE | VW_CAP_ROUTER);
        assert_int_equal(l->caps_enabled, VW_CAP_BRIDGE);
        assert_int_equal(l->n_addresses, 1);
        assert_string_equal(l->addresses[0], "10.0.0.7");
        assert_string_equal(l->via.device, "mac:00e0fc123456");
        assert_string_equal(l->via.port, "GigabitEthernet0/0/2");
        assert_string_equal(l->via.agent, "192.0.2.1");

        const struct vw_observation *k = &c.obs[2]->o;
        assert_string_equal(k->source, "snmp-cdp");
        assert_string_equal(k->chassis_id, "sw-cisco.example");
        assert_string_equal(k->port_id, "GigabitEthernet1/0/24");
        assert_string_equal(k->platform, "cisco WS-C2960X-48TS-L");
        assert_string_equal(k->addresses[0], "192.0.2.9");
        assert_string_equal(k->via.port, "GigabitEthernet0/0/1");
        assert_int_equal(k->caps_system, VW_CAP_BRIDGE);

        collected_free(&c);
        snmp_record_free(r);
}

static void test_device_without_lldp(void **state) {
        SnmpRecord *r;
        Collected c = {};
        assert_int_equal(snmp_record_new(NULL, &r), 0);
        add_str(r, COL_SYS_DESCR, NULL, 0, STR("Linux"));
        add_int(r, COL_LLDP_REM_CHASSIS_SUBTYPE, IDX(0, 7, 2), 7);
        add_str(r, COL_LLDP_REM_CHASSIS_ID, IDX(0, 7, 2), STR("box-17"));
        add_str(r, COL_LLDP_LOC_PORT_ID, IDX(7), STR("eth7"));
        assert_int_equal(snmp_record_emit(r, "2001:db8::1", collect, &c), 2);
        assert_null(c.obs[0]->o.chassis_id);
        assert_string_equal(c.obs[1]->o.chassis_id, "box-17");
        assert_string_equal(c.obs[1]->o.chassis_subtype, "local");
        assert_string_equal(c.obs[1]->o.via.device, "addr:2001:db8::1");
        assert_string_equal(c.obs[1]->o.via.port, "eth7");
        collected_free(&c);
        snmp_record_free(r);
}

static void test_bad_varbinds(void **state) {
        SnmpRecord *r;
        SnmpRecordLimits lim = { .max_rows = 3 };
        SnmpErrorKind kind;
        VB b;
        SnmpVarbind *vb;
        assert_int_equal(snmp_record_new(&lim, &r), 0);

        /* wrong type */
        vb = vb_make(&b, COL_SYS_DESCR, NULL, 0, SNMP_VB_INTEGER);
        kind = _SNMP_ERR_MAX;
        assert_int_equal(snmp_record_add(r, vb, &kind), -EBADMSG);
        assert_int_equal(kind, SNMP_ERR_WRONG_TYPE);
        /* noSuchObject */
        vb = vb_make(&b, COL_SYS_NAME, NULL, 0, SNMP_VB_NO_SUCH_OBJECT);
        kind = _SNMP_ERR_MAX;
        assert_int_equal(snmp_record_add(r, vb, &kind), 0);
        assert_int_equal(kind, SNMP_ERR_NO_SUCH);
        /* endOfMibView: no value, no error */
        vb = vb_make(&b, COL_IF_NAME, IDX(1), SNMP_VB_END_OF_MIB_VIEW);
        kind = _SNMP_ERR_MAX;
        assert_int_equal(snmp_record_add(r, vb, &kind), 0);
        assert_int_equal(kind, _SNMP_ERR_MAX);
        /* not ours, a scalar with an index, a row without one */
        static const uint32_t other[] = { 1, 3, 6, 1, 4, 1, 99999, 1 };
        SnmpVarbind o = { .oid = other, .oid_len = 8, .type = SNMP_VB_INTEGER };
        assert_int_equal(snmp_record_add(r, &o, NULL), -ENOENT);
        vb = vb_make(&b, COL_SYS_NAME, IDX(5), SNMP_VB_OCTETS);
        assert_int_equal(snmp_record_add(r, vb, NULL), -ENOENT);
        vb = vb_make(&b, COL_IF_NAME, NULL, 0, SNMP_VB_OCTETS);
        assert_int_equal(snmp_record_add(r, vb, NULL), -ENOENT);
        /* row cap; a repeated row replaces */
        add_str(r, COL_IF_NAME, IDX(3), STR("c"));
        add_str(r, COL_IF_NAME, IDX(1), STR("a"));
        add_str(r, COL_IF_NAME, IDX(2), STR("b"));
        add_str(r, COL_IF_NAME, IDX(2), STR("b2"));
        vb = vb_make(&b, COL_IF_NAME, IDX(4), SNMP_VB_OCTETS);
        vb->octets = (const uint8_t *) "d", vb->octets_len = 1;
        kind = _SNMP_ERR_MAX;
        assert_int_equal(snmp_record_add(r, vb, &kind), -E2BIG);
        assert_int_equal(kind, SNMP_ERR_TOO_MANY_ROWS);
        assert_int_equal(snmp_record_rows(r, COL_IF_NAME), 3);
        /* nothing from the system group: no device observation */
        Collected c = {};
        assert_false(snmp_record_has_system(r));
        assert_int_equal(snmp_record_emit(r, "192.0.2.1", collect, &c), 0);
        snmp_record_free(r);
}

#define MAC_IDX(a, b, c, d, e, f) a, b, c, d, e, f

/* A switch with three bridge ports: 1 an access port (a camera and a PC in
 * two VLANs), 2 an uplink with an LLDP neighbour, 3 a port with more MACs
 * than max_macs_per_access_port (an unmanaged switch behind it). */
static void fill_bridge(SnmpRecord *r) {
        add_str(r, COL_SYS_NAME, NULL, 0, STR("sw-edge-3"));
        add_int(r, COL_LLDP_LOC_CHASSIS_SUBTYPE, NULL, 0, 4);
        add_str(r, COL_LLDP_LOC_CHASSIS_ID, NULL, 0, "\x00\xe0\xfc\xaa\xbb\xcc", 6);
        add_str(r, COL_IF_NAME, IDX(101), STR("ge-0/0/1"));
        add_str(r, COL_IF_NAME, IDX(102), STR("ge-0/0/2"));
        add_str(r, COL_IF_NAME, IDX(103), STR("ge-0/0/3"));
        add_int(r, COL_DOT1D_BASE_PORT_IFINDEX, IDX(1), 101);
        add_int(r, COL_DOT1D_BASE_PORT_IFINDEX, IDX(2), 102);
        add_int(r, COL_DOT1D_BASE_PORT_IFINDEX, IDX(3), 103);
        /* the LLDP neighbour on local port 7, which lldpLocPortTable names
         * ge-0/0/2 (802.1AB numbering, not the ifIndex) */
        add_int(r, COL_LLDP_REM_CHASSIS_SUBTYPE, IDX(0, 7, 1), 4);
        add_str(r, COL_LLDP_REM_CHASSIS_ID, IDX(0, 7, 1), "\x00\x19\xc6\x01\x02\x03", 6);
        add_str(r, COL_LLDP_LOC_PORT_ID, IDX(7), STR("ge-0/0/2"));
        /* VLAN 10 -> FDB 1 (twice, under two time marks), VLAN 20 -> FDB
         * 2; VLANs 40 and 41 share FDB 4 (shared learning: no VLAN) */
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 10), 1);
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 20), 2);
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 40), 4);
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 41), 4);
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(5, 10), 1);
        /* port 1: a Hikvision camera in VLAN 10, a PC in VLAN 20 */
        add_int(r, COL_DOT1Q_FDB_PORT, IDX(1, MAC_IDX(0x44, 0x19, 0xb6, 0, 0, 1)), 1);
        add_int(r, COL_DOT1Q_FDB_STATUS, IDX(1, MAC_IDX(0x44, 0x19, 0xb6, 0, 0, 1)), 3);
        add_int(r, COL_DOT1Q_FDB_PORT, IDX(2, MAC_IDX(0x00, 0x11, 0x22, 0, 0, 1)), 1);
        add_int(r, COL_DOT1Q_FDB_PORT, IDX(4, MAC_IDX(0x00, 0x11, 0x22, 0, 0, 4)), 1);
        /* skipped: the switch's own MAC (self), a multicast MAC, port 0 */
        add_int(r, COL_DOT1Q_FDB_PORT, IDX(1, MAC_IDX(0x00, 0xe0, 0xfc, 0xaa, 0xbb, 0xcc)), 0);
        add_int(r, COL_DOT1Q_FDB_STATUS, IDX(1, MAC_IDX(0x00, 0xe0, 0xfc, 0xaa, 0xbb, 0xcc)), 4);
        add_int(r, COL_DOT1Q_FDB_PORT, IDX(1, MAC_IDX(0x01, 0x00, 0x5e, 0, 0, 1)), 1);
        add_int(r, COL_DOT1Q_FDB_PORT, IDX(1, MAC_IDX(0x00, 0x11, 0x22, 0, 0, 9)), 0);
        /* port 2 (the LLDP uplink): 3 MACs, port 3: 9 MACs */
        for (uint32_t i = 0; i < 3; i++)
                add_int(r, COL_DOT1Q_FDB_PORT, IDX(1, MAC_IDX(0x00, 0x22, 0, 0, 2, i)), 2);
        for (uint32_t i = 0; i < 9; i++)
                add_int(r, COL_DOT1Q_FDB_PORT, IDX(1, MAC_IDX(0x00, 0x33, 0, 0, 3, i)), 3);
        /* BRIDGE-MIB's table: ignored when Q-BRIDGE has rows */
        add_int(r, COL_DOT1D_FDB_PORT, IDX(MAC_IDX(0x00, 0x44, 0, 0, 0, 1)), 1);
        /* ARP: the camera; a MAC seen on the uplink (v4 and v6); the
         * device's own address (local) */
        add_str(r, COL_IP_NET_TO_PHYS_ADDRESS, IDX(200, 1, 4, 192, 0, 2, 50), "\x44\x19\xb6\x00\x00\x01", 6);
        add_int(r, COL_IP_NET_TO_PHYS_TYPE, IDX(200, 1, 4, 192, 0, 2, 50), 3);
        add_str(r, COL_IP_NET_TO_PHYS_ADDRESS, IDX(200, 1, 4, 192, 0, 2, 60), "\x00\x22\x00\x00\x02\x01", 6);
        add_str(r, COL_IP_NET_TO_PHYS_ADDRESS, IDX(200, 2, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x60),
                "\x00\x22\x00\x00\x02\x01", 6);
        add_str(r, COL_IP_NET_TO_PHYS_ADDRESS, IDX(200, 1, 4, 192, 0, 2, 1), "\x00\xe0\xfc\xaa\xbb\xcd", 6);
        add_int(r, COL_IP_NET_TO_PHYS_TYPE, IDX(200, 1, 4, 192, 0, 2, 1), 5);
        /* a malformed index (length says 4, 3 bytes follow): dropped */
        add_str(r, COL_IP_NET_TO_PHYS_ADDRESS, IDX(200, 1, 4, 192, 0, 2), "\x00\x55\x00\x00\x00\x01", 6);
        /* a locally administered MAC known only by ARP: skipped, counted */
        add_str(r, COL_IP_NET_TO_PHYS_ADDRESS, IDX(200, 1, 4, 192, 0, 2, 80), "\x02\x42\xac\x11\x00\x02", 6);
        /* the old ARP table: ignored when ipNetToPhysicalTable has rows */
        add_str(r, COL_IP_NET_TO_MEDIA_ADDRESS, IDX(200, 192, 0, 2, 70), "\x00\x66\x00\x00\x00\x01", 6);
}

static void test_hosts(void **state) {
        SnmpRecord *r;
        Collected c = {};
        assert_int_equal(snmp_record_new(NULL, &r), 0);
        fill_bridge(r);
        /* the device, its LLDP neighbour, three attributed hosts, one ARP-only host */
        assert_int_equal(snmp_record_emit(r, "192.0.2.1", collect, &c), 6);
        assert_int_equal(c.n, 6);
        assert_string_equal(c.obs[1]->o.source, "snmp-lldp");
        assert_string_equal(c.obs[1]->o.via.port, "ge-0/0/2");

        const struct vw_observation *pc = &c.obs[2]->o, *shared = &c.obs[3]->o, *cam = &c.obs[4]->o, *arp = &c.obs[5]->o;
        assert_string_equal(shared->macs[0], "00:11:22:00:00:04");
        assert_int_equal(shared->vlan, -1);
        assert_string_equal(cam->source, "snmp-fdb");
        assert_string_equal(cam->kind, "host");
        assert_int_equal(cam->n_macs, 1);
        assert_string_equal(cam->macs[0], "44:19:b6:00:00:01");
        assert_int_equal(cam->n_addresses, 1);
        assert_string_equal(cam->addresses[0], "192.0.2.50");
        assert_int_equal(cam->vlan, 10);
        assert_string_equal(cam->via.device, "mac:00e0fcaabbcc");
        assert_string_equal(cam->via.port, "ge-0/0/1");
        assert_string_equal(cam->via.agent, "192.0.2.1");

        assert_string_equal(pc->macs[0], "00:11:22:00:00:01");
        assert_int_equal(pc->n_addresses, 0);
        assert_int_equal(pc->vlan, 20);
        assert_string_equal(pc->via.port, "ge-0/0/1");

        /* known by address only: no switch, no port */
        assert_string_equal(arp->source, "snmp-arp");
        assert_string_equal(arp->kind, "host");
        assert_string_equal(arp->macs[0], "00:22:00:00:02:01");
        assert_int_equal(arp->n_addresses, 2);
        assert_string_equal(arp->addresses[0], "192.0.2.60");
        assert_string_equal(arp->addresses[1], "2001:db8::60");
        assert_null(arp->via.device);
        assert_null(arp->via.port);
        assert_int_equal(arp->vlan, -1);

        const SnmpHostStats *st = snmp_record_host_stats(r);
        assert_int_equal(st->fdb_hosts, 3);
        assert_int_equal(st->arp_hosts, 1);
        assert_int_equal(st->uplink_ports, 2);
        assert_int_equal(st->uplink_macs, 12);
        assert_int_equal(st->skipped, 3);
        assert_int_equal(st->arp_anonymous, 1);
        collected_free(&c);

        /* a higher per-port limit makes port 3 an access port */
        SnmpRecordLimits lim = { .max_macs_per_access_port = 9 };
        SnmpRecord *r2;
        Counted c2 = {};
        assert_int_equal(snmp_record_new(&lim, &r2), 0);
        fill_bridge(r2);
        assert_int_equal(snmp_record_emit(r2, "192.0.2.1", collect2, &c2), 15);
        assert_int_equal(snmp_record_host_stats(r2)->fdb_hosts, 12);
        assert_int_equal(snmp_record_host_stats(r2)->uplink_macs, 3);
        collected2_free(&c2);
        snmp_record_free(r2);
        snmp_record_free(r);
}

/* BRIDGE-MIB only (no Q-BRIDGE, no dot1dBasePortTable) and the old ARP
 * table; a CDP neighbour marks its port an uplink. */
static void test_hosts_fallbacks(void **state) {
        SnmpRecord *r;
        Collected c = {};
        assert_int_equal(snmp_record_new(NULL, &r), 0);
        add_str(r, COL_SYS_NAME, NULL, 0, STR("old-switch"));
        add_str(r, COL_IF_NAME, IDX(5), STR("Fa0/5"));
        add_int(r, COL_DOT1D_FDB_PORT, IDX(MAC_IDX(0x3c, 0xef, 0x8c, 1, 2, 3)), 5);
        add_int(r, COL_DOT1D_FDB_STATUS, IDX(MAC_IDX(0x3c, 0xef, 0x8c, 1, 2, 3)), 3);
        add_int(r, COL_DOT1D_FDB_PORT, IDX(MAC_IDX(0x00, 0x77, 0, 0, 0, 1)), 6);
        add_int(r, COL_DOT1D_FDB_STATUS, IDX(MAC_IDX(0x00, 0x77, 0, 0, 0, 2)), 2);   /* a status without a port */
        add_str(r, COL_CDP_DEVICE_ID, IDX(6, 1), STR("upstream"));
        add_str(r, COL_IP_NET_TO_MEDIA_ADDRESS, IDX(1, 10, 1, 2, 3), "\x3c\xef\x8c\x01\x02\x03", 6);
        add_str(r, COL_IP_NET_TO_MEDIA_ADDRESS, IDX(1, 10, 1, 2, 4), "\x3c\xef\x8c\x01\x02\x04", 6);
        add_int(r, COL_IP_NET_TO_MEDIA_TYPE, IDX(1, 10, 1, 2, 4), 2);                 /* invalid */
        add_str(r, COL_IP_NET_TO_MEDIA_ADDRESS, IDX(1, 10, 1, 2, 5), "\x3c\xef", 2);  /* not a MAC */
        assert_int_equal(snmp_record_emit(r, "10.1.2.1", collect, &c), 3);
        const struct vw_observation *h = &c.obs[2]->o;
        assert_string_equal(h->source, "snmp-fdb");
        assert_string_equal(h->macs[0], "3c:ef:8c:01:02:03");
        assert_string_equal(h->addresses[0], "10.1.2.3");
        assert_int_equal(h->vlan, -1);
        assert_string_equal(h->via.device, "addr:10.1.2.1");
        assert_string_equal(h->via.port, "Fa0/5");
        assert_int_equal(snmp_record_host_stats(r)->uplink_macs, 1);
        collected_free(&c);
        snmp_record_free(r);
}

static void test_host_row_cap(void **state) {
        SnmpRecord *r;
        SnmpRecordLimits lim = { .max_rows = 2, .max_host_rows = 3 };
        SnmpErrorKind kind = _SNMP_ERR_MAX;
        VB b;
        assert_int_equal(snmp_record_new(&lim, &r), 0);
        for (uint32_t i = 0; i < 3; i++)
                add_int(r, COL_DOT1D_FDB_PORT, IDX(MAC_IDX(0, 1, 2, 3, 4, i)), 1);
        SnmpVarbind *vb = vb_make(&b, COL_DOT1D_FDB_PORT, IDX(MAC_IDX(0, 1, 2, 3, 4, 9)), SNMP_VB_INTEGER);
        assert_int_equal(snmp_record_add(r, vb, &kind), -E2BIG);
        assert_int_equal(kind, SNMP_ERR_TOO_MANY_ROWS);
        /* the other tables keep max_rows */
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 1), 1);
        add_int(r, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 2), 2);
        vb = vb_make(&b, COL_DOT1Q_VLAN_FDB_ID, IDX(0, 3), SNMP_VB_INTEGER);
        assert_int_equal(snmp_record_add(r, vb, NULL), -E2BIG);
        snmp_record_free(r);
}

static void test_text(void **state) {
        char *s = snmp_text((const uint8_t *) "plain", 5, 100);
        assert_string_equal(s, "plain");
        free(s);
        s = snmp_text((const uint8_t *) "a\x01\\b\xff\0\0", 7, 100);
        assert_string_equal(s, "a\\x01\\x5cb\\xff");
        free(s);
        s = snmp_text((const uint8_t *) "caf\xc3\xa9", 5, 100);  /* valid UTF-8 kept */
        assert_string_equal(s, "caf\xc3\xa9");
        free(s);
        s = snmp_text((const uint8_t *) "\xc0\xaf", 2, 100);     /* overlong: escaped */
        assert_string_equal(s, "\\xc0\\xaf");
        free(s);
        s = snmp_text((const uint8_t *) "0123456789abcdef", 16, 10);
        assert_string_equal(s, "0123456789");
        free(s);
}

static void test_addr(void **state) {
        SnmpAddr a;
        SnmpPrefix p;
        uint16_t port;
        char buf[INET6_ADDRSTRLEN];

        assert_int_equal(snmp_prefix_parse("10.1.2.77/24", &p), 0);
        assert_string_equal(snmp_addr_format(&p.addr, buf), "10.1.2.0");
        assert_int_equal(snmp_prefix_hosts(&p), 254);
        assert_int_equal(snmp_prefix_host(&p, 0, &a), 0);
        assert_string_equal(snmp_addr_format(&a, buf), "10.1.2.1");
        assert_int_equal(snmp_prefix_host(&p, 253, &a), 0);
        assert_string_equal(snmp_addr_format(&a, buf), "10.1.2.254");
        assert_int_equal(snmp_prefix_host(&p, 254, &a), -ERANGE);
        assert_true(snmp_prefix_contains(&p, &a));
        assert_int_equal(snmp_addr_parse("10.1.3.1", &a), 0);
        assert_false(snmp_prefix_contains(&p, &a));

        assert_int_equal(snmp_prefix_parse("10.0.0.0/31", &p), 0);
        assert_int_equal(snmp_prefix_hosts(&p), 2);
        assert_int_equal(snmp_prefix_parse("192.0.2.5", &p), 0);
        assert_int_equal(snmp_prefix_hosts(&p), 1);
        assert_int_equal(snmp_prefix_parse("2001:db8::/120", &p), 0);
        assert_int_equal(snmp_prefix_hosts(&p), 256);
        assert_int_equal(snmp_prefix_host(&p, 255, &a), 0);
        assert_string_equal(snmp_addr_format(&a, buf), "2001:db8::ff");
        assert_int_equal(snmp_prefix_parse("2001:db8::/32", &p), 0);
        assert_true(snmp_prefix_hosts(&p) == UINT64_MAX);
        assert_int_equal(snmp_prefix_parse("10.0.0.0/33", &p), -EINVAL);
        assert_int_equal(snmp_prefix_parse("10.0.0.0/", &p), -EINVAL);
        assert_int_equal(snmp_prefix_parse("10.0.0.0/-1", &p), -EINVAL);
        assert_int_equal(snmp_prefix_parse("example.com/24", &p), -EINVAL);

        assert_int_equal(snmp_target_parse("192.0.2.1", &a, &port), 0);
        assert_int_equal(port, 0);
        assert_int_equal(snmp_target_parse("192.0.2.1:1161", &a, &port), 0);
        assert_int_equal(port, 1161);
        assert_int_equal(snmp_target_parse("[2001:db8::1]:161", &a, &port), 0);
        assert_int_equal(a.family, AF_INET6);
        assert_int_equal(snmp_target_parse("2001:db8::1", &a, &port), 0);
        assert_int_equal(snmp_target_parse("192.0.2.1:0", &a, &port), -EINVAL);
        assert_int_equal(snmp_target_parse("192.0.2.1:65536", &a, &port), -EINVAL);
        assert_int_equal(snmp_target_parse("host:161", &a, &port), -EINVAL);
}

static void test_plan(void **state) {
        /* every column is read by exactly one walk, and table columns are
         * found by their OIDs */
        size_t seen[_COL_MAX] = {};
        for (size_t w = 0; w < snmp_n_walks; w++) {
                assert_true(snmp_walks[w].n_columns <= SNMP_WALK_COLUMNS_MAX);
                for (size_t i = 0; i < snmp_walks[w].n_columns; i++)
                        seen[snmp_walks[w].columns[i]]++;
        }
        for (size_t c = 0; c < _COL_MAX; c++) {
                assert_int_equal(seen[c], 1);
                assert_int_equal(snmp_columns[c].id, c);
                assert_non_null(snmp_columns[c].name);
        }
        assert_int_equal(snmp_walks[0].kind, WALK_GET);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_device_and_neighbours),
                cmocka_unit_test(test_device_without_lldp),
                cmocka_unit_test(test_bad_varbinds),
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_hosts_fallbacks),
                cmocka_unit_test(test_host_row_cap),
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_addr),
                cmocka_unit_test(test_plan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
