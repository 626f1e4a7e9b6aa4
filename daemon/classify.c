/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdio.h>

#include "classify.h"
#include "macro.h"
#include "observation.h"
#include "paths.h"
#include "vendor.h"
#include "vw-config.h"

/* JSON text writer: verdicts go out at line rate, so they are written
 * into one reused buffer, handed to stdio in large pieces, instead of
 * through a DOM or a stdio call per field. */
typedef struct OutBuf {
        char *p;
        size_t n, cap;
        FILE *f;
        int err;
} OutBuf;

#define OUT_FLUSH_AT (64u * 1024u)

static void out_flush(OutBuf *o) {
        if (o->n > 0 && fwrite_unlocked(o->p, 1, o->n, o->f) != o->n)
                o->err = -EIO;
        o->n = 0;
}

/* Room for `more` bytes; false (and o->err set) when there is none. */
static bool out_room(OutBuf *o, size_t more) {
        if (o->n + more <= o->cap)
                return true;
        size_t cap = o->cap ? o->cap : OUT_FLUSH_AT * 2;
        while (cap < o->n + more)
                cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
                o->err = -ENOMEM;
                return false;
        }
        o->p = p, o->cap = cap;
        return true;
}

static void out_mem(OutBuf *o, const char *s, size_t n) {
        if (out_room(o, n))
                memcpy(o->p + o->n, s, n), o->n += n;
}

static void out_done(OutBuf *o) {
        free(o->p);
}

#define out_lit(o, s) out_mem(o, "" s, sizeof(s) - 1)

