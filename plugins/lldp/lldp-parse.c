/* SPDX-License-Identifier: MIT */
/* LLDPDU decoder (IEEE 802.1AB-2016 clause 8) and the Ethernet front end
 * shared with CDP. */
#include <string.h>
#include <sys/socket.h>

#include "lldp-parse.h"
#include "parse-util.h"

#define ETH_P_LLDP 0x88cc
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ1 0x9100

static const char *const reason_names[_LLDP_REASON_MAX] = {
        [LLDP_REASON_OK] = "ok",
        [LLDP_REASON_SHORT] = "short",
        [LLDP_REASON_TLV_TRUNCATED] = "tlv-truncated",
        [LLDP_REASON_TLV_LENGTH] = "tlv-length",
        [LLDP_REASON_MISSING_CHASSIS] = "missing-chassis-id",
        [LLDP_REASON_MISSING_PORT] = "missing-port-id",
        [LLDP_REASON_MISSING_TTL] = "missing-ttl",
        [LLDP_REASON_DUPLICATE] = "duplicate-tlv",
        [LLDP_REASON_BAD_SUBTYPE] = "bad-subtype",
        [LLDP_REASON_BAD_VERSION] = "bad-version",
        [LLDP_REASON_TOO_MANY_TAGS] = "too-many-tags",
};

const char *lldp_reason_name(enum lldp_reason r) {
        return (unsigned) r < _LLDP_REASON_MAX ? reason_names[r] : "unknown";
}

/* What the volatile decoder writes: the scalars and the changing texts,
 * a few cache lines of the struct. */
static void reset_volatile(struct lldp_neighbor *n) {
        n->proto = LLDP_PROTO_NONE;
        n->reason = LLDP_REASON_OK;
        n->cut = n->snapped = false;
        n->vlan = n->pvid = n->ttl = -1;
        n->chassis_subtype = n->port_subtype = NULL;
        n->chassis_raw = NULL;
        n->chassis_raw_len = 0;
        n->caps_system = n->caps_enabled = 0;
        n->n_unknown = n->n_ignored = 0;
        n->n_addresses = 0;
        n->chassis_id[0] = n->port_id[0] = n->port_descr[0] = 0;
        n->n_stable = 0;
        n->stable_len = 0;
        n->volatile_only = false;
}

/* The texts only the full decoders write, each at the start of a buffer
 * of its own. */
static void reset_stable(struct lldp_neighbor *n) {
        n->sys_name[0] = n->sys_descr[0] = 0;
        n->platform[0] = n->sw_version[0] = 0;
        n->med_mfg[0] = n->med_model[0] = n->med_serial[0] = 0;
        n->med_hw_rev[0] = n->med_fw_rev[0] = n->med_sw_rev[0] = 0;
}

void lldp_neighbor_reset(struct lldp_neighbor *n) {
        reset_volatile(n);
        reset_stable(n);
}

static int fail(struct lldp_neighbor *n, enum lldp_reason r) {
        n->reason = r;
        return -EBADMSG;
}

/* Chassis ID subtypes (8.5.2.2) and port ID subtypes (8.5.3.2); NULL = reserved. */
static const char *const chassis_subtypes[] = {
        [1] = "chassiscomp", [2] = "ifalias", [3] = "portcomp", [4] = "mac",
        [5] = "netaddr",     [6] = "ifname",  [7] = "local",
};
static const char *const port_subtypes[] = {
        [1] = "ifalias", [2] = "portcomp", [3] = "mac",   [4] = "netaddr",
        [5] = "ifname",  [6] = "agentcircuit", [7] = "local",
};

