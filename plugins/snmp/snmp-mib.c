/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp-mib.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* ---- the plan: what is read ---- */

#define SYS 1, 3, 6, 1, 2, 1, 1
#define LLDP_LOC 1, 0, 8802, 1, 1, 2, 1, 3
#define LLDP_REM 1, 0, 8802, 1, 1, 2, 1, 4, 1, 1
#define LLDP_MAN 1, 0, 8802, 1, 1, 2, 1, 4, 2, 1
#define ENT 1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1
#define CDP 1, 3, 6, 1, 4, 1, 9, 9, 23, 1, 2, 1, 1
#define BRIDGE 1, 3, 6, 1, 2, 1, 17
#define QBRIDGE BRIDGE, 7, 1
#define IP 1, 3, 6, 1, 2, 1, 4

#define C(i, n, k, ...) \
        [i] = { .id = i, .name = n, .kind = k, .oid = { __VA_ARGS__ }, \
                .oid_len = sizeof((uint32_t[]) { __VA_ARGS__ }) / sizeof(uint32_t) }
#define H(i, n, k, ...) \
        [i] = { .id = i, .name = n, .kind = k, .hosts = true, .oid = { __VA_ARGS__ }, \
                .oid_len = sizeof((uint32_t[]) { __VA_ARGS__ }) / sizeof(uint32_t) }

const SnmpColumn snmp_columns[_COL_MAX] = {
        C(COL_SYS_DESCR, "sysDescr", VAL_TEXT, SYS, 1, 0),
        C(COL_SYS_OBJECT_ID, "sysObjectID", VAL_OID, SYS, 2, 0),
        C(COL_SYS_UPTIME, "sysUpTime", VAL_TICKS, SYS, 3, 0),
        C(COL_SYS_NAME, "sysName", VAL_TEXT, SYS, 5, 0),
        C(COL_SYS_LOCATION, "sysLocation", VAL_TEXT, SYS, 6, 0),
        C(COL_LLDP_LOC_CHASSIS_SUBTYPE, "lldpLocChassisIdSubtype", VAL_INT, LLDP_LOC, 1, 0),
        C(COL_LLDP_LOC_CHASSIS_ID, "lldpLocChassisId", VAL_OCTETS, LLDP_LOC, 2, 0),
        C(COL_IF_PHYS_ADDRESS, "ifPhysAddress", VAL_OCTETS, 1, 3, 6, 1, 2, 1, 2, 2, 1, 6),
        C(COL_IF_NAME, "ifName", VAL_TEXT, 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1),
        C(COL_ENT_CLASS, "entPhysicalClass", VAL_INT, ENT, 5),
        C(COL_ENT_SOFTWARE_REV, "entPhysicalSoftwareRev", VAL_TEXT, ENT, 10),
        C(COL_ENT_SERIAL, "entPhysicalSerialNum", VAL_TEXT, ENT, 11),
        C(COL_ENT_MFG, "entPhysicalMfgName", VAL_TEXT, ENT, 12),
        C(COL_ENT_MODEL, "entPhysicalModelName", VAL_TEXT, ENT, 13),
        C(COL_LLDP_LOC_PORT_ID, "lldpLocPortId", VAL_OCTETS, LLDP_LOC, 7, 1, 3),
        C(COL_LLDP_LOC_PORT_DESC, "lldpLocPortDesc", VAL_TEXT, LLDP_LOC, 7, 1, 4),
        C(COL_LLDP_REM_CHASSIS_SUBTYPE, "lldpRemChassisIdSubtype", VAL_INT, LLDP_REM, 4),
        C(COL_LLDP_REM_CHASSIS_ID, "lldpRemChassisId", VAL_OCTETS, LLDP_REM, 5),
        C(COL_LLDP_REM_PORT_SUBTYPE, "lldpRemPortIdSubtype", VAL_INT, LLDP_REM, 6),
        C(COL_LLDP_REM_PORT_ID, "lldpRemPortId", VAL_OCTETS, LLDP_REM, 7),
        C(COL_LLDP_REM_PORT_DESC, "lldpRemPortDesc", VAL_TEXT, LLDP_REM, 8),
        C(COL_LLDP_REM_SYS_NAME, "lldpRemSysName", VAL_TEXT, LLDP_REM, 9),
        C(COL_LLDP_REM_SYS_DESC, "lldpRemSysDesc", VAL_TEXT, LLDP_REM, 10),
        C(COL_LLDP_REM_CAP_SUPPORTED, "lldpRemSysCapSupported", VAL_OCTETS, LLDP_REM, 11),
        C(COL_LLDP_REM_CAP_ENABLED, "lldpRemSysCapEnabled", VAL_OCTETS, LLDP_REM, 12),
        C(COL_LLDP_REM_MAN_ADDR_IF_SUBTYPE, "lldpRemManAddrIfSubtype", VAL_INT, LLDP_MAN, 3),
        C(COL_CDP_ADDRESS_TYPE, "cdpCacheAddressType", VAL_INT, CDP, 3),
        C(COL_CDP_ADDRESS, "cdpCacheAddress", VAL_OCTETS, CDP, 4),
        C(COL_CDP_VERSION, "cdpCacheVersion", VAL_TEXT, CDP, 5),
        C(COL_CDP_DEVICE_ID, "cdpCacheDeviceId", VAL_TEXT, CDP, 6),
        C(COL_CDP_DEVICE_PORT, "cdpCacheDevicePort", VAL_TEXT, CDP, 7),
        C(COL_CDP_PLATFORM, "cdpCachePlatform", VAL_TEXT, CDP, 8),
        C(COL_CDP_CAPABILITIES, "cdpCacheCapabilities", VAL_OCTETS, CDP, 9),
        H(COL_DOT1D_BASE_PORT_IFINDEX, "dot1dBasePortIfIndex", VAL_INT, BRIDGE, 1, 4, 1, 2),
        H(COL_DOT1D_FDB_PORT, "dot1dTpFdbPort", VAL_INT, BRIDGE, 4, 3, 1, 2),
        H(COL_DOT1D_FDB_STATUS, "dot1dTpFdbStatus", VAL_INT, BRIDGE, 4, 3, 1, 3),
        C(COL_DOT1Q_VLAN_FDB_ID, "dot1qVlanFdbId", VAL_INT, QBRIDGE, 4, 2, 1, 3),
        H(COL_DOT1Q_FDB_PORT, "dot1qTpFdbPort", VAL_INT, QBRIDGE, 2, 2, 1, 2),
        H(COL_DOT1Q_FDB_STATUS, "dot1qTpFdbStatus", VAL_INT, QBRIDGE, 2, 2, 1, 3),
        H(COL_IP_NET_TO_PHYS_ADDRESS, "ipNetToPhysicalPhysAddress", VAL_OCTETS, IP, 35, 1, 4),
        H(COL_IP_NET_TO_PHYS_TYPE, "ipNetToPhysicalType", VAL_INT, IP, 35, 1, 6),
        H(COL_IP_NET_TO_MEDIA_ADDRESS, "ipNetToMediaPhysAddress", VAL_OCTETS, IP, 22, 1, 2),
        H(COL_IP_NET_TO_MEDIA_TYPE, "ipNetToMediaType", VAL_INT, IP, 22, 1, 4),
};
#undef C
#undef H

