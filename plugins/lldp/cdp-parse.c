/* SPDX-License-Identifier: MIT */
/* Cisco Discovery Protocol v1/v2 decoder: header (version, holdtime,
 * checksum), then TLVs whose 16-bit length counts their own 4-byte header. */
#include <string.h>
#include <sys/socket.h>

#include "lldp-parse.h"
#include "parse-util.h"

static int cdp_fail(struct lldp_neighbor *n, enum lldp_reason r) {
        n->reason = r;
        return -EBADMSG;
}

static int cdp_device_id(struct lldp_neighbor *n, struct cursor v) {
        if (v.left == 0)
                return -EINVAL;
        n->chassis_subtype = "cdp";
        text_escape(v.p, v.left, n->chassis_id, sizeof n->chassis_id);
        return 0;
}

/* Address list (types 0x02 and 0x16): count, then per address protocol type
 * (1 = NLPID, 2 = 802.2), protocol length, protocol, address length, address. */
static int cdp_addresses(struct lldp_neighbor *n, struct cursor v) {
        static const uint8_t snap_ipv6[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd };
        uint32_t count;

        if (cursor_u32(&v, &count) < 0)
                return -EINVAL;
        for (uint32_t i = 0; i < count; i++) {
                uint8_t ptype, plen;
                uint16_t alen;
                struct cursor proto, addr;

                if (cursor_u8(&v, &ptype) < 0 || cursor_u8(&v, &plen) < 0 ||
                    cursor_sub(&v, plen, &proto) < 0 || cursor_u16(&v, &alen) < 0 ||
                    cursor_sub(&v, alen, &addr) < 0)
                        return -EINVAL;
                if (ptype == 1 && plen == 1 && proto.p[0] == 0xcc && alen == 4)
                        neighbor_add_address(n, AF_INET, addr.p);
                else if (ptype == 2 && plen == 8 && memcmp(proto.p, snap_ipv6, 8) == 0 && alen == 16)
                        neighbor_add_address(n, AF_INET6, addr.p);
        }
        return 0;
}

static int cdp_port_id(struct lldp_neighbor *n, struct cursor v) {
        n->port_subtype = "ifname";
        text_string(v.p, v.left, n->port_id, sizeof n->port_id);
        return 0;
}

/* CDP capability bits → VW_CAP_* */
static const uint32_t cdp_caps[] = {
        VW_CAP_ROUTER,          /* 0x001 router */
        VW_CAP_BRIDGE,          /* 0x002 transparent bridge */
        VW_CAP_BRIDGE,          /* 0x004 source-route bridge */
        VW_CAP_BRIDGE,          /* 0x008 switch */
        VW_CAP_STATION,         /* 0x010 host */
        0,                      /* 0x020 IGMP capable */
        VW_CAP_REPEATER,        /* 0x040 repeater */
        VW_CAP_TELEPHONE,       /* 0x080 VoIP phone */
        VW_CAP_OTHER,           /* 0x100 remotely managed device */
        VW_CAP_OTHER,           /* 0x200 CVTA / STP dispute */
        VW_CAP_TPMR,            /* 0x400 two-port MAC relay */
};

static int cdp_capabilities(struct lldp_neighbor *n, struct cursor v) {
        uint32_t c, caps = 0;
        if (v.left != 4 || cursor_u32(&v, &c) < 0)
                return -EINVAL;
        for (size_t i = 0; i < sizeof cdp_caps / sizeof cdp_caps[0]; i++)
                if (c & (1u << i))
                        caps |= cdp_caps[i];
        n->caps_system = n->caps_enabled = caps;
        return 0;
}

static int cdp_sw_version(struct lldp_neighbor *n, struct cursor v) {
        text_string(v.p, v.left, n->sw_version, sizeof n->sw_version);
        return 0;
}

static int cdp_platform(struct lldp_neighbor *n, struct cursor v) {
        text_string(v.p, v.left, n->platform, sizeof n->platform);
        return 0;
}

