/* SPDX-License-Identifier: MIT */
/* End hosts from a switch's forwarding table and a router's ARP table.
 *
 * BRIDGE-MIB / Q-BRIDGE-MIB give MAC -> bridge port (per FDB id, i.e. per
 * VLAN); dot1dBasePortIfIndex turns the bridge port into an ifIndex and ifName
 * names it.  A MAC is attributed to a port only when the port is an access
 * port: a port with an LLDP or CDP neighbour, or with more forwarding entries
 * than max_macs_per_access_port, is an uplink or trunk where every MAC behind
 * the next switch is learned too, and attributing those MACs to it would send
 * an operator to the wrong socket.  IP-MIB's ARP tables add the addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp-mib.h"

#define ADDRS_MAX 16
#define NAME_MAX_LEN 256

enum {
        FDB_STATUS_INVALID = 2,
        FDB_STATUS_SELF = 4,
        ARP_TYPE_INVALID = 2,
        ARP_TYPE_LOCAL = 5,     /* ipNetToPhysicalType local(5): the device's own address */
};

typedef struct FdbEntry {
        uint8_t mac[6];
        uint32_t port;          /* bridge port */
        int32_t vlan;
} FdbEntry;

typedef struct ArpEntry {
        uint8_t mac[6];
        int family;
        uint8_t addr[16];
        bool used;              /* carried by an snmp-fdb observation */
} ArpEntry;

typedef struct FdbVlan {
        uint32_t fdb_id;
        int32_t vlan;
} FdbVlan;

static int fdb_by_port(const void *a, const void *b) {
        const FdbEntry *x = a, *y = b;
        if (x->port != y->port)
                return x->port < y->port ? -1 : 1;
        return memcmp(x->mac, y->mac, 6);
}

static int arp_by_mac(const void *a, const void *b) {
        return memcmp(((const ArpEntry *) a)->mac, ((const ArpEntry *) b)->mac, 6);
}

static int fdb_vlan_by_id(const void *a, const void *b) {
        const FdbVlan *x = a, *y = b;
        return x->fdb_id < y->fdb_id ? -1 : x->fdb_id > y->fdb_id ? 1 : x->vlan - y->vlan;
}

/* A MAC that names one station: not zero, not multicast/broadcast. */
static bool mac_is_station(const uint8_t *m) {
        static const uint8_t zero[6];
        return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

/* Six index sub-identifiers as MAC bytes. */
static bool index_mac(const uint32_t *index, uint8_t ret[6]) {
        for (size_t i = 0; i < 6; i++) {
                if (index[i] > 255)
                        return false;
                ret[i] = (uint8_t) index[i];
        }
        return true;
}

static void mac_format(const uint8_t *m, char buf[18]) {
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ---- the uplinks: ports with a neighbour ---- */

typedef struct U32Set {
        uint32_t *v;
        size_t n, cap;
} U32Set;

static int u32set_add(U32Set *s, uint32_t x) {
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == x)
                        return 0;
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 8;
                uint32_t *v = realloc(s->v, cap * sizeof(uint32_t));
                if (!v)
                        return -ENOMEM;
                s->v = v, s->cap = cap;
        }
        s->v[s->n++] = x;
        return 0;
}

static bool u32set_has(const U32Set *s, uint32_t x) {
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == x)
                        return true;
        return false;
}