/* The order matters a little: the system GET first (it is also the v3
 * discovery exchange and the liveness probe), the neighbour tables before
 * the big interface table so the crawl starts early. */
const SnmpWalk snmp_walks[] = {
        { "system", WALK_GET,
          { COL_SYS_DESCR, COL_SYS_OBJECT_ID, COL_SYS_UPTIME, COL_SYS_NAME, COL_SYS_LOCATION,
            COL_LLDP_LOC_CHASSIS_SUBTYPE, COL_LLDP_LOC_CHASSIS_ID }, 7 },
        { "lldpRemTable", WALK_TABLE,
          { COL_LLDP_REM_CHASSIS_SUBTYPE, COL_LLDP_REM_CHASSIS_ID, COL_LLDP_REM_PORT_SUBTYPE,
            COL_LLDP_REM_PORT_ID, COL_LLDP_REM_PORT_DESC, COL_LLDP_REM_SYS_NAME, COL_LLDP_REM_SYS_DESC,
            COL_LLDP_REM_CAP_SUPPORTED, COL_LLDP_REM_CAP_ENABLED }, 9 },
        { "lldpRemManAddrTable", WALK_TABLE, { COL_LLDP_REM_MAN_ADDR_IF_SUBTYPE }, 1 },
        { "cdpCacheTable", WALK_TABLE,
          { COL_CDP_ADDRESS_TYPE, COL_CDP_ADDRESS, COL_CDP_VERSION, COL_CDP_DEVICE_ID,
            COL_CDP_DEVICE_PORT, COL_CDP_PLATFORM, COL_CDP_CAPABILITIES }, 7 },
        { "lldpLocPortTable", WALK_TABLE, { COL_LLDP_LOC_PORT_ID, COL_LLDP_LOC_PORT_DESC }, 2 },
        { "entPhysicalTable", WALK_TABLE,
          { COL_ENT_CLASS, COL_ENT_SOFTWARE_REV, COL_ENT_SERIAL, COL_ENT_MFG, COL_ENT_MODEL }, 5 },
        { "ifTable", WALK_TABLE, { COL_IF_PHYS_ADDRESS, COL_IF_NAME }, 2 },
        /* end hosts: bridge port -> ifIndex, VLAN -> FDB id, the per-VLAN
         * forwarding table (the plain BRIDGE-MIB one only when Q-BRIDGE has
         * none), the ARP table (the old ipNetToMediaTable only when
         * ipNetToPhysicalTable has none) */
        { "dot1dBasePortTable", WALK_TABLE, { COL_DOT1D_BASE_PORT_IFINDEX }, 1, .hosts = true },
        { "dot1qVlanCurrentTable", WALK_TABLE, { COL_DOT1Q_VLAN_FDB_ID }, 1, .hosts = true },
        { "dot1qTpFdbTable", WALK_TABLE, { COL_DOT1Q_FDB_PORT, COL_DOT1Q_FDB_STATUS }, 2, .hosts = true },
        { "dot1dTpFdbTable", WALK_TABLE, { COL_DOT1D_FDB_PORT, COL_DOT1D_FDB_STATUS }, 2, .hosts = true,
          .fallback = true },
        { "ipNetToPhysicalTable", WALK_TABLE, { COL_IP_NET_TO_PHYS_ADDRESS, COL_IP_NET_TO_PHYS_TYPE }, 2,
          .hosts = true },
        { "ipNetToMediaTable", WALK_TABLE, { COL_IP_NET_TO_MEDIA_ADDRESS, COL_IP_NET_TO_MEDIA_TYPE }, 2,
          .hosts = true, .fallback = true },
};
const size_t snmp_n_walks = ELEMENTSOF(snmp_walks);
_Static_assert(ELEMENTSOF(snmp_walks) <= SNMP_WALKS_MAX, "SNMP_WALKS_MAX is too small");

