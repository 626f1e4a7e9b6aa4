/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "errorf.h"
#include "enterprises.h"
#include "macro.h"
#include "oui.h"

/* IANA numbers are dense (0..~65000), so a plain array indexed by number
 * holds the offset of each name in one text block. */
#define ENTERPRISE_LIMIT (1u << 24)

struct EnterpriseDb {
        char *text;             /* names, NUL-terminated */
        size_t text_len, text_cap;
        uint32_t *off;          /* by number: offset + 1, 0 = unregistered */
        uint32_t n_off;
        size_t count;
        time_t mtime;
        char date[32];
};

EnterpriseDb *enterprise_db_free(EnterpriseDb *db) {
        if (!db)
                return NULL;
        free(db->text);
        free(db->off);
        free(db);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(EnterpriseDb *, enterprise_db_free);

static int put(EnterpriseDb *db, uint32_t pen, const char *name, size_t n) {
        if (pen >= db->n_off) {
                uint32_t cap = db->n_off ? db->n_off : 1024;
                while (cap <= pen)
                        cap *= 2;
                uint32_t *o = reallocarray(db->off, cap, sizeof *o);
                if (!o)
                        return -ENOMEM;
                memset(o + db->n_off, 0, (cap - db->n_off) * sizeof *o);
                db->off = o, db->n_off = cap;
        }
        if (db->text_len + n + 1 > db->text_cap) {
                size_t cap = db->text_cap ? db->text_cap : 4096;
                while (cap < db->text_len + n + 1)
                        cap *= 2;
                char *t = realloc(db->text, cap);
                if (!t)
                        return -ENOMEM;
                db->text = t, db->text_cap = cap;
        }
        if (db->off[pen] == 0)
                db->count++;
        memcpy(db->text + db->text_len, name, n);
        db->text[db->text_len + n] = '\0';
        db->off[pen] = (uint32_t) db->text_len + 1;
        db->text_len += n + 1;
        return 0;
}

/* isspace() and isdigit() of the C locale, without a table per call */
static inline bool is_space(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool is_digit(char c) {
        return (unsigned) (c - '0') < 10;
}

int enterprise_db_parse(const char *name, const char *text, size_t len, EnterpriseDb **ret, char **ret_error) {
        _cleanup_(enterprise_db_freep) EnterpriseDb *db = calloc(1, sizeof *db);
        if (!db)
                return -ENOMEM;
        const char *p = text, *end = text + len;
        unsigned line = 0;

        /* the names take less room than the file: one allocation */
        if (len > 0) {
                db->text = malloc(len + 1);
                if (!db->text)
                        return -ENOMEM;
                db->text_cap = len + 1;
        }
        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                const char *next = eol ? eol + 1 : end;
                if (!eol)
                        eol = end;
                while (eol > p && is_space(eol[-1]))
                        eol--;
                line++;
                const char *s = p;
                p = next;
                while (s < eol && is_space(*s))
                        s++;
                if (s == eol)
                        continue;
                if (*s == '#') {
                        static const char tag[] = "(last updated ";
                        const char *d = memmem(s, (size_t) (eol - s), tag, sizeof tag - 1);
                        if (d && !db->date[0]) {
                                d += sizeof tag - 1;
                                size_t k = 0;
                                while (d < eol && *d != ')' && k + 1 < sizeof db->date)
                                        db->date[k++] = *d++;
                                db->date[k] = '\0';
                        }
                        continue;
                }
                uint64_t pen = 0;
                const char *d = s;
                while (d < eol && is_digit(*d)) {
                        pen = pen * 10 + (uint64_t) (*d - '0');
                        if (pen >= ENTERPRISE_LIMIT)
                                return errorf(ret_error, "%s:%u: enterprise number too large", name, line);
                        d++;
                }
                if (d == s || d == eol || !is_space(*d))
                        return errorf(ret_error, "%s:%u: expected \"NUMBER NAME\"", name, line);
                while (d < eol && is_space(*d))
                        d++;
                size_t n = (size_t) (eol - d);
                if (n > 255)
                        n = 255;
                int r = put(db, (uint32_t) pen, d, n);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(db);
        return 0;
}

int enterprise_db_load(const char *path, EnterpriseDb **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_file_full(path, 64u << 20, &text, &len);
        if (r < 0) {
                errorf(ret_error, "%s: %s", path, strerror(-r));
                return r;
        }
        EnterpriseDb *db;
        r = enterprise_db_parse(path, text, len, &db, ret_error);
        if (r < 0)
                return r;
        struct stat st;
        if (stat(path, &st) == 0)
                db->mtime = st.st_mtime;
        *ret = db;
        return 0;
}

const char *enterprise_name(const EnterpriseDb *db, uint32_t pen) {
        if (!db || pen >= db->n_off || db->off[pen] == 0)
                return NULL;
        return db->text + db->off[pen] - 1;
}

size_t enterprise_count(const EnterpriseDb *db) {
        return db ? db->count : 0;
}

uint32_t enterprise_max(const EnterpriseDb *db) {
        return db ? db->n_off : 0;
}

time_t enterprise_file_time(const EnterpriseDb *db) {
        return db ? db->mtime : 0;
}

const char *enterprise_file_date(const EnterpriseDb *db) {
        return db && db->date[0] ? db->date : NULL;
}

int enterprise_from_oid(const char *oid, uint32_t *ret) {
        static const char prefix[] = "1.3.6.1.4.1.";
        if (!oid)
                return -EINVAL;
        if (*oid == '.')
                oid++;
        if (strncmp(oid, prefix, sizeof prefix - 1) != 0) {
                /* a well-formed OID elsewhere, or garbage? */
                for (const char *p = oid; *p; p++)
                        if (!isdigit((unsigned char) *p) && *p != '.')
                                return -EINVAL;
                return -ENOENT;
        }
        const char *p = oid + sizeof prefix - 1;
        uint64_t v = 0;
        const char *s = p;
        while (isdigit((unsigned char) *p)) {
                v = v * 10 + (uint64_t) (*p - '0');
                if (v >= ENTERPRISE_LIMIT)
                        return -EINVAL;
                p++;
        }
        if (p == s || (*p && *p != '.'))
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}
