/* SPDX-License-Identifier: MIT */
#pragma once

/* Addresses and prefixes for targets, sweeps and the crawl fence.  Pure. */

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct SnmpAddr {
        int family;                     /* AF_INET or AF_INET6 */
        uint8_t bytes[16];
} SnmpAddr;

typedef struct SnmpPrefix {
        SnmpAddr addr;                  /* host bits cleared */
        unsigned len;
} SnmpPrefix;

int snmp_addr_parse(const char *s, SnmpAddr *ret);
/* "ADDR", "ADDR:PORT", "[V6]:PORT"; *ret_port = 0 without a port. */
int snmp_target_parse(const char *s, SnmpAddr *ret, uint16_t *ret_port);
/* "ADDR/LEN" or a bare address (a host prefix). */
int snmp_prefix_parse(const char *s, SnmpPrefix *ret);
bool snmp_prefix_contains(const SnmpPrefix *p, const SnmpAddr *a);
/* Addresses a sweep of the prefix polls (IPv4 /0../30 without the network
 * and broadcast addresses); saturates at UINT64_MAX. */
uint64_t snmp_prefix_hosts(const SnmpPrefix *p);
/* The i-th swept address, 0 <= i < snmp_prefix_hosts(). */
int snmp_prefix_host(const SnmpPrefix *p, uint64_t i, SnmpAddr *ret);
char *snmp_addr_format(const SnmpAddr *a, char buf[static INET6_ADDRSTRLEN]);
bool snmp_addr_equal(const SnmpAddr *a, const SnmpAddr *b);
