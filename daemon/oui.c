/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "errorf.h"
#include "macro.h"
#include "oui.h"

/* Layout: every block as added (per size), then an index built from them:
 * an open-addressing hash over the 24-bit prefixes; a slot carries the MA-L
 * organisation and the ranges of sorted 28- and 36-bit blocks under that
 * prefix.  A lookup is one hash probe, plus a short search only under the
 * few prefixes IEEE split into MA-M/MA-S blocks. */

struct block {
        uint64_t key;           /* the prefix value, right-aligned */
        uint32_t org;
        uint32_t seq;           /* insertion order: later wins */
};

struct blocks {
        struct block *v;
        size_t n, cap;
};

struct slot {
        uint32_t key;           /* prefix24 + 1; 0 = empty */
        uint32_t org;           /* MA-L organisation or OUI_NONE */
        uint32_t m_start, s_start;
        uint16_t m_n, s_n;
};

struct OuiDb {
        /* interned organisation names */
        char *names;
        size_t names_len, names_cap;
        uint32_t *org_off;
        size_t n_orgs, orgs_cap;
        /* the name's hash << 32 | org id + 1, 0 = empty: a probe compares
         * hashes without leaving the table */
        uint64_t *intern;
        size_t intern_cap;

        struct blocks raw[3];   /* 24, 28, 36 bits */
        uint32_t seq;
        uint32_t indexed_seq;   /* seq when the index was built */

        /* index */
        struct slot *slots;
        size_t slot_mask;
        uint32_t *m_key, *m_org;
        size_t m_n;
        uint64_t *s_key;
        uint32_t *s_org;
        size_t s_n;
        size_t n_blocks[3];

        char *paths[_OUI_FILE_MAX];
        time_t times[_OUI_FILE_MAX];
};

static const char *const oui_file_names[_OUI_FILE_MAX] = {
        [OUI_FILE_MA_L] = "oui.csv",
        [OUI_FILE_MA_M] = "mam.csv",
        [OUI_FILE_MA_S] = "oui36.csv",
        [OUI_FILE_IAB] = "iab.csv",
};

static void *grow(void *p, size_t *cap, size_t need, size_t size) {
        if (need <= *cap)
                return p;
        size_t n = *cap ? *cap : 16;
        while (n < need)
                n *= 2;
        void *q = reallocarray(p, n, size);
        if (q)
                *cap = n;
        return q;
}

int oui_db_new(OuiDb **ret) {
        OuiDb *db = calloc(1, sizeof *db);
        if (!db)
                return -ENOMEM;
        *ret = db;
        return 0;
}

OuiDb *oui_db_free(OuiDb *db) {
        if (!db)
                return NULL;
        free(db->names);
        free(db->org_off);
        free(db->intern);
        for (size_t i = 0; i < 3; i++)
                free(db->raw[i].v);
        free(db->slots);
        free(db->m_key);
        free(db->m_org);
        free(db->s_key);
        free(db->s_org);
        for (size_t i = 0; i < _OUI_FILE_MAX; i++)
                free(db->paths[i]);
        free(db);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(OuiDb *, oui_db_free);

/* Eight bytes a step: every registry row's organisation is hashed. */
static uint32_t hash_str(const char *s, size_t n) {
        uint64_t h = (uint64_t) n * UINT64_C(0x9E3779B97F4A7C15), w;
        for (; n >= 8; s += 8, n -= 8) {
                memcpy(&w, s, 8);
                h = (h ^ w) * UINT64_C(0xFF51AFD7ED558CCD);
                h ^= h >> 29;
        }
        w = 0;
        for (size_t i = 0; i < n; i++)
                w |= (uint64_t) (uint8_t) s[i] << (i * 8);
        h = (h ^ w) * UINT64_C(0xC4CEB9FE1A85EC53);
        return (uint32_t) (h ^ h >> 32);
}

static int intern_rehash(OuiDb *db) {
        size_t cap = db->intern_cap ? db->intern_cap * 2 : 1024;
        uint64_t *t = calloc(cap, sizeof *t);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < db->intern_cap; i++) {
                if (!db->intern[i])
                        continue;
                size_t h = (db->intern[i] >> 32) & (cap - 1);
                while (t[h])
                        h = (h + 1) & (cap - 1);
                t[h] = db->intern[i];
        }
        free(db->intern);
        db->intern = t;
        db->intern_cap = cap;
        return 0;
}

