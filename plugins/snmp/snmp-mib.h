/* SPDX-License-Identifier: MIT */
#pragma once

/* What the SNMP plugin reads and how the answers become observations.
 *
 * Pure code: no net-snmp, no event loop.  The poller (snmp-engine.c) turns
 * each received varbind into a SnmpVarbind and feeds it to a SnmpRecord; when
 * a target is done, snmp_record_emit() builds the observations.  The unit
 * test and the fuzz target drive the same functions.
 *
 * The walk plan is data: snmp_walks[] lists the scalar GET and the tables
 * (column sets walked in lock-step with GETBULK); adding a table is adding a
 * row there plus, if its values feed an observation, a column id. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vendorwatch/plugin.h"

/* ASN.1 / SNMP value tags (RFC 1155/2578/3416), as on the wire. */
enum {
        SNMP_VB_INTEGER = 0x02,
        SNMP_VB_OCTETS = 0x04,
        SNMP_VB_NULL = 0x05,
        SNMP_VB_OID = 0x06,
        SNMP_VB_IPADDRESS = 0x40,
        SNMP_VB_COUNTER32 = 0x41,
        SNMP_VB_GAUGE32 = 0x42,
        SNMP_VB_TIMETICKS = 0x43,
        SNMP_VB_OPAQUE = 0x44,
        SNMP_VB_COUNTER64 = 0x46,
        SNMP_VB_NO_SUCH_OBJECT = 0x80,
        SNMP_VB_NO_SUCH_INSTANCE = 0x81,
        SNMP_VB_END_OF_MIB_VIEW = 0x82,
};

#define SNMP_OID_MAX 128        /* sub-identifiers (RFC 2578 limit) */
#define SNMP_VALUE_MAX 65535

/* One received variable binding; borrowed memory. */
typedef struct SnmpVarbind {
        const uint32_t *oid;
        size_t oid_len;
        uint8_t type;                   /* SNMP_VB_* */
        int64_t integer;                /* INTEGER, counters, gauges, timeticks */
        const uint8_t *octets;          /* OCTET STRING, IpAddress, Opaque */
        size_t octets_len;
        const uint32_t *value_oid;      /* OBJECT IDENTIFIER */
        size_t value_oid_len;
} SnmpVarbind;

/* Every column or scalar the plugin understands. */
typedef enum SnmpColumnId {
        COL_SYS_DESCR,
        COL_SYS_OBJECT_ID,
        COL_SYS_UPTIME,
        COL_SYS_NAME,
        COL_SYS_LOCATION,
        COL_LLDP_LOC_CHASSIS_SUBTYPE,
        COL_LLDP_LOC_CHASSIS_ID,
        COL_IF_PHYS_ADDRESS,
        COL_IF_NAME,
        COL_ENT_CLASS,
        COL_ENT_SOFTWARE_REV,
        COL_ENT_SERIAL,
        COL_ENT_MFG,
        COL_ENT_MODEL,
        COL_LLDP_LOC_PORT_ID,
        COL_LLDP_LOC_PORT_DESC,
        COL_LLDP_REM_CHASSIS_SUBTYPE,
        COL_LLDP_REM_CHASSIS_ID,
        COL_LLDP_REM_PORT_SUBTYPE,
        COL_LLDP_REM_PORT_ID,
        COL_LLDP_REM_PORT_DESC,
        COL_LLDP_REM_SYS_NAME,
        COL_LLDP_REM_SYS_DESC,
        COL_LLDP_REM_CAP_SUPPORTED,
        COL_LLDP_REM_CAP_ENABLED,
        COL_LLDP_REM_MAN_ADDR_IF_SUBTYPE,
        COL_CDP_ADDRESS_TYPE,
        COL_CDP_ADDRESS,
        COL_CDP_VERSION,
        COL_CDP_DEVICE_ID,
        COL_CDP_DEVICE_PORT,
        COL_CDP_PLATFORM,
        COL_CDP_CAPABILITIES,
        /* end hosts: forwarding and ARP tables (appended: the fuzz seeds
         * name columns by number) */
        COL_DOT1D_BASE_PORT_IFINDEX,
        COL_DOT1D_FDB_PORT,
        COL_DOT1D_FDB_STATUS,
        COL_DOT1Q_VLAN_FDB_ID,
        COL_DOT1Q_FDB_PORT,
        COL_DOT1Q_FDB_STATUS,
        COL_IP_NET_TO_PHYS_ADDRESS,
        COL_IP_NET_TO_PHYS_TYPE,
        COL_IP_NET_TO_MEDIA_ADDRESS,
        COL_IP_NET_TO_MEDIA_TYPE,
        _COL_MAX,
} SnmpColumnId;

