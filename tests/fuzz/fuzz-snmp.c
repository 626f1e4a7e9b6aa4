/* SPDX-License-Identifier: MIT */
/* The SNMP plugin's varbind -> observation path, fed from a simple record
 * format:
 *
 *   record  := oidspec type(1) len(2, big-endian) value(len)
 *   oidspec := n(1) subid*n                   n < 0x80: a full OID
 *            | 0x80|col(1) n(1) subid*n       a column of snmp_columns[] + an index
 *   subid   := byte < 0xff | 0xff u32(4, big-endian)
 *
 * INTEGER-like values are the big-endian bytes of the value; OID values one
 * byte per sub-identifier. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "observation.h"
#include "snmp-mib.h"

typedef struct Cursor {
        const uint8_t *p;
        size_t left;
} Cursor;

static int cursor_u8(Cursor *c, uint8_t *ret) {
        if (c->left < 1)
                return -1;
        *ret = c->p[0];
        c->p++, c->left--;
        return 0;
}

static int cursor_bytes(Cursor *c, size_t n, const uint8_t **ret) {
        if (c->left < n)
                return -1;
        *ret = c->p;
        c->p += n, c->left -= n;
        return 0;
}

static int cursor_subid(Cursor *c, uint32_t *ret) {
        uint8_t b;
        const uint8_t *q;
        if (cursor_u8(c, &b) < 0)
                return -1;
        if (b != 0xff) {
                *ret = b;
                return 0;
        }
        if (cursor_bytes(c, 4, &q) < 0)
                return -1;
        *ret = (uint32_t) q[0] << 24 | (uint32_t) q[1] << 16 | (uint32_t) q[2] << 8 | q[3];
        return 0;
}

static void sink(const struct vw_observation *o, void *userdata) {
        Observation *copy;
        if (observation_dup(o, &copy) >= 0) {
                json_object *j = observation_to_json(&copy->o);
                json_object_put(j);
                observation_free(copy);
        }
        (*(size_t *) userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Cursor c = { data, size };
        SnmpRecord *r;
        SnmpRecordLimits lim = { .max_rows = 64 };

        if (snmp_record_new(&lim, &r) < 0)
                return 0;
        for (;;) {
                uint32_t oid[SNMP_OID_MAX + 32];
                size_t n_oid = 0;
                uint8_t n, type, lh, ll;
                const uint8_t *value;

                if (cursor_u8(&c, &n) < 0)
                        break;
                if (n & 0x80) {
                        size_t col = (n & 0x7f) % _COL_MAX;
                        memcpy(oid, snmp_columns[col].oid, snmp_columns[col].oid_len * sizeof(uint32_t));
                        n_oid = snmp_columns[col].oid_len;
                        if (cursor_u8(&c, &n) < 0)
                                break;
                        n %= 32;
                }
                bool ok = true;
                for (size_t i = 0; i < n && ok; i++)
                        ok = cursor_subid(&c, &oid[n_oid++]) >= 0;
                if (!ok || cursor_u8(&c, &type) < 0 || cursor_u8(&c, &lh) < 0 || cursor_u8(&c, &ll) < 0 ||
                    cursor_bytes(&c, (size_t) lh << 8 | ll, &value) < 0)
                        break;
                size_t len = (size_t) lh << 8 | ll;

                uint32_t value_oid[SNMP_OID_MAX];
                SnmpVarbind vb = { .oid = oid, .oid_len = n_oid, .type = type, .octets = value, .octets_len = len };
                for (size_t i = 0; i < len && i < 8; i++)
                        vb.integer = (int64_t) ((uint64_t) vb.integer << 8 | value[i]);
                size_t nv = len < SNMP_OID_MAX ? len : SNMP_OID_MAX;
                for (size_t i = 0; i < nv; i++)
                        value_oid[i] = value[i];
                vb.value_oid = value_oid, vb.value_oid_len = nv;
                SnmpErrorKind kind;
                (void) snmp_record_add(r, &vb, &kind);
        }
        size_t n = 0;
        snmp_record_emit(r, "192.0.2.1", sink, &n);
        snmp_record_free(r);
        return 0;
}