static int intern_n(OuiDb *db, const char *s, size_t n, uint32_t *ret) {
        if ((db->n_orgs + 1) * 2 > db->intern_cap && intern_rehash(db) < 0)
                return -ENOMEM;
        size_t mask = db->intern_cap - 1;
        uint32_t hash = hash_str(s, n);
        size_t h = hash & mask;
        for (; db->intern[h]; h = (h + 1) & mask) {
                if (db->intern[h] >> 32 != hash)
                        continue;
                uint32_t id = (uint32_t) db->intern[h] - 1;
                const char *c = db->names + db->org_off[id];
                if (strncmp(c, s, n) == 0 && c[n] == '\0') {
                        *ret = id;
                        return 0;
                }
        }
        char *names = grow(db->names, &db->names_cap, db->names_len + n + 1, 1);
        if (!names)
                return -ENOMEM;
        db->names = names;
        size_t cap = db->orgs_cap;
        uint32_t *off = grow(db->org_off, &cap, db->n_orgs + 1, sizeof(uint32_t));
        if (!off)
                return -ENOMEM;
        db->org_off = off;
        db->orgs_cap = cap;
        memcpy(db->names + db->names_len, s, n);
        db->names[db->names_len + n] = '\0';
        off[db->n_orgs] = (uint32_t) db->names_len;
        db->names_len += n + 1;
        db->intern[h] = (uint64_t) hash << 32 | (uint32_t) ++db->n_orgs;
        *ret = (uint32_t) db->n_orgs - 1;
        return 0;
}

int oui_org_intern(OuiDb *db, const char *name, uint32_t *ret) {
        return intern_n(db, name, strlen(name), ret);
}

size_t oui_org_count(const OuiDb *db) {
        return db ? db->n_orgs : 0;
}

const char *oui_org_name(const OuiDb *db, uint32_t org) {
        if (!db || org >= db->n_orgs)
                return NULL;
        return db->names + db->org_off[org];
}