static const char *const error_kind_names[_SNMP_ERR_MAX] = {
        [SNMP_ERR_TIMEOUT] = "timeout",
        [SNMP_ERR_AUTH] = "auth",
        [SNMP_ERR_UNKNOWN_USER] = "unknown_user",
        [SNMP_ERR_DECRYPT] = "decrypt",
        [SNMP_ERR_SECURITY] = "security",
        [SNMP_ERR_SEND] = "send",
        [SNMP_ERR_ERROR_STATUS] = "error_status",
        [SNMP_ERR_NO_SUCH] = "no_such_object",
        [SNMP_ERR_WRONG_TYPE] = "wrong_type",
        [SNMP_ERR_LOOP] = "loop",
        [SNMP_ERR_TOO_MANY_ROWS] = "too_many_rows",
        [SNMP_ERR_TRUNCATED] = "truncated",
};

const char *snmp_error_kind_name(SnmpErrorKind k) {
        return k < _SNMP_ERR_MAX ? error_kind_names[k] : "unknown";
}

/* ---- OIDs ---- */

int oid32_compare(const uint32_t *a, size_t a_len, const uint32_t *b, size_t b_len) {
        size_t n = a_len < b_len ? a_len : b_len;
        for (size_t i = 0; i < n; i++)
                if (a[i] != b[i])
                        return a[i] < b[i] ? -1 : 1;
        return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

bool oid32_has_prefix(const uint32_t *oid, size_t oid_len, const uint32_t *prefix, size_t prefix_len) {
        return oid_len >= prefix_len && memcmp(oid, prefix, prefix_len * sizeof(uint32_t)) == 0;
}

static bool column_is_scalar(SnmpColumnId id) {
        /* scalars are instances: they end in .0 and are read by the GET walk */
        for (size_t w = 0; w < snmp_n_walks; w++)
                if (snmp_walks[w].kind == WALK_GET)
                        for (size_t c = 0; c < snmp_walks[w].n_columns; c++)
                                if (snmp_walks[w].columns[c] == id)
                                        return true;
        return false;
}

int snmp_column_lookup(const uint32_t *oid, size_t oid_len, SnmpColumnId *ret_id, size_t *ret_index_at) {
        for (size_t i = 0; i < _COL_MAX; i++) {
                const SnmpColumn *c = &snmp_columns[i];
                if (!oid32_has_prefix(oid, oid_len, c->oid, c->oid_len))
                        continue;
                bool scalar = column_is_scalar(c->id);
                if (scalar != (oid_len == c->oid_len))
                        continue;       /* a scalar with an index, or a row without one */
                *ret_id = c->id;
                *ret_index_at = c->oid_len;
                return 0;
        }
        return -ENOENT;
}

/* ---- the record: one sorted array of cells per column ---- */

typedef SnmpCell Cell;

typedef struct ColumnStore {
        Cell *cells;
        size_t n, cap;
} ColumnStore;

struct SnmpRecord {
        SnmpRecordLimits limits;
        ColumnStore cols[_COL_MAX];
        SnmpHostStats host_stats;
};

int snmp_record_new(const SnmpRecordLimits *limits, SnmpRecord **ret) {
        SnmpRecord *r = calloc(1, sizeof(SnmpRecord));
        if (!r)
                return -ENOMEM;
        if (limits)
                r->limits = *limits;
        if (r->limits.max_rows == 0)
                r->limits.max_rows = 10000;
        if (r->limits.max_host_rows == 0)
                r->limits.max_host_rows = 100000;
        if (r->limits.max_macs_per_access_port == 0)
                r->limits.max_macs_per_access_port = 8;
        *ret = r;
        return 0;
}

void snmp_record_reset(SnmpRecord *r) {
        if (!r)
                return;
        for (size_t i = 0; i < _COL_MAX; i++) {
                for (size_t j = 0; j < r->cols[i].n; j++)
                        free(r->cols[i].cells[j].index);
                free(r->cols[i].cells);
                r->cols[i] = (ColumnStore) {};
        }
        r->host_stats = (SnmpHostStats) {};
}

SnmpRecord *snmp_record_free(SnmpRecord *r) {
        snmp_record_reset(r);
        free(r);
        return NULL;
}

size_t snmp_record_rows(const SnmpRecord *r, SnmpColumnId col) {
        return col < _COL_MAX ? r->cols[col].n : 0;
}

static bool type_fits(SnmpValueKind kind, uint8_t type) {
        switch (kind) {
        case VAL_TEXT:
        case VAL_OCTETS:
                return type == SNMP_VB_OCTETS;
        case VAL_INT:
                return type == SNMP_VB_INTEGER || type == SNMP_VB_GAUGE32 || type == SNMP_VB_COUNTER32;
        case VAL_TICKS:
                return type == SNMP_VB_TIMETICKS || type == SNMP_VB_INTEGER;
        case VAL_OID:
                return type == SNMP_VB_OID;
        }
        return false;
}

/* Binary search; *ret_at = where it is or would go. */
static bool store_find(const ColumnStore *s, const uint32_t *index, size_t index_len, size_t *ret_at) {
        size_t lo = 0, hi = s->n;
        /* tables arrive in order: try the end first */
        if (s->n > 0 && oid32_compare(s->cells[s->n - 1].index, s->cells[s->n - 1].index_len, index, index_len) < 0) {
                *ret_at = s->n;
                return false;
        }
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = oid32_compare(s->cells[mid].index, s->cells[mid].index_len, index, index_len);
                if (c == 0) {
                        *ret_at = mid;
                        return true;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_at = lo;
        return false;
}

static const Cell *store_get(const ColumnStore *s, const uint32_t *index, size_t index_len) {
        size_t at;
        return store_find(s, index, index_len, &at) ? &s->cells[at] : NULL;
}

int snmp_record_add(SnmpRecord *r, const SnmpVarbind *vb, SnmpErrorKind *ret_error) {
        SnmpColumnId id;
        size_t index_at;

        if (!vb->oid || vb->oid_len == 0 || vb->oid_len > SNMP_OID_MAX)
                return -ENOENT;
        if (snmp_column_lookup(vb->oid, vb->oid_len, &id, &index_at) < 0)
                return -ENOENT;
        if (vb->type == SNMP_VB_NO_SUCH_OBJECT || vb->type == SNMP_VB_NO_SUCH_INSTANCE) {
                if (ret_error)
                        *ret_error = SNMP_ERR_NO_SUCH;
                return 0;
        }
        if (vb->type == SNMP_VB_END_OF_MIB_VIEW || vb->type == SNMP_VB_NULL)
                return 0;

        const SnmpColumn *col = &snmp_columns[id];
        if (!type_fits(col->kind, vb->type)) {
                if (ret_error)
                        *ret_error = SNMP_ERR_WRONG_TYPE;
                return -EBADMSG;
        }

        size_t value_len, value_bytes;
        if (col->kind == VAL_OID) {
                if (!vb->value_oid && vb->value_oid_len > 0)
                        return -EBADMSG;
                value_len = vb->value_oid_len > SNMP_OID_MAX ? SNMP_OID_MAX : vb->value_oid_len;
                value_bytes = value_len * sizeof(uint32_t);
        } else if (col->kind == VAL_TEXT || col->kind == VAL_OCTETS) {
                if (!vb->octets && vb->octets_len > 0)
                        return -EBADMSG;
                value_len = vb->octets_len > SNMP_VALUE_MAX ? SNMP_VALUE_MAX : vb->octets_len;
                value_bytes = value_len;
        } else
                value_len = value_bytes = 0;

        ColumnStore *s = &r->cols[id];
        const uint32_t *index = vb->oid + index_at;
        size_t index_len = vb->oid_len - index_at;
        size_t at;
        bool found = store_find(s, index, index_len, &at);
        if (!found && s->n >= (col->hosts ? r->limits.max_host_rows : r->limits.max_rows)) {
                if (ret_error)
                        *ret_error = SNMP_ERR_TOO_MANY_ROWS;
                return -E2BIG;
        }

        uint32_t *block = malloc(index_len * sizeof(uint32_t) + value_bytes + 1);
        if (!block)
                return -ENOMEM;
        memcpy(block, index, index_len * sizeof(uint32_t));
        uint8_t *bytes = (uint8_t *) (block + index_len);
        if (col->kind == VAL_OID)
                memcpy(bytes, vb->value_oid, value_bytes);
        else if (value_bytes > 0)
                memcpy(bytes, vb->octets, value_bytes);
        bytes[value_bytes] = 0;

        Cell cell = { .index = block, .index_len = index_len, .integer = vb->integer, .bytes = bytes, .len = value_len };
        if (found) {
                free(s->cells[at].index);       /* an agent repeating itself: last one wins */
                s->cells[at] = cell;
                return 1;
        }
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 8;
                Cell *n = realloc(s->cells, cap * sizeof(Cell));
                if (!n) {
                        free(block);
                        return -ENOMEM;
                }
                s->cells = n, s->cap = cap;
        }
        memmove(s->cells + at + 1, s->cells + at, (s->n - at) * sizeof(Cell));
        s->cells[at] = cell;
        s->n++;
        return 1;
}

const SnmpCell *snmp_record_cell(const SnmpRecord *r, SnmpColumnId col, size_t i) {
        return col < _COL_MAX && i < r->cols[col].n ? &r->cols[col].cells[i] : NULL;
}

const SnmpCell *snmp_record_find(const SnmpRecord *r, SnmpColumnId col, const uint32_t *index, size_t index_len) {
        return col < _COL_MAX ? store_get(&r->cols[col], index, index_len) : NULL;
}

const SnmpRecordLimits *snmp_record_limits(const SnmpRecord *r) {
        return &r->limits;
}

const SnmpHostStats *snmp_record_host_stats(const SnmpRecord *r) {
        return &r->host_stats;
}

bool snmp_record_has_system(const SnmpRecord *r) {
        return r->cols[COL_SYS_DESCR].n + r->cols[COL_SYS_OBJECT_ID].n + r->cols[COL_SYS_NAME].n +
                       r->cols[COL_SYS_UPTIME].n > 0;
}

/* ---- text ---- */

static size_t utf8_seq_len(const uint8_t *p, size_t n) {
        /* length of a valid, non-overlong UTF-8 sequence at p, or 0 */
        uint8_t c = p[0];
        size_t len;
        uint32_t cp;
        if (c < 0x80)
                return 1;
        else if ((c & 0xe0) == 0xc0)
                len = 2, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
                len = 3, cp = c & 0x0f;
        else if ((c & 0xf8) == 0xf0)
                len = 4, cp = c & 0x07;
        else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        if (cp >= 0x80 && cp < 0xa0)            /* C1 controls */
                return 0;
        return len;
}

char *snmp_text(const uint8_t *p, size_t n, size_t max) {
        while (n > 0 && p[n - 1] == 0)
                n--;
        if (max < 8)
                max = 8;
        char *out = malloc(max + 1);
        if (!out)
                return NULL;
        size_t o = 0;
        for (size_t i = 0; i < n;) {
                size_t l = utf8_seq_len(p + i, n - i);
                bool printable = l > 1 || (l == 1 && p[i] >= 0x20 && p[i] != 0x7f) ||
                                 (l == 1 && (p[i] == '\t' || p[i] == '\n' || p[i] == '\r'));
                if (printable && p[i] == '\\')
                        printable = false;      /* escape the escape character itself */
                if (printable) {
                        if (o + l > max)
                                break;
                        memcpy(out + o, p + i, l);
                        o += l, i += l;
                } else {
                        if (o + 4 > max)
                                break;
                        o += (size_t) snprintf(out + o, 5, "\\x%02x", p[i]);
                        i++;
                }
        }
        out[o] = 0;
        return out;
}

/* ---- building observations ---- */

/* Strings made while building one observation, freed together. */
typedef struct Pool {
        char **v;
        size_t n, cap;
        bool oom;
} Pool;

static char *pool_keep(Pool *p, char *s) {
        if (!s) {
                p->oom = true;
                return NULL;
        }
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 16;
                char **n = realloc(p->v, cap * sizeof(char *));
                if (!n) {
                        free(s);
                        p->oom = true;
                        return NULL;
                }
                p->v = n, p->cap = cap;
        }
        return p->v[p->n++] = s;
}

