/* SPDX-License-Identifier: MIT */
/* End-host decoders: ARP (RFC 826, 5227), IPv6 neighbour discovery (RFC 4861
 * NS/NA), DHCP (RFC 2131/2132) and DHCPv6 (RFC 8415), behind the same
 * Ethernet/VLAN front end as LLDP. */
#include <string.h>

#include "hosts-parse.h"
#include "parse-util.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ1 0x9100

#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136

#define DHCP_MAGIC 0x63825363u
#define DHCP_REQUEST 3
#define DHCP_ACK 5

/* DHCPv6 message types (RFC 8415 7.3) */
enum {
        DHCP6_SOLICIT = 1, DHCP6_ADVERTISE, DHCP6_REQUEST, DHCP6_CONFIRM, DHCP6_RENEW, DHCP6_REBIND,
        DHCP6_REPLY, DHCP6_RELEASE, DHCP6_DECLINE, DHCP6_RECONFIGURE, DHCP6_INFORMATION_REQUEST,
};

static const char *const reason_names[_HOSTS_REASON_MAX] = {
        [HOSTS_REASON_OK] = "ok",
        [HOSTS_REASON_SHORT] = "short",
        [HOSTS_REASON_TOO_MANY_TAGS] = "too-many-tags",
        [HOSTS_REASON_BAD_ARP] = "bad-arp",
        [HOSTS_REASON_BAD_IP] = "bad-ip",
        [HOSTS_REASON_BAD_UDP] = "bad-udp",
        [HOSTS_REASON_BAD_ND] = "bad-nd",
        [HOSTS_REASON_BAD_DHCP] = "bad-dhcp",
        [HOSTS_REASON_OPTION_TRUNCATED] = "option-truncated",
        [HOSTS_REASON_OPTION_LENGTH] = "option-length",
};

static const struct {
        const char *name, *source;
} protos[_HOSTS_PROTO_MAX] = {
        [HOSTS_PROTO_NONE] = { "none", "none" },
        [HOSTS_PROTO_ARP] = { "arp", "arp" },
        [HOSTS_PROTO_ND] = { "nd", "nd" },
        [HOSTS_PROTO_DHCP] = { "dhcp", "dhcp" },
        [HOSTS_PROTO_DHCP6] = { "dhcp6", "dhcp" },
};

const char *hosts_reason_name(enum hosts_reason r) {
        return (unsigned) r < _HOSTS_REASON_MAX ? reason_names[r] : "unknown";
}

const char *hosts_proto_name(enum hosts_proto p) {
        return (unsigned) p < _HOSTS_PROTO_MAX ? protos[p].name : "unknown";
}

const char *hosts_proto_source(enum hosts_proto p) {
        return (unsigned) p < _HOSTS_PROTO_MAX ? protos[p].source : "unknown";
}

void hosts_sighting_reset(struct hosts_sighting *s) {
        s->proto = HOSTS_PROTO_NONE;
        s->reason = HOSTS_REASON_OK;
        s->vlan = -1;
        s->msg_type = 0;
        s->gratuitous = false;
        s->n_addresses = 0;
        s->hostname[0] = s->vendor_class[0] = 0;
}

static int fail(struct hosts_sighting *s, enum hosts_reason r) {
        s->reason = r;
        return -EBADMSG;
}

/* A MAC that can be a host's own: not zero, not multicast/broadcast. */
static bool mac_usable(const uint8_t m[6]) {
        return (m[0] & 1) == 0 && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}

/* Addresses that name one host on the network: not unspecified, loopback,
 * link-local (the same fe80::1 sits on every link), multicast or broadcast. */
static bool address_usable(int family, const uint8_t *a) {
        if (family == 4) {
                uint32_t v = (uint32_t) a[0] << 24 | (uint32_t) a[1] << 16 | (uint32_t) a[2] << 8 | a[3];
                return v != 0 && a[0] != 127 && !(a[0] == 169 && a[1] == 254) && a[0] < 224;
        }
        static const uint8_t zero[16];
        if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
                return false;
        if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
                return false;
        return true;
}