/* hex digit value + 1; 0: not a hex digit */
static const uint8_t hex_digit[256] = {
        ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9,
        ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11,
        ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Parse 6, 7 or 9 hex digits (separators ':' '-' '.' allowed between). */
static int parse_prefix(const char *s, size_t n, uint64_t *ret_key, unsigned *ret_bits) {
        uint64_t v = 0;
        unsigned digits = 0;
        if (n == 6 || n == 7 || n == 9) {
                /* the registries' form: digits only, no test per digit */
                unsigned bad = 0;
                for (size_t i = 0; i < n; i++) {
                        unsigned x = hex_digit[(uint8_t) s[i]];
                        bad |= x == 0;
                        v = v << 4 | (uint64_t) (x - 1);
                }
                if (!bad) {
                        *ret_key = v;
                        *ret_bits = (unsigned) n * 4;
                        return 0;
                }
                v = 0;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned x = hex_digit[(uint8_t) s[i]];
                if (x == 0) {
                        if ((s[i] == ':' || s[i] == '-' || s[i] == '.') && i > 0 && i + 1 < n)
                                continue;
                        return -EINVAL;
                }
                if (++digits > 9)
                        return -EINVAL;
                v = v << 4 | (x - 1);
        }
        if (digits != 6 && digits != 7 && digits != 9)
                return -EINVAL;
        *ret_key = v;
        *ret_bits = digits * 4;
        return 0;
}

static int add_block(OuiDb *db, uint64_t key, unsigned bits, uint32_t org) {
        struct blocks *b = &db->raw[bits == 24 ? 0 : bits == 28 ? 1 : 2];
        struct block *v = grow(b->v, &b->cap, b->n + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        b->v = v;
        v[b->n++] = (struct block) { .key = key, .org = org, .seq = db->seq++ };
        return 0;
}

int oui_db_add(OuiDb *db, const char *hex, const char *org) {
        uint64_t key;
        unsigned bits;
        uint32_t id;
        int r;

        if (!hex || !org || parse_prefix(hex, strlen(hex), &key, &bits) < 0)
                return -EINVAL;
        r = oui_org_intern(db, org, &id);
        if (r < 0)
                return r;
        r = add_block(db, key, bits, id);
        return r < 0 ? r : (int) id;
}

/* Stable LSD radix sort by key (`bits` wide), in two or three passes of at
 * most 12 bits: blocks of one prefix keep their insertion order, so the one
 * added last stays last. */
static int radix_sort(struct blocks *b, unsigned bits) {
        if (b->n < 2)
                return 0;
        unsigned passes = (bits + 11) / 12, width = (bits + passes - 1) / passes;
        uint64_t digit_mask = (UINT64_C(1) << width) - 1;
        struct block *tmp = malloc(b->n * sizeof *tmp), *v = b->v;
        if (!tmp)
                return -ENOMEM;
        for (unsigned k = 0, shift = 0; k < passes; k++, shift += width) {
                size_t count[(1u << 12) + 1] = {};
                for (size_t i = 0; i < b->n; i++)
                        count[((v[i].key >> shift) & digit_mask) + 1]++;
                for (size_t d = 1; d <= digit_mask; d++)
                        count[d] += count[d - 1];
                for (size_t i = 0; i < b->n; i++)
                        tmp[count[(v[i].key >> shift) & digit_mask]++] = v[i];
                struct block *t = v;
                v = tmp, tmp = t;
        }
        free(tmp);
        b->v = v;
        return 0;
}

/* Sort and keep the last-added block for each prefix; returns the count. */
static int sort_unique(struct blocks *b, unsigned bits, size_t *ret_n) {
        bool sorted = true;
        for (size_t i = 1; i < b->n && sorted; i++)
                sorted = b->v[i - 1].key < b->v[i].key;
        if (!sorted) {
                int r = radix_sort(b, bits);
                if (r < 0)
                        return r;
        }
        size_t w = 0;
        for (size_t i = 0; i < b->n; i++) {
                if (w > 0 && b->v[w - 1].key == b->v[i].key)
                        b->v[w - 1] = b->v[i];
                else
                        b->v[w++] = b->v[i];
        }
        b->n = w;
        *ret_n = w;
        return 0;
}

static inline size_t slot_hash(uint32_t p, size_t mask) {
        return (size_t) ((p * 2654435761u) >> 8) & mask;
}

static struct slot *slot_get(struct slot *slots, size_t mask, uint32_t p) {
        size_t h = slot_hash(p, mask);
        while (slots[h].key && slots[h].key != p + 1)
                h = (h + 1) & mask;
        if (!slots[h].key)
                slots[h] = (struct slot) { .key = p + 1, .org = OUI_NONE };
        return &slots[h];
}

/* Build the lookup index from the blocks added so far. */
int oui_db_index(OuiDb *db) {
        size_t nl, nm, ns;
        int r;
        if (db->slots && db->seq == db->indexed_seq)
                return 0;       /* nothing added since */
        if ((r = sort_unique(&db->raw[0], 24, &nl)) < 0 || (r = sort_unique(&db->raw[1], 28, &nm)) < 0 ||
            (r = sort_unique(&db->raw[2], 36, &ns)) < 0)
                return r;
        size_t cap = 64;
        while (cap < (nl + nm + ns) * 2)
                cap *= 2;

        struct slot *slots = calloc(cap, sizeof *slots);
        uint32_t *m_key = malloc((nm ? nm : 1) * sizeof *m_key);
        uint32_t *m_org = malloc((nm ? nm : 1) * sizeof *m_org);
        uint64_t *s_key = malloc((ns ? ns : 1) * sizeof *s_key);
        uint32_t *s_org = malloc((ns ? ns : 1) * sizeof *s_org);
        if (!slots || !m_key || !m_org || !s_key || !s_org) {
                free(slots), free(m_key), free(m_org), free(s_key), free(s_org);
                return -ENOMEM;
        }
        size_t mask = cap - 1;
        for (size_t i = 0; i < nl; i++)
                slot_get(slots, mask, (uint32_t) db->raw[0].v[i].key)->org = db->raw[0].v[i].org;
        for (size_t i = 0; i < nm; i++) {
                m_key[i] = (uint32_t) db->raw[1].v[i].key;
                m_org[i] = db->raw[1].v[i].org;
                struct slot *s = slot_get(slots, mask, m_key[i] >> 4);
                if (s->m_n == 0)
                        s->m_start = (uint32_t) i;
                s->m_n++;
        }
        for (size_t i = 0; i < ns; i++) {
                s_key[i] = db->raw[2].v[i].key;
                s_org[i] = db->raw[2].v[i].org;
                struct slot *s = slot_get(slots, mask, (uint32_t) (s_key[i] >> 12));
                if (s->s_n == 0)
                        s->s_start = (uint32_t) i;
                s->s_n++;
        }
        free(db->slots), free(db->m_key), free(db->m_org), free(db->s_key), free(db->s_org);
        db->slots = slots, db->slot_mask = mask;
        db->m_key = m_key, db->m_org = m_org, db->m_n = nm;
        db->s_key = s_key, db->s_org = s_org, db->s_n = ns;
        db->n_blocks[0] = nl, db->n_blocks[1] = nm, db->n_blocks[2] = ns;
        db->indexed_seq = db->seq;
        return 0;
}

uint32_t oui_lookup(const OuiDb *db, const uint8_t mac[6], unsigned *ret_bits) {
        if (!db || !db->slots)
                return OUI_NONE;
        uint32_t p = (uint32_t) mac[0] << 16 | (uint32_t) mac[1] << 8 | mac[2];
        size_t mask = db->slot_mask, h = slot_hash(p, mask);
        const struct slot *s;
        for (;;) {
                s = &db->slots[h];
                if (s->key == p + 1)
                        break;
                if (s->key == 0)
                        return OUI_NONE;
                h = (h + 1) & mask;
        }
        if (s->s_n) {
                uint64_t k = (uint64_t) p << 12 | (uint64_t) mac[3] << 4 | mac[4] >> 4;
                size_t lo = s->s_start, hi = lo + s->s_n;
                while (lo < hi) {
                        size_t mid = (lo + hi) / 2;
                        if (db->s_key[mid] < k)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (lo < (size_t) s->s_start + s->s_n && db->s_key[lo] == k) {
                        if (ret_bits)
                                *ret_bits = 36;
                        return db->s_org[lo];
                }
        }
        if (s->m_n) {
                uint32_t k = p << 4 | mac[3] >> 4;
                for (size_t i = s->m_start; i < (size_t) s->m_start + s->m_n; i++)
                        if (db->m_key[i] == k) {
                                if (ret_bits)
                                        *ret_bits = 28;
                                return db->m_org[i];
                        }
        }
        if (s->org != OUI_NONE && ret_bits)
                *ret_bits = 24;
        return s->org;
}

size_t oui_block_count(const OuiDb *db, unsigned bits) {
        if (!db)
                return 0;
        return bits == 24 ? db->n_blocks[0] : bits == 28 ? db->n_blocks[1] : bits == 36 ? db->n_blocks[2] : 0;
}

time_t oui_file_time(const OuiDb *db, OuiFile f) {
        return db && f < _OUI_FILE_MAX ? db->times[f] : 0;
}

const char *oui_file_path(const OuiDb *db, OuiFile f) {
        return db && f < _OUI_FILE_MAX ? db->paths[f] : NULL;
}

/* ---- CSV ---- */

/* The registries are ~45k records of four fields, most without a quote: a
 * record's newline and commas are found with memchr(), and only its first
 * three fields are copied, each in one piece.  Quoted fields (commas in
 * names, "" escapes, addresses over two lines) take a slower path. */

#define CSV_FIELD_MAX 255       /* bytes of a field kept, the rest dropped */

typedef struct CsvScan {
        const char *p, *end;
        const char *eol;        /* the first '\n' at or after p, or end */
        const char *quote;      /* the first '"' in [p, eol), or NULL */
        unsigned lines;         /* newlines passed inside quotes */
} CsvScan;

static void csv_scan_line(CsvScan *c) {
        c->eol = memchr(c->p, '\n', (size_t) (c->end - c->p));
        if (!c->eol)
                c->eol = c->end;
        c->quote = memchr(c->p, '"', (size_t) (c->eol - c->p));
}

/* isspace() of the C locale */
static inline bool csv_space(char ch) {
        return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* A quoted field at c->p: unescaped into buf (NULL: only checked). */
static int csv_quoted(CsvScan *c, char *buf, size_t *n) {
        const char *s = c->p + 1, *end = c->end;
        bool crossed = false;
        for (;;) {
                const char *q = memchr(s, '"', (size_t) (end - s));
                if (!q)
                        return -EINVAL;
                for (const char *nl = memchr(s, '\n', (size_t) (q - s)); nl;
                     nl = memchr(nl + 1, '\n', (size_t) (q - nl - 1)))
                        c->lines++, crossed = true;
                if (buf && *n < CSV_FIELD_MAX) {
                        size_t k = (size_t) (q - s) < CSV_FIELD_MAX - *n ? (size_t) (q - s) : CSV_FIELD_MAX - *n;
                        memcpy(buf + *n, s, k);
                        *n += k;
                }
                s = q + 1;
                if (s < end && *s == '"') {     /* "" is one quote */
                        if (buf && *n < CSV_FIELD_MAX)
                                buf[(*n)++] = '"';
                        s++;
                        continue;
                }
                break;
        }
        while (s < end && (*s == ' ' || *s == '\r'))
                s++;
        if (s < end && *s != ',' && *s != '\n')
                return -EINVAL;
        c->p = s;
        if (crossed)
                csv_scan_line(c);
        else
                c->quote = memchr(s, '"', (size_t) (c->eol - s));
        return 0;
}

/* One field at c->p into buf (NULL: only checked), unescaped, cut to
 * CSV_FIELD_MAX bytes, then trimmed and NUL-terminated.  Leaves c->p on the
 * ',' or '\n' after it, or at the end.  -EINVAL on a broken quote. */
static int csv_field(CsvScan *c, char *buf, size_t *ret_len) {
        size_t n = 0;
        if (c->p < c->end && *c->p == '"') {
                int r = csv_quoted(c, buf, &n);
                if (r < 0)
                        return r;
        } else {
                const char *e = memchr(c->p, ',', (size_t) (c->eol - c->p));
                if (!e)
                        e = c->eol;
                if (c->quote && c->quote < e)
                        return -EINVAL;
                if (buf) {
                        n = (size_t) (e - c->p) < CSV_FIELD_MAX ? (size_t) (e - c->p) : CSV_FIELD_MAX;
                        memcpy(buf, c->p, n);
                }
                c->p = e;
        }
        if (!buf)
                return 0;
        while (n > 0 && csv_space(buf[n - 1]))
                n--;
        size_t lead = 0;
        while (lead < n && csv_space(buf[lead]))
                lead++;
        if (lead > 0)
                memmove(buf, buf + lead, n - lead);
        n -= lead;
        buf[n] = '\0';
        *ret_len = n;
        return 0;
}

/* One record: its first three fields into `fields` (*ret_nfields: how many
 * of them it has), the rest checked and skipped, up to and including the
 * record's newline. */
static int csv_record(CsvScan *c, char fields[3][CSV_FIELD_MAX + 1], size_t lens[3], unsigned *ret_nfields) {
        unsigned nf = 0;
        csv_scan_line(c);
        for (;;) {
                if (nf == 3 && !c->quote)
                        c->p = c->eol;  /* the rest: plain fields nobody reads */
                else {
                        int r = csv_field(c, nf < 3 ? fields[nf] : NULL, nf < 3 ? &lens[nf] : NULL);
                        if (r < 0)
                                return r;
                        if (nf < 3)
                                nf++;
                }
                if (c->p >= c->end)
                        break;
                if (*c->p == '\n') {
                        c->p++;
                        break;
                }
                c->p++;         /* the comma */
        }
        *ret_nfields = nf;
        return 0;
}

int oui_db_parse(OuiDb *db, const char *name, const char *text, size_t len, char **ret_error) {
        CsvScan c = { .p = text, .end = text + len };
        unsigned line = 1;

        while (c.p < c.end) {
                unsigned start = line, nf;
                char f[3][CSV_FIELD_MAX + 1];
                size_t l[3] = {};
                if (*c.p == '\n' || (*c.p == '\r' && c.p + 1 < c.end && c.p[1] == '\n')) {
                        c.p += *c.p == '\r' ? 2 : 1;
                        line++;
                        continue;
                }
                c.lines = 0;
                if (csv_record(&c, f, l, &nf) < 0)
                        return errorf(ret_error, "%s:%u: malformed CSV quoting", name, start);
                line += c.lines + 1;
                if (start == 1 && streq(f[0], "Registry"))
                        continue;
                if (nf < 3)
                        return errorf(ret_error, "%s:%u: expected Registry,Assignment,Organization Name", name, start);
                unsigned want = streq(f[0], "MA-L") ? 24 : streq(f[0], "MA-M") ? 28 :
                                streq(f[0], "MA-S") || streq(f[0], "IAB") ? 36 : 0;
                if (want == 0)
                        return errorf(ret_error, "%s:%u: unknown registry \"%.15s\"", name, start, f[0]);
                uint64_t key;
                unsigned bits;
                if (parse_prefix(f[1], l[1], &key, &bits) < 0 || bits != want)
                        return errorf(ret_error, "%s:%u: bad %s assignment \"%.31s\"", name, start, f[0], f[1]);
                if (l[2] == 0)
                        return errorf(ret_error, "%s:%u: empty organisation name", name, start);
                uint32_t id;
                if (intern_n(db, f[2], l[2], &id) < 0 || add_block(db, key, bits, id) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int read_file_full(const char *path, size_t limit, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EISDIR;
        if ((uint64_t) st.st_size > limit)
                return -EFBIG;
        size_t size = (size_t) st.st_size, n = 0;
        _cleanup_free_ char *buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        while (n < size) {
                ssize_t k = read(fd, buf + n, size - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

int oui_db_load(const char *dir, OuiDb **ret, char **ret_error) {
        _cleanup_(oui_db_freep) OuiDb *db = NULL;
        int r = oui_db_new(&db);
        if (r < 0)
                return r;

        for (size_t f = 0; f < _OUI_FILE_MAX; f++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                size_t len;
                if (asprintf(&path, "%s/%s", dir, oui_file_names[f]) < 0)
                        return -ENOMEM;
                r = read_file_full(path, 64u << 20, &text, &len);
                if (r == -ENOENT && f == OUI_FILE_IAB)
                        continue;
                if (r < 0) {
                        errorf(ret_error, "%s: %s", path, strerror(-r));
                        return r;
                }
                r = oui_db_parse(db, path, text, len, ret_error);
                if (r < 0)
                        return r;
                struct stat st;
                if (stat(path, &st) == 0)
                        db->times[f] = st.st_mtime;
                db->paths[f] = TAKE_PTR(path);
        }
        r = oui_db_index(db);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}
