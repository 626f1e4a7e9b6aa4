/* SPDX-License-Identifier: MIT */
#include <json-c/json.h>
#include <stdio.h>

#include "classify.h"
#include "jsonout.h"
#include "macro.h"
#include "observation.h"
#include "paths.h"
#include "vendor.h"
#include "vw-config.h"

/* Verdicts go out at line rate: written as JSON text into one reused
 * buffer (jsonout, no json-c tree), handed to stdio 64 KiB at a time. */
#define OUT_FLUSH_AT (64u * 1024u)

static int out_flush(JsonOut *o, FILE *f) {
        int r = o->oom ? -ENOMEM : 0;
        if (r == 0 && o->len > 0 && fwrite_unlocked(o->buf, 1, o->len, f) != o->len)
                r = -EIO;
        jsonout_reset(o);
        return r;
}

/* Weights and confidences: 0..5 with at most three decimals, as the
 * engine rounds them. */
static void put_num(JsonOut *o, double d) {
        char buf[32];
        if (!(d >= 0 && d < 1e6)) {
                jsonout_double(o, d);
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
        jsonout_raw(o, b, (size_t) (e - b));
}

static void put_verdict(JsonOut *o, const char *id, const VendorVerdict *v) {
        jsonout_object_begin(o);
        jsonout_kv_string(o, "id", id);
        jsonout_kv_string(o, "vendor", v->vendor);
        jsonout_kv_string(o, "vendor_name", v->vendor_name);
        jsonout_kv_string(o, "made_by", v->made_by);
        JSONOUT_KEY(o, "confidence");
        put_num(o, v->confidence);
        jsonout_kv_bool(o, "conflict", v->conflict);
        JSONOUT_KEY(o, "evidence");
        jsonout_array_begin(o);
        for (size_t i = 0; i < v->n_evidence; i++) {
                const VendorEvidence *e = &v->evidence[i];
                jsonout_object_begin(o);
                jsonout_kv_string(o, "source", e->source);
                if (e->origin)
                        jsonout_kv_string(o, "origin", e->origin);
                jsonout_kv_string(o, "value", e->value);
                jsonout_kv_string(o, "vendor", e->vendor);
                JSONOUT_KEY(o, "weight");
                put_num(o, e->weight);
                if (e->note)
                        jsonout_kv_string(o, "note", e->note);
                jsonout_object_end(o);
        }
        jsonout_array_end(o);
        jsonout_object_end(o);
        jsonout_raw(o, "\n", 1);
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
        _cleanup_(jsonout_done) JsonOut out = {};
        int out_r = 0;
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
                                if (out.len >= OUT_FLUSH_AT && out_r == 0)
                                        out_r = out_flush(&out, stdout);
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
                jsonout_object_begin(&out);
                jsonout_kv_string(&out, "id", id);
                jsonout_kv_string(&out, "error", msg ? msg : "out of memory");
                jsonout_object_end(&out);
                jsonout_raw(&out, "\n", 1);
                fprintf(stderr, "vendorwatchd: %s: %s\n", streq(input, "-") ? "stdin" : input, msg ? msg : "out of memory");
        }
        if (in != stdin)
                fclose(in);
        if (out_r == 0)
                out_r = out_flush(&out, stdout);
        if (out_r == -ENOMEM) {
                fprintf(stderr, "vendorwatchd: writing verdicts: out of memory\n");
                return 1;
        }
        if (out_r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "vendorwatchd: writing verdicts: %m\n");
                return 1;
        }
        return bad ? 2 : 0;
}