typedef enum SnmpValueKind {
        VAL_TEXT,       /* OCTET STRING shown as text */
        VAL_OCTETS,     /* OCTET STRING kept as bytes (MACs, bitmaps, addresses) */
        VAL_INT,        /* INTEGER */
        VAL_TICKS,      /* TimeTicks */
        VAL_OID,        /* OBJECT IDENTIFIER */
} SnmpValueKind;

typedef struct SnmpColumn {
        SnmpColumnId id;
        const char *name;               /* MIB object name, for messages */
        uint32_t oid[16];               /* the column (tables) or the instance (scalars) */
        size_t oid_len;
        SnmpValueKind kind;
        bool hosts;                     /* a forwarding/ARP table column: capped by max_host_rows */
} SnmpColumn;

typedef enum SnmpWalkKind {
        WALK_GET,       /* one GET of instance OIDs */
        WALK_TABLE,     /* GETBULK/GETNEXT over columns in lock-step */
} SnmpWalkKind;

#define SNMP_WALK_COLUMNS_MAX 12
#define SNMP_WALKS_MAX 16               /* rows of snmp_walks[] at most */

typedef struct SnmpWalk {
        const char *name;
        SnmpWalkKind kind;
        SnmpColumnId columns[SNMP_WALK_COLUMNS_MAX];
        size_t n_columns;
        bool hosts;                     /* end-host table: skipped when the plugin's `hosts` is off */
        bool fallback;                  /* skipped when the walk before it stored rows */
} SnmpWalk;

extern const SnmpColumn snmp_columns[_COL_MAX];
extern const SnmpWalk snmp_walks[];
extern const size_t snmp_n_walks;

/* Errors a bad agent can cause, counted per kind. */
typedef enum SnmpErrorKind {
        SNMP_ERR_TIMEOUT,
        SNMP_ERR_AUTH,                  /* wrong digest / community */
        SNMP_ERR_UNKNOWN_USER,
        SNMP_ERR_DECRYPT,
        SNMP_ERR_SECURITY,              /* other USM / security-level reports */
        SNMP_ERR_SEND,
        SNMP_ERR_ERROR_STATUS,          /* a response with error-status != 0 */
        SNMP_ERR_NO_SUCH,               /* noSuchObject / noSuchInstance on a scalar */
        SNMP_ERR_WRONG_TYPE,
        SNMP_ERR_LOOP,                  /* GETBULK returned a non-increasing OID */
        SNMP_ERR_TOO_MANY_ROWS,
        SNMP_ERR_TRUNCATED,             /* a walk broken off (timeout or error mid-table) */
        _SNMP_ERR_MAX,
} SnmpErrorKind;

const char *snmp_error_kind_name(SnmpErrorKind k);

/* Which column a received OID belongs to: the column index and where the
 * instance index starts.  -ENOENT when it is none of ours. */
int snmp_column_lookup(const uint32_t *oid, size_t oid_len, SnmpColumnId *ret_id, size_t *ret_index_at);

/* -1, 0, 1 */
int oid32_compare(const uint32_t *a, size_t a_len, const uint32_t *b, size_t b_len);
bool oid32_has_prefix(const uint32_t *oid, size_t oid_len, const uint32_t *prefix, size_t prefix_len);

/* Everything learned from one agent in one poll. */
typedef struct SnmpRecord SnmpRecord;

typedef struct SnmpRecordLimits {
        size_t max_rows;                /* per table column; 0 = 10000 */
        size_t max_host_rows;           /* per end-host table column (FDB, ARP); 0 = 100000 */
        size_t max_macs_per_access_port; /* more MACs on a bridge port: an uplink; 0 = 8 */
} SnmpRecordLimits;

