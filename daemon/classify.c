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
 * straight to the stream instead of through a DOM. */
static void put_str(FILE *f, const char *s) {
        static const char hex[] = "0123456789abcdef";
        if (!s) {
                fputs_unlocked("null", f);
                return;
        }
        putc_unlocked('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                size_t run = 0;
                while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\' && p[run] != 0x7f)
                        run++;
                if (run > 0) {
                        fwrite_unlocked(p, 1, run, f);
                        p += run - 1;
                        continue;
                }
                switch (*p) {
                case '"':
                        fputs_unlocked("\\\"", f);
                        break;
                case '\\':
                        fputs_unlocked("\\\\", f);
                        break;
                case '\n':
                        fputs_unlocked("\\n", f);
                        break;
                case '\r':
                        fputs_unlocked("\\r", f);
                        break;
                case '\t':
                        fputs_unlocked("\\t", f);
                        break;
                default:
                        if (*p < 0x20 || *p == 0x7f) {
                                fputs_unlocked("\\u00", f);
                                putc_unlocked(hex[*p >> 4], f);
                                putc_unlocked(hex[*p & 15], f);
                        } else
                                putc_unlocked(*p, f);
                }
        }
        putc_unlocked('"', f);
}

/* Weights and confidences: 0..5 with three decimals. */
static void put_num(FILE *f, double d) {
        char buf[32];
        if (!(d >= 0 && d < 1e6)) {
                snprintf(buf, sizeof buf, "%.3g", d);
                fputs_unlocked(buf, f);
                return;
        }
        unsigned long m = (unsigned long) (d * 1000.0 + 0.5);
        int n = snprintf(buf, sizeof buf, "%lu", m / 1000);
        unsigned frac = (unsigned) (m % 1000);
        if (frac) {
                buf[n++] = '.';
                buf[n++] = (char) ('0' + frac / 100);
                frac %= 100;
                if (frac) {
                        buf[n++] = (char) ('0' + frac / 10);
                        if (frac % 10)
                                buf[n++] = (char) ('0' + frac % 10);
                }
        }
        fwrite_unlocked(buf, 1, (size_t) n, f);
}

static void put_verdict(FILE *f, const char *id, const VendorVerdict *v) {
        fputs_unlocked("{\"id\":", f);
        put_str(f, id);
        fputs_unlocked(",\"vendor\":", f);
        put_str(f, v->vendor);
        fputs_unlocked(",\"vendor_name\":", f);
        put_str(f, v->vendor_name);
        fputs_unlocked(",\"made_by\":", f);
        put_str(f, v->made_by);
        fputs_unlocked(",\"confidence\":", f);
        put_num(f, v->confidence);
        fputs_unlocked(v->conflict ? ",\"conflict\":true" : ",\"conflict\":false", f);
        fputs_unlocked(",\"evidence\":[", f);
        for (size_t i = 0; i < v->n_evidence; i++) {
                const VendorEvidence *e = &v->evidence[i];
                fputs_unlocked(i ? ",{\"source\":" : "{\"source\":", f);
                put_str(f, e->source);
                if (e->origin) {
                        fputs_unlocked(",\"origin\":", f);
                        put_str(f, e->origin);
                }
                fputs_unlocked(",\"value\":", f);
                put_str(f, e->value);
                fputs_unlocked(",\"vendor\":", f);
                put_str(f, e->vendor);
                fputs_unlocked(",\"weight\":", f);
                put_num(f, e->weight);
                if (e->note) {
                        fputs_unlocked(",\"note\":", f);
                        put_str(f, e->note);
                }
                putc_unlocked('}', f);
        }
        fputs_unlocked("]}\n", f);
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
                                put_verdict(stdout, id, &v);
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
                fputs_unlocked("{\"id\":", stdout);
                put_str(stdout, id);
                fputs_unlocked(",\"error\":", stdout);
                put_str(stdout, msg ? msg : "out of memory");
                fputs_unlocked("}\n", stdout);
                fprintf(stderr, "vendorwatchd: %s: %s\n", streq(input, "-") ? "stdin" : input, msg ? msg : "out of memory");
        }
        if (in != stdin)
                fclose(in);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "vendorwatchd: writing verdicts: %m\n");
                return 1;
        }
        return bad ? 2 : 0;
}
