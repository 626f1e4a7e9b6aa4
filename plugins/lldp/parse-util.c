/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>
#include <sys/socket.h>

#include "lldp-parse.h"
#include "parse-util.h"

static const char hexdigits[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const uint8_t *p, size_t left) {
        uint8_t b = p[0];
        size_t n;
        uint32_t cp;

        if (b < 0xc2)
                return 0;               /* continuation byte or overlong 2-byte lead */
        if (b < 0xe0)
                n = 2, cp = b & 0x1f;
        else if (b < 0xf0)
                n = 3, cp = b & 0x0f;
        else if (b < 0xf5)
                n = 4, cp = b & 0x07;
        else
                return 0;
        if (left < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

/* Does any of the 8 bytes need more than a copy: below 0x20, above 0x7e,
 * or a backslash?  (Bit tricks on a 64-bit word.) */
static inline bool word_needs_escape(uint64_t w) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t below = (w - ones * 0x20) & ~w & highs;
        uint64_t above = ((w + ones * (127 - 0x7e)) | w) & highs;
        uint64_t bs = w ^ (ones * '\\');
        uint64_t backslash = (bs - ones) & ~bs & highs;
        return (below | above | backslash) != 0;
}

/* The escape test of word_needs_escape() without its branch: nonzero when
 * some byte needs more than a copy. */
static inline uint64_t word_escapes(uint64_t w) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t below = (w - ones * 0x20) & ~w & highs;
        uint64_t above = ((w + ones * (127 - 0x7e)) | w) & highs;
        uint64_t bs = w ^ (ones * '\\');
        return (below | above | ((bs - ones) & ~bs & highs));
}

/* Copy p[len] into buf[size] as text_escape() and text_string() would
 * when it is printable ASCII without a backslash (so without a NUL) and
 * fits: checked and copied a word at a time, the last word overlapping the
 * one before it, one test at the end.  False otherwise, buf scribbled on. */
static bool text_copy_plain(const uint8_t *p, size_t len, char *buf, size_t size) {
        uint64_t w, bad = 0;
        if (len >= size || size < 8)
                return false;
        if (len < 8) {
                /* padded with 'A' */
                uint8_t t[8] = { 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A' };
                for (size_t i = 0; i < len; i++)
                        t[i] = p[i];
                memcpy(&w, t, 8);
                if (word_escapes(w) != 0)
                        return false;
                memcpy(buf, &w, 8);
                buf[len] = 0;
                return true;
        }
        size_t i = 0;
#ifdef __SSE2__
        if (len >= 16) {
                /* sixteen at a time: a signed compare takes bytes from 0x80
                 * up as below 0x20 */
                const __m128i lo = _mm_set1_epi8(0x20), hi = _mm_set1_epi8(0x7e), bs = _mm_set1_epi8('\\');
                __m128i b = _mm_setzero_si128(), v;
                for (; i + 16 < len; i += 16) {
                        v = _mm_loadu_si128((const __m128i *) (p + i));
                        b = _mm_or_si128(b, _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, lo), _mm_cmpgt_epi8(v, hi)),
                                                         _mm_cmpeq_epi8(v, bs)));
                        _mm_storeu_si128((__m128i *) (buf + i), v);
                }
                v = _mm_loadu_si128((const __m128i *) (p + len - 16));
                b = _mm_or_si128(b, _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, lo), _mm_cmpgt_epi8(v, hi)),
                                                 _mm_cmpeq_epi8(v, bs)));
                _mm_storeu_si128((__m128i *) (buf + len - 16), v);
                buf[len] = 0;
                return _mm_movemask_epi8(b) == 0;
        }
#endif
        for (; i + 8 < len; i += 8) {
                memcpy(&w, p + i, 8);
                bad |= word_escapes(w);
                memcpy(buf + i, &w, 8);
        }
        memcpy(&w, p + len - 8, 8);
        bad |= word_escapes(w);
        memcpy(buf + len - 8, &w, 8);
        buf[len] = 0;
        return bad == 0;
}