/* An ID value by its subtype's kind: MAC, network address, or text. */
static void format_id(bool is_mac, bool is_netaddr, struct cursor v, char *buf, size_t size) {
        if (is_mac && v.left == 6) {
                text_mac(v.p, buf);
                return;
        }
        if (is_netaddr && v.left >= 1) {
                /* IANA address family first (RFC 3232): 1 = IPv4, 2 = IPv6 */
                if (v.p[0] == 1 && v.left == 5) {
                        text_ipv4(v.p + 1, buf);
                        return;
                }
                if (v.p[0] == 2 && v.left == 17) {
                        text_ipv6(v.p + 1, buf);
                        return;
                }
        }
        if (is_mac || is_netaddr)
                text_hex(v.p, v.left, buf, size);
        else
                text_escape(v.p, v.left, buf, size);
}

static int tlv_chassis(struct lldp_neighbor *n, struct cursor v) {
        uint8_t st;
        n->chassis_raw = v.p;
        n->chassis_raw_len = v.left;
        if (v.left > 256 || v.left < 2 || cursor_u8(&v, &st) < 0)
                return fail(n, LLDP_REASON_TLV_LENGTH);
        if (st >= sizeof chassis_subtypes / sizeof chassis_subtypes[0] || !chassis_subtypes[st])
                return fail(n, LLDP_REASON_BAD_SUBTYPE);
        n->chassis_subtype = chassis_subtypes[st];
        if (n->volatile_only)
                return 0;       /* its text, and its address, are the caller's */
        format_id(st == 4, st == 5, v, n->chassis_id, sizeof n->chassis_id);
        /* a network-address chassis ID is a management address too */
        if (st == 5 && v.left == 5 && v.p[0] == 1)
                neighbor_add_address(n, AF_INET, v.p + 1);
        else if (st == 5 && v.left == 17 && v.p[0] == 2)
                neighbor_add_address(n, AF_INET6, v.p + 1);
        return 0;
}

static int tlv_port(struct lldp_neighbor *n, struct cursor v) {
        uint8_t st;
        if (v.left > 256 || v.left < 2 || cursor_u8(&v, &st) < 0)
                return fail(n, LLDP_REASON_TLV_LENGTH);
        if (st >= sizeof port_subtypes / sizeof port_subtypes[0] || !port_subtypes[st])
                return fail(n, LLDP_REASON_BAD_SUBTYPE);
        n->port_subtype = port_subtypes[st];
        format_id(st == 3, st == 4, v, n->port_id, sizeof n->port_id);
        return 0;
}

static int tlv_ttl(struct lldp_neighbor *n, struct cursor v) {
        uint16_t ttl;
        /* 2 octets; later revisions may append, so only a short one is wrong. */
        if (cursor_u16(&v, &ttl) < 0)
                return fail(n, LLDP_REASON_TLV_LENGTH);
        n->ttl = ttl;
        return 0;
}

static int tlv_port_descr(struct lldp_neighbor *n, struct cursor v) {
        text_string(v.p, v.left, n->port_descr, sizeof n->port_descr);
        return 0;
}

static int tlv_sys_name(struct lldp_neighbor *n, struct cursor v) {
        text_string(v.p, v.left, n->sys_name, sizeof n->sys_name);
        return 0;
}

static int tlv_sys_descr(struct lldp_neighbor *n, struct cursor v) {
        text_string(v.p, v.left, n->sys_descr, sizeof n->sys_descr);
        return 0;
}

static int tlv_caps(struct lldp_neighbor *n, struct cursor v) {
        uint16_t sys, en;
        if (v.left != 4 || cursor_u16(&v, &sys) < 0 || cursor_u16(&v, &en) < 0)
                return -EINVAL;
        n->caps_system = sys;
        n->caps_enabled = en;
        return 0;
}

/* Management Address TLV (8.5.9): address string length (subtype + address,
 * 2..32), subtype, address, interface numbering subtype, interface number,
 * OID string length, OID. */