static int cdp_native_vlan(struct lldp_neighbor *n, struct cursor v) {
        uint16_t vid;
        if (v.left != 2 || cursor_u16(&v, &vid) < 0)
                return -EINVAL;
        if (vid >= 1 && vid <= 4094)
                n->pvid = vid;
        return 0;
}

static int cdp_sys_name(struct lldp_neighbor *n, struct cursor v) {
        text_string(v.p, v.left, n->sys_name, sizeof n->sys_name);
        return 0;
}

/* Known types without a decoder are skipped silently; the rest are counted
 * as unknown. */
static const struct cdp_tlv {
        uint16_t type;
        int (*decode)(struct lldp_neighbor *n, struct cursor v);
} cdp_tlvs[] = {
        { 0x0001, cdp_device_id },
        { 0x0002, cdp_addresses },
        { 0x0003, cdp_port_id },
        { 0x0004, cdp_capabilities },
        { 0x0005, cdp_sw_version },
        { 0x0006, cdp_platform },
        { 0x0007, NULL },               /* IP prefixes */
        { 0x0008, NULL },               /* protocol hello */
        { 0x0009, NULL },               /* VTP management domain */
        { 0x000a, cdp_native_vlan },
        { 0x000b, NULL },               /* duplex */
        { 0x000e, NULL },               /* VoIP VLAN reply */
        { 0x000f, NULL },               /* VoIP VLAN query */
        { 0x0010, NULL },               /* power */
        { 0x0011, NULL },               /* MTU */
        { 0x0012, NULL },               /* trust bitmap */
        { 0x0013, NULL },               /* untrusted port CoS */
        { 0x0014, cdp_sys_name },
        { 0x0015, NULL },               /* system object ID */
        { 0x0016, cdp_addresses },      /* management addresses */
        { 0x0017, NULL },               /* physical location */
        { 0x001a, NULL },               /* power requested */
        { 0x001b, NULL },               /* power available */
};

int cdp_pdu_parse(const uint8_t *pdu, size_t len, struct lldp_neighbor *n) {
        struct cursor c = cursor_make(pdu, len);
        uint8_t version, ttl;
        uint16_t checksum;

        n->proto = LLDP_PROTO_CDP;
        if (cursor_u8(&c, &version) < 0 || cursor_u8(&c, &ttl) < 0 || cursor_u16(&c, &checksum) < 0)
                return cdp_fail(n, LLDP_REASON_SHORT);
        if (version != 1 && version != 2)
                return cdp_fail(n, LLDP_REASON_BAD_VERSION);
        n->ttl = ttl;

        while (c.left > 0) {
                uint16_t type, tlen;
                struct cursor v;

                if (cursor_u16(&c, &type) < 0 || cursor_u16(&c, &tlen) < 0)
                        goto truncated;
                /* the length covers the header: below 4 a naive reader loops */
                if (tlen < 4)
                        return cdp_fail(n, LLDP_REASON_TLV_LENGTH);
                if (cursor_sub(&c, tlen - 4u, &v) < 0)
                        goto truncated;

                const struct cdp_tlv *t = NULL;
                for (size_t i = 0; i < sizeof cdp_tlvs / sizeof cdp_tlvs[0]; i++)
                        if (cdp_tlvs[i].type == type) {
                                t = &cdp_tlvs[i];
                                break;
                        }
                if (!t) {
                        n->n_unknown++;
                        continue;
                }
                if (t->decode && t->decode(n, v) < 0)
                        n->n_ignored++;
        }
        if (!n->chassis_subtype)
                return cdp_fail(n, LLDP_REASON_MISSING_CHASSIS);
        return 0;

truncated:
        if (!n->cut)
                return cdp_fail(n, LLDP_REASON_TLV_TRUNCATED);
        n->snapped = true;
        if (!n->chassis_subtype)
                return cdp_fail(n, LLDP_REASON_MISSING_CHASSIS);
        return 0;
}