/* One stored cell, read by the emitters (snmp-hosts.c). */
typedef struct SnmpCell {
        uint32_t *index;        /* the instance index; part of the same allocation as bytes */
        size_t index_len;
        int64_t integer;
        uint8_t *bytes;         /* octets, or the value OID as uint32_t[] */
        size_t len;             /* bytes, or sub-identifiers for OIDs */
} SnmpCell;

/* What the end-host tables gave in one poll, for status. */
typedef struct SnmpHostStats {
        size_t fdb_hosts;               /* forwarding entries attributed to an access port */
        size_t arp_hosts;               /* ARP entries not attributed to a port */
        size_t uplink_macs;             /* forwarding entries on uplink/trunk ports: not attributed */
        size_t uplink_ports;            /* ports judged uplinks (neighbour or too many MACs) */
        size_t skipped;                 /* self/invalid/multicast/unknown-port entries */
        size_t arp_anonymous;           /* ARP-only entries with a locally administered MAC */
} SnmpHostStats;

int snmp_record_new(const SnmpRecordLimits *limits, SnmpRecord **ret);
SnmpRecord *snmp_record_free(SnmpRecord *r);
void snmp_record_reset(SnmpRecord *r);

/* Store one varbind.  Returns 1 when stored, 0 when it carried no value
 * (noSuch*, endOfMibView: counted in ret_error when it is an error), and
 * -errno for a varbind the record refuses: -ENOENT not ours, -EBADMSG wrong
 * type for its column (*ret_error = SNMP_ERR_WRONG_TYPE), -E2BIG row cap hit
 * (SNMP_ERR_TOO_MANY_ROWS).  ret_error may be NULL. */
int snmp_record_add(SnmpRecord *r, const SnmpVarbind *vb, SnmpErrorKind *ret_error);

/* Rows stored for a column (for tests and status). */
size_t snmp_record_rows(const SnmpRecord *r, SnmpColumnId col);

/* The i-th stored cell of a column, in index order, or NULL. */
const SnmpCell *snmp_record_cell(const SnmpRecord *r, SnmpColumnId col, size_t i);
/* The cell of a column at an index, or NULL. */
const SnmpCell *snmp_record_find(const SnmpRecord *r, SnmpColumnId col, const uint32_t *index, size_t index_len);
const SnmpRecordLimits *snmp_record_limits(const SnmpRecord *r);
/* Counters of the last snmp_record_emit(). */
const SnmpHostStats *snmp_record_host_stats(const SnmpRecord *r);

/* Whether the system GET produced anything (an agent that answered). */
bool snmp_record_has_system(const SnmpRecord *r);

typedef void (*snmp_emit_fn)(const struct vw_observation *o, void *userdata);

/* Build the observations: first the polled device (source "snmp"), then one
 * per LLDP remote row ("snmp-lldp") and CDP cache row ("snmp-cdp") with via =
 * {device id, local port, agent}, then the end hosts (snmp_hosts_emit()).
 * `agent` is the numeric agent address.  Returns the number of observations
 * emitted. */
size_t snmp_record_emit(SnmpRecord *r, const char *agent, snmp_emit_fn emit, void *userdata);

/* Untrusted bytes to printable UTF-8: valid UTF-8 is kept, control and
 * invalid bytes become \xHH, trailing NULs are dropped, the result is cut at
 * `max` bytes.  Returns a malloc'd string or NULL on OOM. */
char *snmp_text(const uint8_t *p, size_t n, size_t max);

/* The end hosts of the forwarding and ARP tables (snmp-hosts.c): one
 * observation (kind "host") per MAC learned on an access port (source
 * "snmp-fdb", via = {device_id, ifName, agent}, VLAN, addresses from the ARP
 * table), and one per ARP entry whose globally unique MAC no access port
 * claims ("snmp-arp", via = {agent} only: a router's ARP table says it
 * reaches the host, not where the host hangs).  Counts into *stats.  Returns observations emitted. */
size_t snmp_hosts_emit(const SnmpRecord *r, const char *agent, const char *device_id, snmp_emit_fn emit, void *userdata,
                       SnmpHostStats *stats);