static int tlv_mgmt(struct lldp_neighbor *n, struct cursor v) {
        uint8_t alen, family, ifsub, oidlen;
        uint32_t ifnum;
        struct cursor addr;

        if (cursor_u8(&v, &alen) < 0 || alen < 2 || alen > 32 || cursor_u8(&v, &family) < 0 ||
            cursor_sub(&v, alen - 1u, &addr) < 0 || cursor_u8(&v, &ifsub) < 0 ||
            cursor_u32(&v, &ifnum) < 0 || cursor_u8(&v, &oidlen) < 0 || oidlen > 128 ||
            cursor_skip(&v, oidlen) < 0 || v.left != 0)
                return -EINVAL;
        if (family == 1 && addr.left == 4)
                neighbor_add_address(n, AF_INET, addr.p);
        else if (family == 2 && addr.left == 16)
                neighbor_add_address(n, AF_INET6, addr.p);
        return 0;
}

/* Organisationally specific TLVs: OUI, subtype, exact or minimum info length
 * (after OUI and subtype), and what to keep. */
enum { ORG_DOT1 = 0x0080c2, ORG_DOT3 = 0x00120f, ORG_MED = 0x0012bb };

static int org_pvid(struct lldp_neighbor *n, struct cursor v) {
        uint16_t pvid;
        if (cursor_u16(&v, &pvid) < 0)
                return -EINVAL;
        if (pvid >= 1 && pvid <= 4094)
                n->pvid = pvid;
        return 0;
}

static int org_vlan_name(struct lldp_neighbor *n, struct cursor v) {
        uint16_t vid;
        uint8_t len;
        if (cursor_u16(&v, &vid) < 0 || cursor_u8(&v, &len) < 0 || len > 32 || v.left != len)
                return -EINVAL;
        return 0;
}

#define MED_TEXT(field)                                                                    \
        static int org_med_##field(struct lldp_neighbor *n, struct cursor v) {            \
                if (v.left > 32)                                                           \
                        return -EINVAL;                                                    \
                text_string(v.p, v.left, n->med_##field, sizeof n->med_##field);           \
                return 0;                                                                  \
        }
MED_TEXT(hw_rev)
MED_TEXT(fw_rev)
MED_TEXT(sw_rev)
MED_TEXT(serial)
MED_TEXT(mfg)
MED_TEXT(model)
#undef MED_TEXT

static const struct org_tlv {
        uint32_t oui;
        uint8_t subtype;
        uint16_t min_len, max_len;
        int (*decode)(struct lldp_neighbor *n, struct cursor v);
} org_tlvs[] = {
        { ORG_DOT1, 1, 2, 2, org_pvid },                /* Port VLAN ID */
        { ORG_DOT1, 2, 3, 3, NULL },                    /* Port and protocol VLAN ID */
        { ORG_DOT1, 3, 3, 35, org_vlan_name },          /* VLAN name */
        { ORG_DOT1, 4, 1, 256, NULL },                  /* Protocol identity */
        { ORG_DOT1, 7, 5, 5, NULL },                    /* Link aggregation (802.1AX) */
        { ORG_DOT3, 1, 5, 5, NULL },                    /* MAC/PHY configuration/status */
        { ORG_DOT3, 2, 3, 25, NULL },                   /* Power via MDI (3; 802.3at 8; 802.3bt 25) */
        { ORG_DOT3, 3, 5, 5, NULL },                    /* Link aggregation (deprecated) */
        { ORG_DOT3, 4, 2, 2, NULL },                    /* Maximum frame size */
        { ORG_MED, 1, 3, 3, NULL },                     /* LLDP-MED capabilities */
        { ORG_MED, 2, 4, 4, NULL },                     /* Network policy */
        { ORG_MED, 3, 1, 507, NULL },                   /* Location identification */
        { ORG_MED, 4, 3, 3, NULL },                     /* Extended power via MDI */
        { ORG_MED, 5, 0, 32, org_med_hw_rev },
        { ORG_MED, 6, 0, 32, org_med_fw_rev },
        { ORG_MED, 7, 0, 32, org_med_sw_rev },
        { ORG_MED, 8, 0, 32, org_med_serial },
        { ORG_MED, 9, 0, 32, org_med_mfg },
        { ORG_MED, 10, 0, 32, org_med_model },
        { ORG_MED, 11, 0, 32, NULL },                   /* Asset ID */
};