static bool cell_equals(const SnmpCell *a, const SnmpCell *b) {
        return a && b && a->len > 0 && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* The ifIndex of an LLDP local port number.  802.1AB numbers bridge ports by
 * dot1dBasePort, many agents (lldpd among them) by ifIndex: the port's
 * lldpLocPortId/Desc naming an interface decides; else the number is taken
 * as an ifIndex, as local_port() does for the neighbour observations. */
static uint32_t lldp_port_ifindex(const SnmpRecord *r, uint32_t num) {
        const SnmpCell *id = snmp_record_find(r, COL_LLDP_LOC_PORT_ID, &num, 1);
        const SnmpCell *desc = snmp_record_find(r, COL_LLDP_LOC_PORT_DESC, &num, 1);
        for (size_t i = 0; (id || desc) && i < snmp_record_rows(r, COL_IF_NAME); i++) {
                const SnmpCell *name = snmp_record_cell(r, COL_IF_NAME, i);
                if (name->index_len == 1 && (cell_equals(name, id) || cell_equals(name, desc)))
                        return name->index[0];
        }
        return num;
}

static int neighbour_ifindexes(const SnmpRecord *r, U32Set *ret) {
        int k = 0;
        for (size_t i = 0; k >= 0 && i < snmp_record_rows(r, COL_LLDP_REM_CHASSIS_ID); i++) {
                const SnmpCell *c = snmp_record_cell(r, COL_LLDP_REM_CHASSIS_ID, i);
                if (c->index_len == 3)          /* lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex */
                        k = u32set_add(ret, lldp_port_ifindex(r, c->index[1]));
        }
        for (size_t i = 0; k >= 0 && i < snmp_record_rows(r, COL_CDP_DEVICE_ID); i++) {
                const SnmpCell *c = snmp_record_cell(r, COL_CDP_DEVICE_ID, i);
                if (c->index_len == 2)          /* cdpCacheIfIndex.cdpCacheDeviceIndex */
                        k = u32set_add(ret, c->index[0]);
        }
        return k;
}

/* ---- VLANs: dot1qTpFdbTable is indexed by FDB id, not VLAN ---- */

static int vlan_map(const SnmpRecord *r, FdbVlan **ret, size_t *ret_n) {
        size_t n = 0, rows = snmp_record_rows(r, COL_DOT1Q_VLAN_FDB_ID);
        FdbVlan *m = rows ? calloc(rows, sizeof(FdbVlan)) : NULL;
        if (rows && !m)
                return -ENOMEM;
        for (size_t i = 0; i < rows; i++) {
                const SnmpCell *c = snmp_record_cell(r, COL_DOT1Q_VLAN_FDB_ID, i);
                /* dot1qVlanTimeMark.dot1qVlanIndex */
                if (c->index_len != 2 || c->index[1] < 1 || c->index[1] > 4094 || c->integer < 0 || c->integer > UINT32_MAX)
                        continue;
                m[n++] = (FdbVlan) { .fdb_id = (uint32_t) c->integer, .vlan = (int32_t) c->index[1] };
        }
        if (n > 1)
                qsort(m, n, sizeof(FdbVlan), fdb_vlan_by_id);
        *ret = m, *ret_n = n;
        return 0;
}

/* The VLAN of an FDB id: the one VLAN that uses it (several share it under
 * shared VLAN learning: then none); without dot1qVlanCurrentTable, the FDB
 * id itself, as on the many switches that number FDBs by VLAN. */
static int32_t vlan_of(const FdbVlan *m, size_t n, uint32_t fdb_id) {
        if (n == 0)
                return fdb_id >= 1 && fdb_id <= 4094 ? (int32_t) fdb_id : -1;
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (m[mid].fdb_id < fdb_id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo >= n || m[lo].fdb_id != fdb_id)
                return -1;
        /* the run is sorted by VLAN: one VLAN iff its first and last agree
         * (the same VLAN may repeat under another dot1qVlanTimeMark) */
        size_t end = lo;
        while (end + 1 < n && m[end + 1].fdb_id == fdb_id)
                end++;
        return m[end].vlan == m[lo].vlan ? m[lo].vlan : -1;
}

/* ---- collecting ---- */

static int fdb_collect(const SnmpRecord *r, SnmpHostStats *stats, FdbEntry **ret, size_t *ret_n) {
        /* Q-BRIDGE when the agent has it (per VLAN), else BRIDGE-MIB */
        bool q = snmp_record_rows(r, COL_DOT1Q_FDB_PORT) > 0;
        SnmpColumnId port_col = q ? COL_DOT1Q_FDB_PORT : COL_DOT1D_FDB_PORT;
        SnmpColumnId status_col = q ? COL_DOT1Q_FDB_STATUS : COL_DOT1D_FDB_STATUS;
        size_t index_len = q ? 7 : 6, rows = snmp_record_rows(r, port_col), n = 0;
        FdbVlan *vlans = NULL;
        size_t n_vlans = 0;

        if (rows == 0) {
                *ret = NULL, *ret_n = 0;
                return 0;
        }
        FdbEntry *v = calloc(rows, sizeof(FdbEntry));
        if (!v || (q && vlan_map(r, &vlans, &n_vlans) < 0)) {
                free(v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < rows; i++) {
                const SnmpCell *c = snmp_record_cell(r, port_col, i);
                const SnmpCell *st = snmp_record_find(r, status_col, c->index, c->index_len);
                FdbEntry e = { .vlan = -1 };
                if (c->index_len != index_len || !index_mac(c->index + index_len - 6, e.mac) || !mac_is_station(e.mac) ||
                    c->integer <= 0 || c->integer > UINT32_MAX ||
                    (st && (st->integer == FDB_STATUS_INVALID || st->integer == FDB_STATUS_SELF))) {
                        stats->skipped++;
                        continue;
                }
                e.port = (uint32_t) c->integer;
                if (q)
                        e.vlan = vlan_of(vlans, n_vlans, c->index[0]);
                v[n++] = e;
        }
        free(vlans);
        if (n > 1)
                qsort(v, n, sizeof(FdbEntry), fdb_by_port);
        *ret = v, *ret_n = n;
        return 0;
}

static int arp_collect(const SnmpRecord *r, ArpEntry **ret, size_t *ret_n) {
        /* ipNetToPhysicalTable when the agent has it, else ipNetToMediaTable */
        bool phys = snmp_record_rows(r, COL_IP_NET_TO_PHYS_ADDRESS) > 0;
        SnmpColumnId mac_col = phys ? COL_IP_NET_TO_PHYS_ADDRESS : COL_IP_NET_TO_MEDIA_ADDRESS;
        SnmpColumnId type_col = phys ? COL_IP_NET_TO_PHYS_TYPE : COL_IP_NET_TO_MEDIA_TYPE;
        size_t rows = snmp_record_rows(r, mac_col), n = 0;

        ArpEntry *v = rows ? calloc(rows, sizeof(ArpEntry)) : NULL;
        if (rows && !v)
                return -ENOMEM;
        for (size_t i = 0; i < rows; i++) {
                const SnmpCell *c = snmp_record_cell(r, mac_col, i);
                const SnmpCell *t = snmp_record_find(r, type_col, c->index, c->index_len);
                ArpEntry e = {};
                const uint32_t *a;
                size_t alen;
                if (c->len != 6 || !mac_is_station(c->bytes) ||
                    (t && (t->integer == ARP_TYPE_INVALID || (phys && t->integer == ARP_TYPE_LOCAL))))
                        continue;
                if (phys) {
                        /* ifIndex.type.len.address: ipv4(1) or ipv6(2); the
                         * zoned kinds are link-local */
                        if (c->index_len < 3 || c->index[2] != c->index_len - 3)
                                continue;
                        e.family = c->index[1] == 1 && c->index[2] == 4 ? AF_INET
                                   : c->index[1] == 2 && c->index[2] == 16 ? AF_INET6 : 0;
                        a = c->index + 3, alen = c->index[2];
                } else {
                        /* ifIndex.a.b.c.d */
                        e.family = c->index_len == 5 ? AF_INET : 0;
                        a = c->index + 1, alen = 4;
                }
                if (!e.family)
                        continue;
                bool ok = true;
                for (size_t k = 0; k < alen; k++) {
                        ok = ok && a[k] <= 255;
                        e.addr[k] = (uint8_t) a[k];
                }
                if (!ok)
                        continue;
                memcpy(e.mac, c->bytes, 6);
                v[n++] = e;
        }
        if (n > 1)
                qsort(v, n, sizeof(ArpEntry), arp_by_mac);
        *ret = v, *ret_n = n;
        return 0;
}

/* The ARP entries of `mac`: the first index and the count. */
static size_t arp_range(const ArpEntry *v, size_t n, const uint8_t *mac, size_t *ret_first) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (memcmp(v[mid].mac, mac, 6) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        size_t end = lo;
        while (end < n && memcmp(v[end].mac, mac, 6) == 0)
                end++;
        *ret_first = lo;
        return end - lo;
}

/* ---- emitting ---- */

typedef struct Addrs {
        char text[ADDRS_MAX][INET6_ADDRSTRLEN];
        const char *v[ADDRS_MAX];
        size_t n;
} Addrs;

static void addrs_fill(Addrs *a, ArpEntry *arp, size_t first, size_t count) {
        a->n = 0;
        for (size_t i = first; i < first + count; i++) {
                arp[i].used = true;
                if (a->n < ADDRS_MAX && inet_ntop(arp[i].family, arp[i].addr, a->text[a->n], INET6_ADDRSTRLEN)) {
                        a->v[a->n] = a->text[a->n];
                        a->n++;
                }
        }
}

/* The interface name of a bridge port: ifName of its ifIndex (the bridge port
 * number itself when dot1dBasePortTable is missing). */
static char *port_name(const SnmpRecord *r, uint32_t port) {
        const SnmpCell *m = snmp_record_find(r, COL_DOT1D_BASE_PORT_IFINDEX, &port, 1);
        uint32_t ifindex = m && m->integer > 0 && m->integer <= UINT32_MAX ? (uint32_t) m->integer : port;
        const SnmpCell *name = snmp_record_find(r, COL_IF_NAME, &ifindex, 1);
        char *s = name ? snmp_text(name->bytes, name->len, NAME_MAX_LEN) : NULL;
        if (s && *s)
                return s;
        free(s);
        if (asprintf(&s, "%" PRIu32, ifindex) < 0)
                return NULL;
        return s;
}

static uint32_t port_ifindex(const SnmpRecord *r, uint32_t port) {
        const SnmpCell *m = snmp_record_find(r, COL_DOT1D_BASE_PORT_IFINDEX, &port, 1);
        return m && m->integer > 0 && m->integer <= UINT32_MAX ? (uint32_t) m->integer : port;
}

size_t snmp_hosts_emit(const SnmpRecord *r, const char *agent, const char *device_id, snmp_emit_fn emit, void *userdata,
                       SnmpHostStats *stats) {
        const SnmpRecordLimits *lim = snmp_record_limits(r);
        FdbEntry *fdb = NULL;
        ArpEntry *arp = NULL;
        U32Set uplinks = {};
        size_t n_fdb = 0, n_arp = 0, n = 0;
        Addrs *addrs = calloc(1, sizeof(Addrs));

        if (!addrs || fdb_collect(r, stats, &fdb, &n_fdb) < 0 || arp_collect(r, &arp, &n_arp) < 0 ||
            neighbour_ifindexes(r, &uplinks) < 0)
                goto out;

        /* the forwarding table, one run of entries per bridge port */
        for (size_t i = 0; i < n_fdb;) {
                size_t end = i;
                while (end < n_fdb && fdb[end].port == fdb[i].port)
                        end++;
                uint32_t port = fdb[i].port;
                if (end - i > lim->max_macs_per_access_port || u32set_has(&uplinks, port_ifindex(r, port))) {
                        stats->uplink_ports++;
                        stats->uplink_macs += end - i;
                        i = end;
                        continue;
                }
                char *name = port_name(r, port);
                for (; i < end; i++) {
                        struct vw_observation o = VW_OBSERVATION_INIT;
                        char mac[18];
                        const char *macs[1] = { mac };
                        size_t first, count = arp_range(arp, n_arp, fdb[i].mac, &first);
                        mac_format(fdb[i].mac, mac);
                        addrs_fill(addrs, arp, first, count);
                        o.source = "snmp-fdb";
                        o.kind = "host";
                        o.macs = macs, o.n_macs = 1;
                        o.addresses = addrs->v, o.n_addresses = addrs->n;
                        o.vlan = fdb[i].vlan;
                        o.via.device = device_id;
                        o.via.port = name;
                        o.via.agent = agent;
                        emit(&o, userdata);
                        stats->fdb_hosts++;
                        n++;
                }
                free(name);
        }

        /* ARP entries no access port claims: known by address, not by place.
         * A locally administered MAC without a place says nothing: no maker
         * (no OUI), no stable identity (randomised, rotated by phones and
         * laptops), so such an entry would only churn the inventory. */
        for (size_t i = 0; i < n_arp;) {
                size_t first, count = arp_range(arp, n_arp, arp[i].mac, &first);
                bool used = false;
                for (size_t k = first; k < first + count; k++)
                        used = used || arp[k].used;
                if (!used && (arp[i].mac[0] & 2))
                        stats->arp_anonymous++;
                else if (!used) {
                        struct vw_observation o = VW_OBSERVATION_INIT;
                        char mac[18];
                        const char *macs[1] = { mac };
                        mac_format(arp[i].mac, mac);
                        addrs_fill(addrs, arp, first, count);
                        o.source = "snmp-arp";
                        o.kind = "host";
                        o.macs = macs, o.n_macs = 1;
                        o.addresses = addrs->v, o.n_addresses = addrs->n;
                        o.via.agent = agent;
                        emit(&o, userdata);
                        stats->arp_hosts++;
                        n++;
                }
                i = first + count;
        }
out:
        free(addrs);
        free(fdb);
        free(arp);
        free(uplinks.v);
        return n;
}
