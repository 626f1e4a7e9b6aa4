/* SPDX-License-Identifier: MIT */
/* Internal helpers of the LLDP/CDP decoders: a bounds-checked cursor over
 * untrusted bytes (every read can fail and never moves past the end) and
 * formatting into fixed buffers. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
        const uint8_t *p;
        size_t left;
};

static inline struct cursor cursor_make(const uint8_t *p, size_t len) {
        return (struct cursor) { .p = p, .left = len };
}

static inline int cursor_u8(struct cursor *c, uint8_t *ret) {
        if (c->left < 1)
                return -EBADMSG;
        *ret = c->p[0];
        c->p += 1, c->left -= 1;
        return 0;
}

static inline int cursor_u16(struct cursor *c, uint16_t *ret) {
        if (c->left < 2)
                return -EBADMSG;
        *ret = (uint16_t) (c->p[0] << 8 | c->p[1]);
        c->p += 2, c->left -= 2;
        return 0;
}

static inline int cursor_u32(struct cursor *c, uint32_t *ret) {
        if (c->left < 4)
                return -EBADMSG;
        *ret = (uint32_t) c->p[0] << 24 | (uint32_t) c->p[1] << 16 | (uint32_t) c->p[2] << 8 | c->p[3];
        c->p += 4, c->left -= 4;
        return 0;
}

/* Take `n` bytes as a sub-cursor (ret may be NULL to skip them). */
static inline int cursor_sub(struct cursor *c, size_t n, struct cursor *ret) {
        if (c->left < n)
                return -EBADMSG;
        if (ret)
                *ret = cursor_make(c->p, n);
        c->p += n, c->left -= n;
        return 0;
}

static inline int cursor_skip(struct cursor *c, size_t n) {
        return cursor_sub(c, n, NULL);
}

/* Copy untrusted bytes into buf[size] as a NUL-terminated UTF-8 string:
 * trailing NULs dropped, valid UTF-8, tab, CR and LF kept, a backslash written
 * "\\", every other byte "\xNN"; cut at a character boundary when full. */
void text_escape(const uint8_t *p, size_t len, char *buf, size_t size);

/* The same for descriptive text, which ends at its first NUL (devices pad
 * with NUL and garbage after it). */
void text_string(const uint8_t *p, size_t len, char *buf, size_t size);

/* aa:bb:cc:dd:ee:ff into buf[18]. */
void text_mac(const uint8_t mac[6], char buf[static 18]);

/* Bytes as colon-separated hex (for MAC-subtype IDs of the wrong length, and
 * address families we do not print); cut when full. */
void text_hex(const uint8_t *p, size_t len, char *buf, size_t size);

/* Numeric IPv4 / IPv6 into buf[46]. */
void text_ipv4(const uint8_t a[4], char buf[static 46]);
void text_ipv6(const uint8_t a[16], char buf[static 46]);

/* Add a numeric address to the neighbour's list unless full or already there. */
struct lldp_neighbor;
void neighbor_add_address(struct lldp_neighbor *n, int family, const uint8_t *addr);