static int tlv_org(struct lldp_neighbor *n, struct cursor v) {
        uint8_t o[3], st;
        if (cursor_u8(&v, &o[0]) < 0 || cursor_u8(&v, &o[1]) < 0 || cursor_u8(&v, &o[2]) < 0 ||
            cursor_u8(&v, &st) < 0)
                return -EINVAL;
        uint32_t oui = (uint32_t) o[0] << 16 | (uint32_t) o[1] << 8 | o[2];
        for (size_t i = 0; i < sizeof org_tlvs / sizeof org_tlvs[0]; i++) {
                const struct org_tlv *t = &org_tlvs[i];
                if (t->oui != oui || t->subtype != st)
                        continue;
                if (v.left < t->min_len || v.left > t->max_len)
                        return -EINVAL;
                return t->decode ? t->decode(n, v) : 0;
        }
        n->n_unknown++;
        return 0;
}

/* TLV types (8.4.1).  Mandatory ones refuse the frame when wrong; an optional
 * one that is wrong is skipped and counted (9.2.7.7.2). */
static const struct lldp_tlv {
        bool mandatory;
        int (*decode)(struct lldp_neighbor *n, struct cursor v);
} lldp_tlvs[128] = {
        [1] = { true, tlv_chassis },
        [2] = { true, tlv_port },
        [3] = { true, tlv_ttl },
        [4] = { false, tlv_port_descr },
        [5] = { false, tlv_sys_name },
        [6] = { false, tlv_sys_descr },
        [7] = { false, tlv_caps },
        [8] = { false, tlv_mgmt },
        [127] = { false, tlv_org },
};

/* Stable TLVs: extend the current span when the TLV at `tlv` follows it,
 * else start a new one; false when there would be too many. */
static bool stable_add(struct lldp_neighbor *n, const uint8_t *tlv, size_t len) {
        struct lldp_span *s = n->n_stable > 0 ? &n->stable[n->n_stable - 1] : NULL;
        if (s && s->p + s->len == tlv)
                s->len += len;
        else if (n->n_stable < sizeof n->stable / sizeof n->stable[0])
                n->stable[n->n_stable++] = (struct lldp_span) { tlv, len };
        else
                return false;
        n->stable_len += len;
        return true;
}

/* The volatile decoder past the three mandatory TLVs: what the loop of
 * lldp_pdu_parse() does in that mode, with a test or two per TLV.  Stable
 * TLVs are walked and their lengths checked, each run of them noted as a
 * span once; Port Description is decoded; a repeated mandatory TLV refuses
 * the frame; an End TLV (its bytes stable) ends it. */
static int walk_volatile(struct cursor *c, struct lldp_neighbor *n, bool *spans) {
        const uint8_t *p = c->p, *run = c->p;
        size_t left = c->left;

        while (left > 0) {
                if (left < 2)
                        goto truncated;
                unsigned h = (unsigned) p[0] << 8 | p[1], type = h >> 9;
                size_t l = h & 0x1ff;
                if (left - 2 < l)
                        goto truncated;
                if (type - 1u < 4u) {
                        if (type != 4)
                                return fail(n, LLDP_REASON_DUPLICATE);
                        if (*spans && p > run)
                                *spans = stable_add(n, run, (size_t) (p - run));
                        (void) tlv_port_descr(n, cursor_make(p + 2, l));
                        p += 2 + l, left -= 2 + l;
                        run = p;
                        continue;
                }
                p += 2 + l, left -= 2 + l;
                if (type == 0)
                        break;          /* End of LLDPDU; padding may follow */
        }
        goto done;
truncated:
        /* past the mandatory TLVs a cut capture ends decoding */
        if (!n->cut)
                return fail(n, LLDP_REASON_TLV_TRUNCATED);
        n->snapped = true;
done:
        if (*spans && p > run)
                *spans = stable_add(n, run, (size_t) (p - run));
        c->p = p, c->left = left;
        return 0;
}