static void add_address(struct hosts_sighting *s, int family, const uint8_t *a) {
        size_t n = family == 4 ? 4 : 16;
        if (s->n_addresses >= HOSTS_MAX_ADDRESSES || !address_usable(family, a))
                return;
        for (unsigned i = 0; i < s->n_addresses; i++)
                if (s->addresses[i].family == family && memcmp(s->addresses[i].bytes, a, n) == 0)
                        return;
        struct hosts_address *x = &s->addresses[s->n_addresses++];
        memset(x, 0, sizeof *x);
        x->family = (uint8_t) family;
        memcpy(x->bytes, a, n);
}

static int take_mac(struct hosts_sighting *s, const uint8_t *m) {
        if (!mac_usable(m))
                return -ENODATA;
        memcpy(s->mac, m, 6);
        return 0;
}

/* ---- ARP ---- */

static int arp_parse(struct cursor c, struct hosts_sighting *s) {
        uint16_t htype, ptype, op;
        uint8_t hlen, plen;
        struct cursor sha, spa, tha, tpa;

        if (cursor_u16(&c, &htype) < 0 || cursor_u16(&c, &ptype) < 0 || cursor_u8(&c, &hlen) < 0 ||
            cursor_u8(&c, &plen) < 0 || cursor_u16(&c, &op) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        /* hardware type 1 (Ethernet) or 6 (IEEE 802), both 6-byte MACs */
        if ((htype != 1 && htype != 6) || ptype != ETH_P_IPV4 || hlen != 6 || plen != 4)
                return fail(s, HOSTS_REASON_BAD_ARP);
        if (cursor_sub(&c, 6, &sha) < 0 || cursor_sub(&c, 4, &spa) < 0 || cursor_sub(&c, 6, &tha) < 0 ||
            cursor_sub(&c, 4, &tpa) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        s->proto = HOSTS_PROTO_ARP;
        s->msg_type = (uint8_t) op;
        if (op != 1 && op != 2)
                return -ENODATA;        /* InARP and friends */
        int r = take_mac(s, sha.p);
        if (r < 0)
                return r;
        static const uint8_t zero[4];
        bool probe = memcmp(spa.p, zero, 4) == 0;
        s->gratuitous = probe || memcmp(spa.p, tpa.p, 4) == 0;
        /* a probe's target is only a candidate address: not yet the host's */
        if (!probe)
                add_address(s, 4, spa.p);
        return 0;
}

/* ---- IPv6: neighbour discovery and DHCPv6 ---- */

static int nd_parse(struct cursor c, const uint8_t src[16], uint8_t hop_limit, struct hosts_sighting *s) {
        uint8_t type, code;
        uint32_t flags;
        struct cursor target;

        if (cursor_u8(&c, &type) < 0 || cursor_u8(&c, &code) < 0 || cursor_skip(&c, 2) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        if (type != ND_NEIGHBOR_SOLICIT && type != ND_NEIGHBOR_ADVERT)
                return -EPROTONOSUPPORT;
        s->proto = HOSTS_PROTO_ND;
        s->msg_type = type;
        /* RFC 4861 7.1: anything else did not come from the link itself */
        if (code != 0 || hop_limit != 255)
                return fail(s, HOSTS_REASON_BAD_ND);
        if (cursor_u32(&c, &flags) < 0 || cursor_sub(&c, 16, &target) < 0)
                return fail(s, HOSTS_REASON_SHORT);

        const uint8_t *lladdr = NULL;
        uint8_t want = type == ND_NEIGHBOR_SOLICIT ? 1 : 2;     /* source / target link-layer address */
        while (c.left > 0) {
                uint8_t ot, ol;
                struct cursor v;
                if (cursor_u8(&c, &ot) < 0 || cursor_u8(&c, &ol) < 0)
                        return fail(s, HOSTS_REASON_OPTION_TRUNCATED);
                if (ol == 0)
                        return fail(s, HOSTS_REASON_OPTION_LENGTH);
                if (cursor_sub(&c, (size_t) ol * 8 - 2, &v) < 0)
                        return fail(s, HOSTS_REASON_OPTION_TRUNCATED);
                if (ot == want && !lladdr)
                        lladdr = v.p;   /* >= 6 bytes: the smallest option is 8 */
        }

        static const uint8_t unspecified[16];
        bool dad = memcmp(src, unspecified, 16) == 0;
        if (type == ND_NEIGHBOR_SOLICIT) {
                /* duplicate address detection: the target is only a candidate */
                if (!dad)
                        add_address(s, 6, src);
        } else {
                add_address(s, 6, target.p);
                add_address(s, 6, src);
        }
        return take_mac(s, lladdr ? lladdr : s->src_mac);
}

/* A DUID (RFC 8415 11): the link-layer address of DUID-LLT and DUID-LL on
 * Ethernet, else NULL. */
static int duid_lladdr(struct cursor d, const uint8_t **ret) {
        uint16_t type, hw;
        if (d.left < 2 || d.left > 130)
                return -EBADMSG;
        *ret = NULL;
        if (cursor_u16(&d, &type) < 0)
                return -EBADMSG;
        if (type == 1) {                /* DUID-LLT: hardware type, time, address */
                if (cursor_u16(&d, &hw) < 0 || cursor_skip(&d, 4) < 0)
                        return -EBADMSG;
        } else if (type == 3) {         /* DUID-LL: hardware type, address */
                if (cursor_u16(&d, &hw) < 0)
                        return -EBADMSG;
        } else
                return 0;
        if (hw == 1 && d.left == 6)
                *ret = d.p;
        return 0;
}

/* A DNS name in wire format (RFC 1035 3.1, no compression) as dotted text. */
static int dns_name(struct cursor c, char *buf, size_t size) {
        uint8_t name[256];
        size_t n = 0;
        uint8_t l;
        while (c.left > 0) {
                if (cursor_u8(&c, &l) < 0)
                        return -EBADMSG;
                if (l == 0)
                        break;
                if (l > 63 || n + l + 1 > sizeof name || c.left < l)
                        return -EBADMSG;
                if (n > 0)
                        name[n++] = '.';
                memcpy(name + n, c.p, l);
                n += l;
                (void) cursor_skip(&c, l);
        }
        text_string(name, n, buf, size);
        return 0;
}

static int dhcp6_ia_na(struct cursor v, bool take, struct hosts_sighting *s) {
        if (cursor_skip(&v, 12) < 0)    /* IAID, T1, T2 */
                return fail(s, HOSTS_REASON_OPTION_LENGTH);
        while (v.left > 0) {
                uint16_t code, len;
                struct cursor o;
                if (cursor_u16(&v, &code) < 0 || cursor_u16(&v, &len) < 0 || cursor_sub(&v, len, &o) < 0)
                        return fail(s, HOSTS_REASON_OPTION_TRUNCATED);
                if (code != 5)          /* IAADDR */
                        continue;
                uint32_t preferred, valid;
                struct cursor a;
                if (cursor_sub(&o, 16, &a) < 0 || cursor_u32(&o, &preferred) < 0 || cursor_u32(&o, &valid) < 0)
                        return fail(s, HOSTS_REASON_OPTION_LENGTH);
                if (take && valid > 0)
                        add_address(s, 6, a.p);
        }
        return 0;
}

static int dhcp6_parse(struct cursor c, struct hosts_sighting *s) {
        uint8_t type;
        if (cursor_u8(&c, &type) < 0 || cursor_skip(&c, 3) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        s->proto = HOSTS_PROTO_DHCP6;
        s->msg_type = type;
        bool client = type == DHCP6_SOLICIT || type == DHCP6_REQUEST || type == DHCP6_CONFIRM ||
                      type == DHCP6_RENEW || type == DHCP6_REBIND || type == DHCP6_RELEASE ||
                      type == DHCP6_DECLINE || type == DHCP6_INFORMATION_REQUEST;
        if (!client && type != DHCP6_REPLY)
                return -ENODATA;        /* advertise, reconfigure, relay messages */
        /* a client's addresses: those it holds or a server gave it, not the
         * hints of a solicit or the conflicts of a decline */
        bool take_addresses = type != DHCP6_SOLICIT && type != DHCP6_DECLINE;

        const uint8_t *lladdr = NULL;
        while (c.left > 0) {
                uint16_t code, len;
                struct cursor v;
                if (cursor_u16(&c, &code) < 0 || cursor_u16(&c, &len) < 0)
                        return fail(s, HOSTS_REASON_OPTION_TRUNCATED);
                if (cursor_sub(&c, len, &v) < 0)
                        return fail(s, HOSTS_REASON_OPTION_TRUNCATED);
                switch (code) {
                case 1:                 /* CLIENTID */
                        if (duid_lladdr(v, &lladdr) < 0)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        break;
                case 3: {               /* IA_NA */
                        int r = dhcp6_ia_na(v, take_addresses, s);
                        if (r < 0)
                                return r;
                        break;
                }
                case 16: {              /* VENDOR_CLASS: enterprise, then length-prefixed data */
                        uint16_t l;
                        struct cursor d;
                        if (cursor_skip(&v, 4) < 0 || cursor_u16(&v, &l) < 0 || cursor_sub(&v, l, &d) < 0)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        if (client && !s->vendor_class[0])
                                text_string(d.p, d.left, s->vendor_class, sizeof s->vendor_class);
                        break;
                }
                case 39:                /* CLIENT_FQDN: flags, then the name */
                        if (v.left < 1 || v.left > 256)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        if (client && !s->hostname[0] && dns_name(cursor_make(v.p + 1, v.left - 1), s->hostname,
                                                                  sizeof s->hostname) < 0)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        break;
                }
        }
        if (lladdr)
                return take_mac(s, lladdr);
        /* without a link-layer DUID only a client's own frame shows its MAC */
        return client ? take_mac(s, s->src_mac) : -ENODATA;
}

static int udp_parse(struct cursor c, bool v6, struct hosts_sighting *s, bool *ret_ours, struct cursor *ret_payload,
                     uint16_t *ret_sport, uint16_t *ret_dport) {
        uint16_t sport, dport, len;
        if (cursor_u16(&c, &sport) < 0 || cursor_u16(&c, &dport) < 0 || cursor_u16(&c, &len) < 0 ||
            cursor_skip(&c, 2) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        bool dhcp4 = (sport == 67 || sport == 68) && (dport == 67 || dport == 68);
        bool dhcp6 = (sport == 546 || sport == 547) && (dport == 546 || dport == 547);
        *ret_ours = v6 ? dhcp6 : dhcp4;
        if (!*ret_ours)
                return 0;
        if (len < 8)
                return fail(s, HOSTS_REASON_BAD_UDP);
        if ((size_t) len - 8 > c.left)
                return fail(s, HOSTS_REASON_SHORT);
        *ret_payload = cursor_make(c.p, (size_t) len - 8);
        *ret_sport = sport, *ret_dport = dport;
        return 0;
}

static int ipv6_parse(struct cursor c, struct hosts_sighting *s) {
        uint32_t vtf;
        uint16_t plen;
        uint8_t nh, hop;
        struct cursor src;

        if (cursor_u32(&c, &vtf) < 0 || cursor_u16(&c, &plen) < 0 || cursor_u8(&c, &nh) < 0 ||
            cursor_u8(&c, &hop) < 0 || cursor_sub(&c, 16, &src) < 0 || cursor_skip(&c, 16) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        if (vtf >> 28 != 6)
                return fail(s, HOSTS_REASON_BAD_IP);
        if (plen > c.left)
                return fail(s, HOSTS_REASON_SHORT);
        c.left = plen;                  /* drop Ethernet padding */

        /* hop-by-hop, routing and destination options may come first */
        for (unsigned k = 0; nh == 0 || nh == 43 || nh == 60; k++) {
                uint8_t next, hl;
                if (k == 4)
                        return -EPROTONOSUPPORT;
                if (cursor_u8(&c, &next) < 0 || cursor_u8(&c, &hl) < 0 || cursor_skip(&c, (size_t) hl * 8 + 6) < 0)
                        return fail(s, HOSTS_REASON_SHORT);
                nh = next;
        }
        if (nh == IPPROTO_ICMPV6_)
                return nd_parse(c, src.p, hop, s);
        if (nh != IPPROTO_UDP_)
                return -EPROTONOSUPPORT;        /* fragments and everything else */
        bool ours;
        struct cursor payload;
        uint16_t sport, dport;
        int r = udp_parse(c, true, s, &ours, &payload, &sport, &dport);
        if (r < 0)
                return r;
        if (!ours)
                return -EPROTONOSUPPORT;
        return dhcp6_parse(payload, s);
}

/* ---- DHCP ---- */

static int dhcp_parse(struct cursor c, struct hosts_sighting *s) {
        uint8_t op, htype, hlen;
        struct cursor ciaddr, yiaddr, chaddr;
        uint32_t magic;

        s->proto = HOSTS_PROTO_DHCP;
        if (cursor_u8(&c, &op) < 0 || cursor_u8(&c, &htype) < 0 || cursor_u8(&c, &hlen) < 0 ||
            cursor_skip(&c, 1 + 4 + 2 + 2) < 0 || cursor_sub(&c, 4, &ciaddr) < 0 || cursor_sub(&c, 4, &yiaddr) < 0 ||
            cursor_skip(&c, 8) < 0 || cursor_sub(&c, 16, &chaddr) < 0 || cursor_skip(&c, 64 + 128) < 0 ||
            cursor_u32(&c, &magic) < 0)
                return fail(s, HOSTS_REASON_BAD_DHCP);
        if (magic != DHCP_MAGIC || (op != 1 && op != 2))
                return fail(s, HOSTS_REASON_BAD_DHCP);

        struct cursor requested = {};
        uint8_t type = 0;
        bool have_type = false;
        while (c.left > 0) {
                uint8_t code, len;
                struct cursor v;
                if (cursor_u8(&c, &code) < 0)
                        break;
                if (code == 0)          /* pad */
                        continue;
                if (code == 255)        /* end */
                        break;
                if (cursor_u8(&c, &len) < 0 || cursor_sub(&c, len, &v) < 0)
                        return fail(s, HOSTS_REASON_OPTION_TRUNCATED);
                switch (code) {
                case 53:                /* message type */
                        if (len != 1)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        if (!have_type)
                                type = v.p[0], have_type = true;
                        break;
                case 50:                /* requested address */
                        if (len != 4)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        requested = v;
                        break;
                case 12:                /* hostname */
                        if (len < 1)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        if (op == 1 && !s->hostname[0])
                                text_string(v.p, v.left, s->hostname, sizeof s->hostname);
                        break;
                case 60:                /* vendor class identifier */
                        if (len < 1)
                                return fail(s, HOSTS_REASON_OPTION_LENGTH);
                        if (op == 1 && !s->vendor_class[0])
                                text_string(v.p, v.left, s->vendor_class, sizeof s->vendor_class);
                        break;
                }
        }
        s->msg_type = type;
        if (htype != 1 || hlen != 6)
                return -ENODATA;        /* not an Ethernet client */
        if (op == 2 && type != DHCP_ACK)
                return -ENODATA;        /* offers and naks give nothing yet */
        int r = take_mac(s, chaddr.p);
        if (r < 0)
                return r;
        if (op == 1) {
                add_address(s, 4, ciaddr.p);
                if (type == DHCP_REQUEST && requested.p)
                        add_address(s, 4, requested.p);
        } else
                add_address(s, 4, yiaddr.p);
        return 0;
}

static int ipv4_parse(struct cursor c, struct hosts_sighting *s) {
        uint8_t vihl, proto;
        uint16_t total, frag;

        if (cursor_u8(&c, &vihl) < 0 || cursor_skip(&c, 1) < 0 || cursor_u16(&c, &total) < 0 ||
            cursor_skip(&c, 2) < 0 || cursor_u16(&c, &frag) < 0 || cursor_skip(&c, 1) < 0 ||
            cursor_u8(&c, &proto) < 0 || cursor_skip(&c, 2 + 8) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        size_t ihl = (size_t) (vihl & 0x0f) * 4;
        if (vihl >> 4 != 4 || ihl < 20 || total < ihl)
                return fail(s, HOSTS_REASON_BAD_IP);
        if ((size_t) total - 20 > c.left)
                return fail(s, HOSTS_REASON_SHORT);
        c.left = (size_t) total - 20;           /* drop Ethernet padding */
        if (cursor_skip(&c, ihl - 20) < 0)
                return fail(s, HOSTS_REASON_BAD_IP);
        if (proto != IPPROTO_UDP_ || (frag & 0x3fff) != 0)
                return -EPROTONOSUPPORT;        /* not UDP, or a fragment */
        bool ours;
        struct cursor payload;
        uint16_t sport, dport;
        int r = udp_parse(c, false, s, &ours, &payload, &sport, &dport);
        if (r < 0)
                return r;
        if (!ours)
                return -EPROTONOSUPPORT;
        return dhcp_parse(payload, s);
}

/* ---- Ethernet front end ---- */

int hosts_frame_parse(const uint8_t *frame, size_t len, struct hosts_sighting *s) {
        struct cursor c = cursor_make(frame, len), src;
        uint16_t type;

        hosts_sighting_reset(s);
        if (cursor_skip(&c, 6) < 0 || cursor_sub(&c, 6, &src) < 0 || cursor_u16(&c, &type) < 0)
                return fail(s, HOSTS_REASON_SHORT);
        memcpy(s->src_mac, src.p, 6);
        for (unsigned tags = 0; type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ1; tags++) {
                uint16_t tci;
                if (tags == 2)
                        return fail(s, HOSTS_REASON_TOO_MANY_TAGS);
                if (cursor_u16(&c, &tci) < 0 || cursor_u16(&c, &type) < 0)
                        return fail(s, HOSTS_REASON_SHORT);
                s->vlan = tci & 0x0fff;
        }
        if (s->vlan == 0)
                s->vlan = -1;           /* priority tag only */
        switch (type) {
        case ETH_P_ARP:
                return arp_parse(c, s);
        case ETH_P_IPV4:
                return ipv4_parse(c, s);
        case ETH_P_IPV6:
                return ipv6_parse(c, s);
        default:
                return -EPROTONOSUPPORT;
        }
}

/* ---- observation ---- */

static void format_address(const struct hosts_address *a, char buf[static 46]) {
        if (a->family == 4)
                text_ipv4(a->bytes, buf);
        else
                text_ipv6(a->bytes, buf);
}

void hosts_sighting_to_observation(const struct hosts_sighting *s, const char *interface,
                                   struct hosts_obs_buf *buf, struct vw_observation *o) {
        text_mac(s->mac, buf->mac);
        buf->macs[0] = buf->mac;
        size_t n = 0;
        for (unsigned i = 0; i < s->n_addresses && i < HOSTS_MAX_ADDRESSES; i++) {
                format_address(&s->addresses[i], buf->address_text[n]);
                if (buf->address_text[n][0])
                        buf->addresses[n] = buf->address_text[n], n++;
        }
        o->source = hosts_proto_source(s->proto);
        o->kind = "host";
        o->macs = buf->macs;
        o->n_macs = 1;
        o->addresses = n > 0 ? buf->addresses : NULL;
        o->n_addresses = n;
        o->hostname = s->hostname[0] ? s->hostname : NULL;
        o->dhcp_vendor_class = s->vendor_class[0] ? s->vendor_class : NULL;
        o->vlan = s->vlan;
        o->via.interface = interface;
}

static uint64_t digest_bytes(uint64_t h, const void *p, size_t n) {
        const uint8_t *b = p;
        for (size_t i = 0; i < n; i++)
                h = (h ^ b[i]) * 0x100000001b3ull;     /* FNV-1a */
        return h;
}

uint64_t hosts_sighting_digest(const struct hosts_sighting *s) {
        uint64_t h = 0xcbf29ce484222325ull;
        const char *src = hosts_proto_source(s->proto);
        h = digest_bytes(h, src, strlen(src) + 1);
        h = digest_bytes(h, s->mac, 6);
        h = digest_bytes(h, &s->vlan, sizeof s->vlan);
        for (unsigned i = 0; i < s->n_addresses && i < HOSTS_MAX_ADDRESSES; i++)
                h = digest_bytes(h, &s->addresses[i], sizeof s->addresses[i]);
        h = digest_bytes(h, s->hostname, strlen(s->hostname) + 1);
        h = digest_bytes(h, s->vendor_class, strlen(s->vendor_class) + 1);
        return h;
}