/* Which bytes a JSON string cannot hold as they are. */
static bool must_escape(unsigned char c) {
        return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Does any of the 8 bytes in x need escaping?  (Exact: the classic
 * "has a byte less than n" and "has a zero byte" tests.) */
static inline bool word_must_escape(uint64_t x) {
        uint64_t quote = x ^ (ONES * '"'), bslash = x ^ (ONES * '\\'), del = x ^ (ONES * 0x7f);
        uint64_t t = ((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) |
                     ((del - ONES) & ~del);
        return (t & HIGHS) != 0;
}

static void put_str(OutBuf *o, const char *s) {
        static const char hex[] = "0123456789abcdef";
        if (!s) {
                out_lit(o, "null");
                return;
        }
        size_t len = strlen(s);
        /* worst case: every byte as \u00XX */
        if (!out_room(o, len * 6 + 2))
                return;
        char *d = o->p + o->n;
        const unsigned char *p = (const unsigned char *) s, *end = p + len;
        *d++ = '"';
        while (p < end) {
                /* runs of plain bytes, eight at a time */
                while (end - p >= 8) {
                        uint64_t x;
                        memcpy(&x, p, 8);
                        if (word_must_escape(x))
                                break;
                        memcpy(d, &x, 8);
                        d += 8, p += 8;
                }
                if (p == end)
                        break;
                /* the tail: when the last eight bytes are plain, they went
                 * out unchanged, so one overlapping copy ends the string */
                if (end - p < 8 && end - (const unsigned char *) s >= 8) {
                        uint64_t x;
                        memcpy(&x, end - 8, 8);
                        if (!word_must_escape(x)) {
                                memcpy(d - (p - (end - 8)), &x, 8);
                                d += end - p;
                                break;
                        }
                }
                unsigned char c = *p++;
                if (!must_escape(c)) {
                        *d++ = (char) c;
                        continue;
                }
                *d++ = '\\';
                switch (c) {
                case '"':
                case '\\':
                        *d++ = (char) c;
                        break;
                case '\n':
                        *d++ = 'n';
                        break;
                case '\r':
                        *d++ = 'r';
                        break;
                case '\t':
                        *d++ = 't';
                        break;
                default:
                        memcpy(d, "u00", 3), d += 3;
                        *d++ = hex[c >> 4];
                        *d++ = hex[c & 15];
                }
        }
        *d++ = '"';
        o->n = (size_t) (d - o->p);
}

/* Weights and confidences: 0..5 with three decimals. */
static void put_num(OutBuf *o, double d) {
        char buf[32];
        if (!(d >= 0 && d < 1e6)) {
                int n = snprintf(buf, sizeof buf, "%.3g", d);
                out_mem(o, buf, n > 0 ? (size_t) n : 0);
                return;
        }
        unsigned long m = (unsigned long) (d * 1000.0 + 0.5);
        char *e = buf + 16, *b = e;
        unsigned long ip = m / 1000;
        do
                *--b = (char) ('0' + ip % 10);
        while ((ip /= 10) > 0);
        unsigned frac = (unsigned) (m % 1000);
        if (frac) {
                *e++ = '.';
                *e++ = (char) ('0' + frac / 100);
                frac %= 100;
                if (frac) {
                        *e++ = (char) ('0' + frac / 10);
                        if (frac % 10)
                                *e++ = (char) ('0' + frac % 10);
                }
        }
        out_mem(o, b, (size_t) (e - b));
}

static void put_verdict(OutBuf *o, const char *id, const VendorVerdict *v) {
        out_lit(o, "{\"id\":");
        put_str(o, id);
        out_lit(o, ",\"vendor\":");
        put_str(o, v->vendor);
        out_lit(o, ",\"vendor_name\":");
        put_str(o, v->vendor_name);
        out_lit(o, ",\"made_by\":");
        put_str(o, v->made_by);
        out_lit(o, ",\"confidence\":");
        put_num(o, v->confidence);
        if (v->conflict)
                out_lit(o, ",\"conflict\":true,\"evidence\":[");
        else
                out_lit(o, ",\"conflict\":false,\"evidence\":[");
        for (size_t i = 0; i < v->n_evidence; i++) {
                const VendorEvidence *e = &v->evidence[i];
                if (i)
                        out_lit(o, ",{\"source\":");
                else
                        out_lit(o, "{\"source\":");
                put_str(o, e->source);
                if (e->origin) {
                        out_lit(o, ",\"origin\":");
                        put_str(o, e->origin);
                }
                out_lit(o, ",\"value\":");
                put_str(o, e->value);
                out_lit(o, ",\"vendor\":");
                put_str(o, e->vendor);
                out_lit(o, ",\"weight\":");
                put_num(o, e->weight);
                if (e->note) {
                        out_lit(o, ",\"note\":");
                        put_str(o, e->note);
                }
                out_lit(o, "}");
        }
        out_lit(o, "]}\n");
        if (o->n >= OUT_FLUSH_AT)
                out_flush(o);
}

/* The "id" of a line that failed to parse as an observation, if the line
 * is at least a JSON object. */
static char *salvage_id(const char *line) {
        json_object *j = json_tokener_parse(line), *id;
        char *r = NULL;
        if (j && json_object_is_type(j, json_type_object) && json_object_object_get_ex(j, "id", &id) &&
            !json_object_is_type(id, json_type_null))
                r = strdup(json_object_get_string(id));
        json_object_put(j);
        return r;
}

static void json_tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

static int usage_error(const char *msg, const char *arg) {
        fprintf(stderr, "vendorwatchd: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
        fprintf(stderr, "usage: vendorwatchd --classify FILE|- [--vendors FILE] [--oui-dir DIR] [--enterprises FILE]\n");
        return 1;
}

int classify_main(int argc, char **argv) {
        const char *input = NULL;
        VendorPaths paths = {
                .catalogue = vw_default_vendors_file(),
                .oui_dir = VW_OUI_DIR,
                .enterprises = VW_ENTERPRISES_FILE,
        };
        static const struct {
                const char *name;
                size_t offset;
        } opts[] = {
                { "--vendors", offsetof(VendorPaths, catalogue) },
                { "--oui-dir", offsetof(VendorPaths, oui_dir) },
                { "--enterprises", offsetof(VendorPaths, enterprises) },
        };

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                size_t k;
                if (streq(a, "--classify")) {
                        if (i + 1 >= argc)
                                return usage_error("--classify needs FILE or -", NULL);
                        input = argv[++i];
                        continue;
                }
                for (k = 0; k < ELEMENTSOF(opts); k++)
                        if (streq(a, opts[k].name))
                                break;
                if (k == ELEMENTSOF(opts))
                        return usage_error("unknown option with --classify", a);
                if (i + 1 >= argc)
                        return usage_error("option needs a value", a);
                *(const char **) ((char *) &paths + opts[k].offset) = argv[++i];
        }
        if (!input)
                return usage_error("--classify needs FILE or -", NULL);

        _cleanup_(vendor_db_freep) VendorDb *db = NULL;
        _cleanup_free_ char *error = NULL;
        int r = vendor_db_load(&paths, &db, &error);
        if (r < 0) {
                fprintf(stderr, "vendorwatchd: %s\n", error ? error : strerror(-r));
                return 1;
        }

        FILE *in = streq(input, "-") ? stdin : fopen(input, "re");
        if (!in) {
                fprintf(stderr, "vendorwatchd: %s: %m\n", input);
                return 1;
        }
        _cleanup_free_ char *line = NULL;
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new_ex(32);
        if (!tok) {
                fprintf(stderr, "vendorwatchd: out of memory\n");
                return 1;
        }
        _cleanup_(out_done) OutBuf out = { .f = stdout };
        size_t cap = 0;
        unsigned long lineno = 0;
        bool bad = false;
        ssize_t len;
        while ((len = getline(&line, &cap, in)) >= 0) {
                lineno++;
                size_t n = (size_t) len;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
                        n--;
                if (n == 0)
                        continue;
                line[n] = '\0';

                Observation *o = NULL;
                _cleanup_free_ char *id = NULL, *err = NULL;
                if (strlen(line) != n) {
                        err = strdup("NUL byte in line");
                        r = -EINVAL;
                } else
                        r = observation_from_json_tok(tok, line, n, &o, &id, &err);
                if (r >= 0) {
                        const struct vw_observation *list[1] = { &o->o };
                        VendorVerdict v = VENDOR_VERDICT_INIT;
                        r = vendor_classify(db, list, 1, &v);
                        observation_free(o);
                        if (r >= 0) {
                                put_verdict(&out, id, &v);
                                vendor_verdict_done(&v);
                                continue;
                        }
                        free(err);
                        err = strdup(strerror(-r));
                }
                bad = true;
                if (!id)
                        id = salvage_id(line);
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "line %lu: %s", lineno, err ? err : strerror(-r)) < 0)
                        msg = NULL;
                out_lit(&out, "{\"id\":");
                put_str(&out, id);
                out_lit(&out, ",\"error\":");
                put_str(&out, msg ? msg : "out of memory");
                out_lit(&out, "}\n");
                fprintf(stderr, "vendorwatchd: %s: %s\n", streq(input, "-") ? "stdin" : input, msg ? msg : "out of memory");
        }
        if (in != stdin)
                fclose(in);
        out_flush(&out);
        if (out.err == -ENOMEM) {
                fprintf(stderr, "vendorwatchd: writing verdicts: out of memory\n");
                return 1;
        }
        if (out.err < 0 || fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "vendorwatchd: writing verdicts: %m\n");
                return 1;
        }
        return bad ? 2 : 0;
}