int lldp_pdu_parse(const uint8_t *pdu, size_t len, struct lldp_neighbor *n) {
        struct cursor c = cursor_make(pdu, len);
        static const enum lldp_reason missing[] = {
                LLDP_REASON_MISSING_CHASSIS, LLDP_REASON_MISSING_PORT, LLDP_REASON_MISSING_TTL,
        };
        bool spans = !n->cut;

        n->proto = LLDP_PROTO_LLDP;
        n->n_stable = 0;
        n->stable_len = 0;
        if (n->volatile_only) {
                /* the volatile decoder: the three mandatory TLVs in their
                 * order, as the loop below takes them, then the rest */
                static int (*const decode[])(struct lldp_neighbor *n, struct cursor v) = {
                        tlv_chassis, tlv_port, tlv_ttl,
                };
                for (unsigned idx = 0; idx < 3; idx++) {
                        const uint8_t *tlv = c.p;
                        uint16_t h;
                        struct cursor v;
                        if (c.left == 0)
                                return fail(n, missing[idx]);
                        if (cursor_u16(&c, &h) < 0 || cursor_sub(&c, h & 0x1ff, &v) < 0)
                                return fail(n, LLDP_REASON_TLV_TRUNCATED);
                        if ((unsigned) (h >> 9) != idx + 1)
                                return fail(n, missing[idx]);
                        if (idx == 0 && spans)
                                spans = stable_add(n, tlv, (size_t) (c.p - tlv));
                        int r = decode[idx](n, v);
                        if (r < 0)
                                return r;
                }
                int r = walk_volatile(&c, n, &spans);
                if (r < 0)
                        return r;
                if (!spans) {
                        n->n_stable = 0;
                        n->stable_len = 0;
                }
                return 0;
        }
        for (unsigned idx = 0;; idx++) {
                uint16_t h;
                struct cursor v;
                const uint8_t *tlv = c.p;

                if (c.left == 0)
                        break;          /* no End TLV: tolerated, the frame ended */
                if (cursor_u16(&c, &h) < 0 || cursor_sub(&c, h & 0x1ff, &v) < 0) {
                        if (n->cut && idx >= 3) {
                                n->snapped = true;
                                break;
                        }
                        return fail(n, LLDP_REASON_TLV_TRUNCATED);
                }
                unsigned type = h >> 9;
                if (idx < 3 && type != idx + 1)
                        return fail(n, missing[idx]);
                bool stable = type != 2 && type != 3 && type != 4;
                if (spans && stable)
                        spans = stable_add(n, tlv, (size_t) (c.p - tlv));
                if (type == 0)
                        break;          /* End of LLDPDU; padding may follow */
                const struct lldp_tlv *t = &lldp_tlvs[type];
                if (t->mandatory && idx >= 3)
                        return fail(n, LLDP_REASON_DUPLICATE);
                if (!t->decode) {
                        n->n_unknown++;
                        continue;
                }
                int r = t->decode(n, v);
                if (r == -EBADMSG)
                        return r;
                if (r < 0)
                        n->n_ignored++;
        }
        if (n->ttl < 0)
                /* fewer than three TLVs before the end */
                return fail(n, !n->chassis_subtype ? LLDP_REASON_MISSING_CHASSIS
                                : !n->port_subtype ? LLDP_REASON_MISSING_PORT
                                                   : LLDP_REASON_MISSING_TTL);
        if (!spans) {
                n->n_stable = 0;
                n->stable_len = 0;
        }
        return 0;
}

static bool is_cdp_dst(const uint8_t *d) {
        static const uint8_t cdp_mac[6] = { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc };
        return memcmp(d, cdp_mac, 6) == 0;
}