static char *pool_printf(Pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *pool_printf(Pool *p, const char *fmt, ...) {
        va_list ap;
        char *s;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return pool_keep(p, s);
}

static void pool_clear(Pool *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->v[i]);
        free(p->v);
        *p = (Pool) {};
}

#define TEXT_MAX 1024
#define DESCR_MAX 4096
#define MACS_MAX 512
#define ADDRS_MAX 16
#define ENTITY_MAX 16

static const char *cell_text(Pool *p, const Cell *c, size_t max) {
        if (!c)
                return NULL;
        char *s = snmp_text(c->bytes, c->len, max);
        if (s && !*s) {
                free(s);
                return NULL;
        }
        return pool_keep(p, s);
}

static const char *mac_text(Pool *p, const uint8_t *m) {
        return pool_printf(p, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *addr_text(Pool *p, int family, const uint8_t *b) {
        char buf[INET6_ADDRSTRLEN];
        if (!inet_ntop(family, b, buf, sizeof buf))
                return NULL;
        return pool_keep(p, strdup(buf));
}

/* IANA address family (1 = IPv4, 2 = IPv6) + bytes, as in LLDP
 * networkAddress subtypes. */
static const char *netaddr_text(Pool *p, const uint8_t *b, size_t n) {
        if (n == 5 && b[0] == 1)
                return addr_text(p, AF_INET, b + 1);
        if (n == 17 && b[0] == 2)
                return addr_text(p, AF_INET6, b + 1);
        return NULL;
}

static const char *oid_text(Pool *p, const Cell *c) {
        if (!c || c->len == 0)
                return NULL;
        const uint32_t *o = (const uint32_t *) c->bytes;
        size_t size = c->len * 11 + 1;
        char *s = malloc(size), *w = s;
        if (!s)
                return pool_keep(p, NULL);
        for (size_t i = 0; i < c->len; i++)
                w += snprintf(w, size - (size_t) (w - s), i ? ".%" PRIu32 : "%" PRIu32, o[i]);
        return pool_keep(p, s);
}

static const char *const lldp_chassis_subtypes[] = {
        [1] = "chassiscomp", [2] = "ifalias", [3] = "portcomp", [4] = "mac",
        [5] = "netaddr", [6] = "ifname", [7] = "local",
};
static const char *const lldp_port_subtypes[] = {
        [1] = "ifalias", [2] = "portcomp", [3] = "mac", [4] = "netaddr",
        [5] = "ifname", [6] = "circuitid", [7] = "local",
};

/* An LLDP ID by its subtype: MACs and network addresses formatted, the
 * rest as text.  `mac_subtype` / `net_subtype` differ for chassis and port. */
static const char *lldp_id_text(Pool *p, const Cell *id, int64_t subtype, int64_t mac_subtype, int64_t net_subtype) {
        if (!id)
                return NULL;
        if (subtype == mac_subtype && id->len == 6)
                return mac_text(p, id->bytes);
        if (subtype == net_subtype) {
                const char *s = netaddr_text(p, id->bytes, id->len);
                if (s)
                        return s;
        }
        return cell_text(p, id, TEXT_MAX);
}

static const char *subtype_name(const char *const *names, size_t n, const Cell *c) {
        if (!c || c->integer < 0 || (uint64_t) c->integer >= n)
                return NULL;
        return names[c->integer];
}

/* LldpSystemCapabilitiesMap is BITS: bit 0 (other) is the top bit of the
 * first octet; VW_CAP_* uses the same numbering from the bottom. */
static uint32_t lldp_caps(const Cell *c) {
        uint32_t caps = 0;
        for (size_t bit = 0; c && bit < 16 && bit / 8 < c->len; bit++)
                if (c->bytes[bit / 8] & (0x80 >> (bit % 8)))
                        caps |= 1u << bit;
        return caps;
}

static uint32_t cdp_caps(const Cell *c) {
        static const struct {
                uint32_t cdp, vw;
        } map[] = {
                { 0x01, VW_CAP_ROUTER }, { 0x02, VW_CAP_BRIDGE }, { 0x04, VW_CAP_BRIDGE },
                { 0x08, VW_CAP_BRIDGE }, { 0x10, VW_CAP_STATION }, { 0x40, VW_CAP_REPEATER },
                { 0x80, VW_CAP_TELEPHONE },
        };
        uint32_t v = 0, caps = 0;
        if (!c || c->len != 4)
                return 0;
        v = (uint32_t) c->bytes[0] << 24 | (uint32_t) c->bytes[1] << 16 | (uint32_t) c->bytes[2] << 8 | c->bytes[3];
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (v & map[i].cdp)
                        caps |= map[i].vw;
        return caps;
}

static const Cell *get1(const SnmpRecord *r, SnmpColumnId col, uint32_t index) {
        return store_get(&r->cols[col], &index, 1);
}

static const Cell *get_scalar(const SnmpRecord *r, SnmpColumnId col) {
        return r->cols[col].n > 0 ? &r->cols[col].cells[0] : NULL;
}

/* The local port an LLDP/CDP row was heard on: ifName by ifIndex (LLDP
 * agents usually number ports by ifIndex), else lldpLocPortId/Desc. */
static const char *local_port(Pool *p, const SnmpRecord *r, uint32_t port, bool lldp) {
        const char *s = cell_text(p, get1(r, COL_IF_NAME, port), TEXT_MAX);
        if (!s && lldp)
                s = cell_text(p, get1(r, COL_LLDP_LOC_PORT_ID, port), TEXT_MAX);
        if (!s && lldp)
                s = cell_text(p, get1(r, COL_LLDP_LOC_PORT_DESC, port), TEXT_MAX);
        if (!s)
                s = pool_printf(p, "%" PRIu32, port);
        return s;
}

static int mac_cmp(const void *a, const void *b) {
        return memcmp(a, b, 6);
}

static void push_unique(const char **v, size_t *n, size_t max, const char *s) {
        if (!s || *n >= max)
                return;
        for (size_t i = 0; i < *n; i++)
                if (strcmp(v[i], s) == 0)
                        return;
        v[(*n)++] = s;
}

static void emit_device(const SnmpRecord *r, Pool *p, const char *agent,
                        const char *chassis_mac, snmp_emit_fn emit, void *userdata) {
        struct vw_observation o = VW_OBSERVATION_INIT;
        o.source = "snmp";
        o.kind = "network";
        o.sys_descr = cell_text(p, get_scalar(r, COL_SYS_DESCR), DESCR_MAX);
        o.sys_name = cell_text(p, get_scalar(r, COL_SYS_NAME), TEXT_MAX);
        o.sys_object_id = oid_text(p, get_scalar(r, COL_SYS_OBJECT_ID));
        if (chassis_mac) {
                o.chassis_id = chassis_mac;
                o.chassis_subtype = "mac";
        }

        /* interface MACs, deduplicated, without the empty and zero ones */
        const ColumnStore *ifs = &r->cols[COL_IF_PHYS_ADDRESS];
        uint8_t (*raw)[6] = ifs->n ? calloc(ifs->n, 6) : NULL;
        size_t n_raw = 0;
        static const uint8_t zero[6];
        for (size_t i = 0; raw && i < ifs->n; i++)
                if (ifs->cells[i].len == 6 && memcmp(ifs->cells[i].bytes, zero, 6) != 0)
                        memcpy(raw[n_raw++], ifs->cells[i].bytes, 6);
        if (n_raw > 1)
                qsort(raw, n_raw, 6, mac_cmp);
        const char *macs[MACS_MAX];
        size_t n_macs = 0;
        for (size_t i = 0; i < n_raw && n_macs < MACS_MAX; i++)
                if (i == 0 || memcmp(raw[i], raw[i - 1], 6) != 0) {
                        const char *s = mac_text(p, raw[i]);
                        if (s)
                                macs[n_macs++] = s;
                }
        free(raw);
        o.macs = macs, o.n_macs = n_macs;

        const char *addrs[1] = { agent };
        o.addresses = addrs, o.n_addresses = agent ? 1 : 0;

        /* ENTITY-MIB: the chassis rows (class 3), else the first entity
         * that names a model */
        const char *mfg[ENTITY_MAX], *model[ENTITY_MAX];
        size_t n_mfg = 0, n_model = 0;
        const ColumnStore *cls = &r->cols[COL_ENT_CLASS];
        bool any_chassis = false;
        for (size_t i = 0; i < cls->n; i++) {
                const Cell *c = &cls->cells[i];
                if (c->integer != 3)
                        continue;
                any_chassis = true;
                push_unique(mfg, &n_mfg, ENTITY_MAX, cell_text(p, store_get(&r->cols[COL_ENT_MFG], c->index, c->index_len), TEXT_MAX));
                push_unique(model, &n_model, ENTITY_MAX, cell_text(p, store_get(&r->cols[COL_ENT_MODEL], c->index, c->index_len), TEXT_MAX));
                if (!o.entity_serial)
                        o.entity_serial = cell_text(p, store_get(&r->cols[COL_ENT_SERIAL], c->index, c->index_len), TEXT_MAX);
                if (!o.sw_version)
                        o.sw_version = cell_text(p, store_get(&r->cols[COL_ENT_SOFTWARE_REV], c->index, c->index_len), TEXT_MAX);
        }
        if (!any_chassis) {
                const ColumnStore *models = &r->cols[COL_ENT_MODEL];
                for (size_t i = 0; i < models->n && n_model == 0; i++) {
                        const Cell *c = &models->cells[i];
                        push_unique(model, &n_model, ENTITY_MAX, cell_text(p, c, TEXT_MAX));
                        if (n_model > 0) {
                                push_unique(mfg, &n_mfg, ENTITY_MAX, cell_text(p, store_get(&r->cols[COL_ENT_MFG], c->index, c->index_len), TEXT_MAX));
                                o.entity_serial = cell_text(p, store_get(&r->cols[COL_ENT_SERIAL], c->index, c->index_len), TEXT_MAX);
                        }
                }
        }
        o.entity_mfg = mfg, o.n_entity_mfg = n_mfg;
        o.entity_model = model, o.n_entity_model = n_model;

        o.via.agent = agent;
        if (!p->oom)
                emit(&o, userdata);
}

/* Hand over one neighbour row seen by `device_id` on its `port`, then free
 * the row's strings at once (remote tables can be long).  Returns 1 when it
 * was emitted. */
static size_t emit_neighbour(struct vw_observation *o, Pool *p, size_t mark, const char *device_id, const char *port,
                             const char *agent, snmp_emit_fn emit, void *userdata) {
        size_t n = 0;
        o->via.device = device_id;
        o->via.port = port;
        o->via.agent = agent;
        if (o->chassis_id && !p->oom) {
                emit(o, userdata);
                n = 1;
        }
        while (p->n > mark)
                free(p->v[--p->n]);
        return n;
}

static size_t emit_lldp_neighbours(const SnmpRecord *r, Pool *p, const char *agent, const char *device_id,
                                   snmp_emit_fn emit, void *userdata) {
        const ColumnStore *ids = &r->cols[COL_LLDP_REM_CHASSIS_ID];
        const ColumnStore *man = &r->cols[COL_LLDP_REM_MAN_ADDR_IF_SUBTYPE];
        size_t n = 0;

        for (size_t i = 0; i < ids->n; i++) {
                const Cell *id = &ids->cells[i];
                if (id->index_len != 3)         /* lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex */
                        continue;
                size_t mark = p->n;
                struct vw_observation o = VW_OBSERVATION_INIT;
                const Cell *cst = store_get(&r->cols[COL_LLDP_REM_CHASSIS_SUBTYPE], id->index, 3);
                const Cell *pst = store_get(&r->cols[COL_LLDP_REM_PORT_SUBTYPE], id->index, 3);
                const Cell *pid = store_get(&r->cols[COL_LLDP_REM_PORT_ID], id->index, 3);

                o.source = "snmp-lldp";
                o.kind = "network";
                o.chassis_id = lldp_id_text(p, id, cst ? cst->integer : 0, 4, 5);
                o.chassis_subtype = subtype_name(lldp_chassis_subtypes, ELEMENTSOF(lldp_chassis_subtypes), cst);
                o.port_id = lldp_id_text(p, pid, pst ? pst->integer : 0, 3, 4);
                o.port_subtype = subtype_name(lldp_port_subtypes, ELEMENTSOF(lldp_port_subtypes), pst);
                o.port_descr = cell_text(p, store_get(&r->cols[COL_LLDP_REM_PORT_DESC], id->index, 3), TEXT_MAX);
                o.sys_name = cell_text(p, store_get(&r->cols[COL_LLDP_REM_SYS_NAME], id->index, 3), TEXT_MAX);
                o.sys_descr = cell_text(p, store_get(&r->cols[COL_LLDP_REM_SYS_DESC], id->index, 3), DESCR_MAX);
                o.caps_system = lldp_caps(store_get(&r->cols[COL_LLDP_REM_CAP_SUPPORTED], id->index, 3));
                o.caps_enabled = lldp_caps(store_get(&r->cols[COL_LLDP_REM_CAP_ENABLED], id->index, 3));

                /* management addresses: index = the three above, subtype,
                 * then the address (length-prefixed, or implied) */
                const char *addrs[ADDRS_MAX];
                size_t n_addrs = 0;
                size_t at;
                store_find(man, id->index, 3, &at);
                for (; at < man->n && n_addrs < ADDRS_MAX; at++) {
                        const Cell *m = &man->cells[at];
                        if (!oid32_has_prefix(m->index, m->index_len, id->index, 3))
                                break;
                        if (m->index_len < 5)
                                continue;
                        const uint32_t *a = m->index + 4;
                        size_t alen = m->index_len - 4;
                        if (alen >= 1 && a[0] == alen - 1)
                                a++, alen--;
                        uint8_t b[16];
                        int family = m->index[3] == 1 && alen == 4 ? AF_INET : m->index[3] == 2 && alen == 16 ? AF_INET6 : 0;
                        if (!family)
                                continue;
                        bool ok = true;
                        for (size_t k = 0; k < alen; k++) {
                                if (a[k] > 255)
                                        ok = false;
                                b[k] = (uint8_t) a[k];
                        }
                        if (ok)
                                push_unique(addrs, &n_addrs, ADDRS_MAX, addr_text(p, family, b));
                }
                o.addresses = addrs, o.n_addresses = n_addrs;

                n += emit_neighbour(&o, p, mark, device_id, local_port(p, r, id->index[1], true), agent, emit,
                                    userdata);
        }
        return n;
}

static size_t emit_cdp_neighbours(const SnmpRecord *r, Pool *p, const char *agent, const char *device_id,
                                  snmp_emit_fn emit, void *userdata) {
        const ColumnStore *ids = &r->cols[COL_CDP_DEVICE_ID];
        size_t n = 0;

        for (size_t i = 0; i < ids->n; i++) {
                const Cell *id = &ids->cells[i];
                if (id->index_len != 2)         /* cdpCacheIfIndex.cdpCacheDeviceIndex */
                        continue;
                size_t mark = p->n;
                struct vw_observation o = VW_OBSERVATION_INIT;
                o.source = "snmp-cdp";
                o.kind = "network";
                o.chassis_id = cell_text(p, id, TEXT_MAX);
                o.chassis_subtype = "cdp";
                o.port_id = cell_text(p, store_get(&r->cols[COL_CDP_DEVICE_PORT], id->index, 2), TEXT_MAX);
                o.port_subtype = o.port_id ? "ifname" : NULL;
                o.platform = cell_text(p, store_get(&r->cols[COL_CDP_PLATFORM], id->index, 2), TEXT_MAX);
                o.sw_version = cell_text(p, store_get(&r->cols[COL_CDP_VERSION], id->index, 2), DESCR_MAX);
                o.sys_descr = o.sw_version;
                o.caps_system = o.caps_enabled = cdp_caps(store_get(&r->cols[COL_CDP_CAPABILITIES], id->index, 2));

                const Cell *at = store_get(&r->cols[COL_CDP_ADDRESS_TYPE], id->index, 2);
                const Cell *addr = store_get(&r->cols[COL_CDP_ADDRESS], id->index, 2);
                const char *addrs[1];
                size_t n_addrs = 0;
                if (addr && (!at || at->integer == 1) && addr->len == 4)
                        push_unique(addrs, &n_addrs, 1, addr_text(p, AF_INET, addr->bytes));
                else if (addr && at && at->integer == 20 && addr->len == 16)
                        push_unique(addrs, &n_addrs, 1, addr_text(p, AF_INET6, addr->bytes));
                o.addresses = addrs, o.n_addresses = n_addrs;

                n += emit_neighbour(&o, p, mark, device_id, local_port(p, r, id->index[0], false), agent, emit,
                                    userdata);
        }
        return n;
}

size_t snmp_record_emit(SnmpRecord *r, const char *agent, snmp_emit_fn emit, void *userdata) {
        Pool p = {};
        size_t n = 0;

        /* the polled device's id for `via`: its chassis MAC when LLDP names
         * one, else its agent address */
        const Cell *cst = get_scalar(r, COL_LLDP_LOC_CHASSIS_SUBTYPE);
        const Cell *cid = get_scalar(r, COL_LLDP_LOC_CHASSIS_ID);
        const char *chassis_mac = NULL, *device_id;
        if (cst && cst->integer == 4 && cid && cid->len == 6)
                chassis_mac = mac_text(&p, cid->bytes);
        if (chassis_mac)
                device_id = pool_printf(&p, "mac:%02x%02x%02x%02x%02x%02x", cid->bytes[0], cid->bytes[1],
                                        cid->bytes[2], cid->bytes[3], cid->bytes[4], cid->bytes[5]);
        else
                device_id = pool_printf(&p, "addr:%s", agent ? agent : "unknown");
        if (!device_id) {
                pool_clear(&p);
                return 0;
        }

        if (snmp_record_has_system(r)) {
                emit_device(r, &p, agent, chassis_mac, emit, userdata);
                n++;
        }
        n += emit_lldp_neighbours(r, &p, agent, device_id, emit, userdata);
        n += emit_cdp_neighbours(r, &p, agent, device_id, emit, userdata);
        r->host_stats = (SnmpHostStats) {};
        n += snmp_hosts_emit(r, agent, device_id, emit, userdata, &r->host_stats);
        pool_clear(&p);
        return n;
}