void text_escape(const uint8_t *p, size_t len, char *buf, size_t size) {
        size_t o = 0, i = 0;

        if (text_copy_plain(p, len, buf, size))
                return;

        while (len > 0 && p[len - 1] == 0)
                len--;
        while (i < len) {
                /* fast path: plain ASCII, eight bytes at a time */
                while (i + 8 <= len && o + 8 < size) {
                        uint64_t w;
                        memcpy(&w, p + i, 8);
                        if (word_needs_escape(w))
                                break;
                        memcpy(buf + o, &w, 8);
                        i += 8, o += 8;
                }
                if (i >= len)
                        break;
                uint8_t b = p[i];
                if ((b >= 0x20 && b < 0x7f && b != '\\') || b == '\n' || b == '\t' || b == '\r') {
                        if (o + 1 >= size)
                                break;
                        buf[o++] = (char) b;
                        i++;
                        continue;
                }
                size_t n = b >= 0x80 ? utf8_len(p + i, len - i) : 0;
                if (n > 0) {
                        if (o + n >= size)
                                break;
                        memcpy(buf + o, p + i, n);
                        o += n, i += n;
                        continue;
                }
                if (b == '\\') {
                        if (o + 2 >= size)
                                break;
                        buf[o++] = '\\', buf[o++] = '\\';
                } else {
                        if (o + 4 >= size)
                                break;
                        buf[o++] = '\\', buf[o++] = 'x';
                        buf[o++] = hexdigits[b >> 4], buf[o++] = hexdigits[b & 15];
                }
                i++;
        }
        buf[o] = 0;
}

void text_string(const uint8_t *p, size_t len, char *buf, size_t size) {
        if (text_copy_plain(p, len, buf, size))
                return;
        const uint8_t *nul = memchr(p, 0, len);
        text_escape(p, nul ? (size_t) (nul - p) : len, buf, size);
}

/* Each byte's two digits and a colon, as one little table lookup apiece
 * (a MAC is formatted twice per frame). */
static const char hexpairs[256][2] = {
#define D(d) ((char) ((d) < 10 ? '0' + (d) : 'a' + (d) - 10))
#define P(x) { D((x) >> 4), D((x) & 15) }
#define P16(x) P(x), P(x + 1), P(x + 2), P(x + 3), P(x + 4), P(x + 5), P(x + 6), P(x + 7), \
                P(x + 8), P(x + 9), P(x + 10), P(x + 11), P(x + 12), P(x + 13), P(x + 14), P(x + 15)
        P16(0x00), P16(0x10), P16(0x20), P16(0x30), P16(0x40), P16(0x50), P16(0x60), P16(0x70),
        P16(0x80), P16(0x90), P16(0xa0), P16(0xb0), P16(0xc0), P16(0xd0), P16(0xe0), P16(0xf0),
#undef P16
#undef P
#undef D
};

void text_mac(const uint8_t mac[6], char buf[static 18]) {
#define PAIR(i)                                                 \
        do {                                                    \
                memcpy(buf + (i) * 3, hexpairs[mac[i]], 2);    \
                buf[(i) * 3 + 2] = ':';                         \
        } while (0)
        PAIR(0);
        PAIR(1);
        PAIR(2);
        PAIR(3);
        PAIR(4);
        PAIR(5);
#undef PAIR
        buf[17] = 0;
}

void text_hex(const uint8_t *p, size_t len, char *buf, size_t size) {
        size_t o = 0;
        for (size_t i = 0; i < len && o + 3 < size; i++) {
                if (i > 0)
                        buf[o++] = ':';
                buf[o++] = hexdigits[p[i] >> 4];
                buf[o++] = hexdigits[p[i] & 15];
        }
        buf[o] = 0;
}

void text_ipv4(const uint8_t a[4], char buf[static 46]) {
        /* By hand: inet_ntop goes through sprintf, too slow per frame. */
        char *o = buf;
        for (size_t i = 0; i < 4; i++) {
                unsigned v = a[i];
                if (v >= 100)
                        *o++ = (char) ('0' + v / 100);
                if (v >= 10)
                        *o++ = (char) ('0' + v / 10 % 10);
                *o++ = (char) ('0' + v % 10);
                *o++ = i < 3 ? '.' : 0;
        }
}

void text_ipv6(const uint8_t a[16], char buf[static 46]) {
        if (!inet_ntop(AF_INET6, a, buf, 46))
                buf[0] = 0;
}

void neighbor_add_address(struct lldp_neighbor *n, int family, const uint8_t *addr) {
        char s[46];

        if (n->n_addresses >= LLDP_MAX_ADDRESSES)
                return;
        if (family == AF_INET)
                text_ipv4(addr, s);
        else
                text_ipv6(addr, s);
        if (!s[0])
                return;
        for (unsigned i = 0; i < n->n_addresses; i++)
                if (strcmp(n->addresses[i], s) == 0)
                        return;
        memcpy(n->addresses[n->n_addresses++], s, sizeof s);
}