static int frame_parse(const uint8_t *frame, size_t len, size_t wire_len, struct lldp_neighbor *n,
                       bool volatile_only) {
        struct cursor c = cursor_make(frame, len);
        const uint8_t *dst;
        struct cursor src;
        uint16_t type;

        /* the volatile decoder leaves the stable texts as they were (its
         * caller does not read them); CDP is decoded in full, below */
        if (volatile_only)
                reset_volatile(n);
        else
                lldp_neighbor_reset(n);
        n->cut = wire_len > len;
        dst = c.p;
        if (cursor_skip(&c, 6) < 0 || cursor_sub(&c, 6, &src) < 0 || cursor_u16(&c, &type) < 0)
                return fail(n, LLDP_REASON_SHORT);
        memcpy(n->src_mac, src.p, 6);

        for (unsigned tags = 0; type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ1; tags++) {
                uint16_t tci;
                if (tags == 2)
                        return fail(n, LLDP_REASON_TOO_MANY_TAGS);
                if (cursor_u16(&c, &tci) < 0 || cursor_u16(&c, &type) < 0)
                        return fail(n, LLDP_REASON_SHORT);
                /* keep the innermost: the VLAN the neighbour itself speaks in */
                if ((tci & 0xfff) != 0 && (tci & 0xfff) != 0xfff)
                        n->vlan = tci & 0xfff;
        }

        if (type == ETH_P_LLDP) {
                n->volatile_only = volatile_only;       /* CDP is always decoded in full */
                return lldp_pdu_parse(c.p, c.left, n);
        }

        /* 802.3 length field, LLC + SNAP: AA AA 03, OUI 00000c, PID 0x2000 */
        if (type > 1500 || !is_cdp_dst(dst))
                return -EPROTONOSUPPORT;
        if (type <= c.left)
                c.left = type;          /* drop Ethernet padding */
        else if (!n->cut)
                return fail(n, LLDP_REASON_SHORT);
        struct cursor snap;
        if (cursor_sub(&c, 8, &snap) < 0)
                return fail(n, LLDP_REASON_SHORT);
        static const uint8_t cdp_snap[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00 };
        if (memcmp(snap.p, cdp_snap, 8) != 0)
                return -EPROTONOSUPPORT;        /* VTP, DTP, PAgP, UDLD … */
        if (volatile_only)
                reset_stable(n);
        return cdp_pdu_parse(c.p, c.left, n);
}

int lldp_frame_parse(const uint8_t *frame, size_t len, size_t wire_len, struct lldp_neighbor *n) {
        return frame_parse(frame, len, wire_len, n, false);
}

int lldp_frame_parse_volatile(const uint8_t *frame, size_t len, size_t wire_len, struct lldp_neighbor *n) {
        return frame_parse(frame, len, wire_len, n, true);
}

void lldp_neighbor_to_observation(const struct lldp_neighbor *n, const char *interface,
                                  struct lldp_obs_buf *buf, struct vw_observation *o) {
#define STR(s) ((s)[0] ? (s) : NULL)
        o->source = n->proto == LLDP_PROTO_CDP ? "cdp" : "lldp";
        o->chassis_id = STR(n->chassis_id);
        o->chassis_subtype = n->chassis_subtype;
        o->port_id = STR(n->port_id);
        o->port_subtype = o->port_id ? n->port_subtype : NULL;
        o->port_descr = STR(n->port_descr);
        if (!n->volatile_only) {        /* else the caller's, from what it keeps */
                o->sys_name = STR(n->sys_name);
                o->sys_descr = STR(n->sys_descr);
                o->platform = STR(n->platform);
                o->sw_version = STR(n->sw_version);
                o->med_mfg = STR(n->med_mfg);
                o->med_model = STR(n->med_model);
                o->med_serial = STR(n->med_serial);
        }
        o->caps_system = n->caps_system;
        o->caps_enabled = n->caps_enabled;
        o->vlan = n->vlan >= 0 ? n->vlan : n->pvid;
        o->ttl = n->ttl;

        text_mac(n->src_mac, buf->src_mac);
        buf->macs[0] = buf->src_mac;
        o->macs = buf->macs;
        o->n_macs = 1;
        for (unsigned i = 0; i < n->n_addresses; i++)
                buf->addresses[i] = n->addresses[i];
        o->addresses = n->n_addresses > 0 ? buf->addresses : NULL;
        o->n_addresses = n->n_addresses;
        o->via.interface = interface;
#undef STR
}
