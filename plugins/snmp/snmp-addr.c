/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snmp-addr.h"

static size_t addr_size(int family) {
        return family == AF_INET ? 4 : 16;
}

int snmp_addr_parse(const char *s, SnmpAddr *ret) {
        SnmpAddr a = {};
        if (!s)
                return -EINVAL;
        if (inet_pton(AF_INET, s, a.bytes) == 1)
                a.family = AF_INET;
        else if (inet_pton(AF_INET6, s, a.bytes) == 1)
                a.family = AF_INET6;
        else
                return -EINVAL;
        *ret = a;
        return 0;
}

static int parse_port(const char *s, uint16_t *ret) {
        char *end;
        if (!*s || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

int snmp_target_parse(const char *s, SnmpAddr *ret, uint16_t *ret_port) {
        char buf[INET6_ADDRSTRLEN + 8];
        uint16_t port = 0;
        SnmpAddr a;

        if (!s || strlen(s) >= sizeof buf)
                return -EINVAL;
        if (snmp_addr_parse(s, &a) >= 0) {
                *ret = a, *ret_port = 0;
                return 0;
        }
        strcpy(buf, s);
        char *host = buf, *colon;
        if (buf[0] == '[') {
                char *close = strchr(buf, ']');
                if (!close || close[1] != ':')
                        return -EINVAL;
                *close = 0;
                host = buf + 1;
                colon = close + 1;
        } else {
                colon = strrchr(buf, ':');
                if (!colon || strchr(buf, ':') != colon)
                        return -EINVAL;         /* bare IPv6 with a port needs brackets */
                *colon = 0;
        }
        if (parse_port(colon + 1, &port) < 0 || snmp_addr_parse(host, &a) < 0)
                return -EINVAL;
        *ret = a, *ret_port = port;
        return 0;
}

int snmp_prefix_parse(const char *s, SnmpPrefix *ret) {
        char buf[INET6_ADDRSTRLEN + 8];
        SnmpPrefix p = {};

        if (!s || strlen(s) >= sizeof buf)
                return -EINVAL;
        strcpy(buf, s);
        char *slash = strchr(buf, '/');
        if (slash)
                *slash = 0;
        if (snmp_addr_parse(buf, &p.addr) < 0)
                return -EINVAL;
        unsigned max = p.addr.family == AF_INET ? 32 : 128;
        p.len = max;
        if (slash) {
                char *end;
                if (!slash[1] || slash[1] == '-' || slash[1] == '+')
                        return -EINVAL;
                errno = 0;
                unsigned long l = strtoul(slash + 1, &end, 10);
                if (errno || *end || l > max)
                        return -EINVAL;
                p.len = (unsigned) l;
        }
        for (unsigned bit = p.len; bit < max; bit++)
                p.addr.bytes[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
        *ret = p;
        return 0;
}

bool snmp_prefix_contains(const SnmpPrefix *p, const SnmpAddr *a) {
        if (p->addr.family != a->family)
                return false;
        unsigned full = p->len / 8, rest = p->len % 8;
        if (memcmp(p->addr.bytes, a->bytes, full) != 0)
                return false;
        if (rest == 0)
                return true;
        uint8_t mask = (uint8_t) (0xff << (8 - rest));
        return (p->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

uint64_t snmp_prefix_hosts(const SnmpPrefix *p) {
        unsigned max = p->addr.family == AF_INET ? 32 : 128;
        unsigned host_bits = max - p->len;
        if (host_bits >= 64)
                return UINT64_MAX;
        uint64_t n = (uint64_t) 1 << host_bits;
        if (p->addr.family == AF_INET && host_bits >= 2)
                n -= 2;                 /* network and broadcast */
        return n;
}

int snmp_prefix_host(const SnmpPrefix *p, uint64_t i, SnmpAddr *ret) {
        if (i >= snmp_prefix_hosts(p))
                return -ERANGE;
        unsigned max = p->addr.family == AF_INET ? 32 : 128;
        if (p->addr.family == AF_INET && max - p->len >= 2)
                i++;
        SnmpAddr a = p->addr;
        size_t n = addr_size(a.family);
        /* add i to the address, big-endian */
        for (size_t k = n; k-- > 0 && i;) {
                uint64_t sum = a.bytes[k] + (i & 0xff);
                a.bytes[k] = (uint8_t) sum;
                i = (i >> 8) + (sum >> 8);
        }
        *ret = a;
        return 0;
}

char *snmp_addr_format(const SnmpAddr *a, char buf[static INET6_ADDRSTRLEN]) {
        if (!inet_ntop(a->family, a->bytes, buf, INET6_ADDRSTRLEN))
                strcpy(buf, "?");
        return buf;
}

bool snmp_addr_equal(const SnmpAddr *a, const SnmpAddr *b) {
        return a->family == b->family && memcmp(a->bytes, b->bytes, addr_size(a->family)) == 0;
}
