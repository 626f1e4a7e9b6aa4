/* SPDX-License-Identifier: MIT */
/* Output for people: aligned tables that fit the terminal (80 columns when
 * not a terminal), values sanitized before they reach a terminal (device
 * names and descriptions come from the network), and optional colour. */

#include <errno.h>
#include <inttypes.h>

#include "ctl.h"

/* Rows held back to measure the columns; later rows reuse those widths so a
 * long stream is printed as it arrives. */
#define TABLE_BATCH 512
#define TABLE_GAP 2

typedef struct Cell {
        char *text;               /* sanitized */
        const char *color;
} Cell;

struct Table {
        Ctl *ctl;
        const TableColumn *columns;
        size_t n_columns;
        size_t *widths;
        bool frozen;              /* widths fixed, header printed */
        Cell *cells;              /* TABLE_BATCH rows */
        size_t n_cells;
};

/* ---- text ---- */

/* Length of the UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, uint32_t *ret_cp) {
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, cp = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, cp = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates and out-of-range values */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        *ret_cp = cp;
        return n;
}

char *ctl_sanitize(const char *s, bool keep_newlines) {
        const unsigned char *p = (const unsigned char *) (s ?: "");
        size_t len = strlen((const char *) p);
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        while (*p) {
                uint32_t cp;
                size_t n = utf8_seq(p, &cp);

                if (n == 0) {
                        *o++ = '?';
                        p++;
                } else if (cp == '\n' || cp == '\t' || cp == '\r') {
                        *o++ = (keep_newlines && cp == '\n') ? '\n' : ' ';
                        p++;
                } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
                        *o++ = '?';
                        p += n;
                } else {
                        memcpy(o, p, n);
                        o += n;
                        p += n;
                }
        }
        *o = 0;
        return out;
}

size_t ctl_text_width(const char *s) {
        size_t w = 0;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if ((*p & 0xc0) != 0x80)
                        w++;
        return w;
}

char *ctl_truncate(const char *s, size_t width) {
        static const char ellipsis[] = "…";
        const char *p = s;
        size_t w = 0;

        if (ctl_text_width(s) <= width)
                return strdup(s);
        if (width == 0)
                return strdup("");
        /* keep width-1 code points, then the ellipsis */
        while (*p && w < width - 1) {
                p++;
                while ((*(const unsigned char *) p & 0xc0) == 0x80)
                        p++;
                w++;
        }
        size_t keep = (size_t) (p - s);
        char *out = malloc(keep + sizeof(ellipsis));
        if (!out)
                return NULL;
        memcpy(out, s, keep);
        memcpy(out + keep, ellipsis, sizeof(ellipsis));
        return out;
}

/* ---- JSON members for display ---- */

const char *ctl_str(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

bool ctl_bool(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
                return false;
        return json_object_get_boolean(v);
}

bool ctl_int(json_object *o, const char *key, int64_t *ret) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v))
                return false;
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}

static bool is_scalar(json_object *v) {
        return v && !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array);
}

char *ctl_value_text(json_object *v) {
        if (!v || json_object_is_type(v, json_type_null))
                return NULL;
        if (json_object_is_type(v, json_type_string))
                return strdup(json_object_get_string(v));
        if (json_object_is_type(v, json_type_double)) {
                /* 0.45, not 0.45000000000000001 */
                char *t;
                return asprintf(&t, "%.3g", json_object_get_double(v)) < 0 ? NULL : t;
        }
        if (is_scalar(v))
                return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);
                bool scalars = true;
                for (size_t i = 0; i < n; i++)
                        if (!is_scalar(json_object_array_get_idx(v, i)))
                                scalars = false;
                if (scalars) {
                        char *buf = NULL;
                        size_t size = 0;
                        FILE *f = open_memstream(&buf, &size);
                        if (!f)
                                return NULL;
                        for (size_t i = 0; i < n; i++) {
                                _cleanup_free_ char *t = ctl_value_text(json_object_array_get_idx(v, i));
                                fprintf(f, "%s%s", i ? ", " : "", t ?: "null");
                        }
                        fclose(f);
                        if (n == 0) {
                                free(buf);
                                return NULL;
                        }
                        return buf;
                }
        }
        return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

char *ctl_field_text(json_object *o, const char *key) {
        json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return ctl_value_text(v);
}

void ctl_print_field(Ctl *c, const char *label, const char *value, const char *color) {
        _cleanup_free_ char *safe = ctl_sanitize(value ?: "-", true);
        /* continuation lines of a multi-line value line up under the value */
        fprintf(c->out, "%*s: ", 16, label);
        for (const char *p = safe ?: ""; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                if (color && c->color)
                        fprintf(c->out, "%s%.*s%s", color, (int) len, p, ANSI_RESET);
                else
                        fprintf(c->out, "%.*s", (int) len, p);
                if (!nl)
                        break;
                fprintf(c->out, "\n%*s  ", 16, "");
                p = nl + 1;
        }
        fputc('\n', c->out);
}

void ctl_print_object(Ctl *c, json_object *o, unsigned indent) {
        if (!o || !json_object_is_type(o, json_type_object))
                return;
        json_object_object_foreach(o, key, v) {
                if (indent == 0 && (streq(key, "version") || streq(key, "ok")))
                        continue;
                _cleanup_free_ char *k = ctl_sanitize(key, false);
                if (json_object_is_type(v, json_type_object)) {
                        fprintf(c->out, "%*s%s:\n", (int) indent * 2, "", k ?: "");
                        ctl_print_object(c, v, indent + 1);
                        continue;
                }
                _cleanup_free_ char *t = ctl_value_text(v);
                _cleanup_free_ char *s = ctl_sanitize(t ?: "-", false);
                fprintf(c->out, "%*s%s: %s\n", (int) indent * 2, "", k ?: "", s ?: "");
        }
}

void ctl_print_json(Ctl *c, json_object *o) {
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (c->tty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
        fprintf(c->out, "%s\n", json_object_to_json_string_ext(o, flags));
}

/* ---- tables ---- */

Table *table_new(Ctl *c, const TableColumn *columns, size_t n_columns) {
        Table *t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        *t = (Table) {
                .ctl = c,
                .columns = columns,
                .n_columns = n_columns,
                .widths = calloc(n_columns, sizeof(size_t)),
                .cells = calloc(TABLE_BATCH * n_columns, sizeof(Cell)),
        };
        if (!t->widths || !t->cells) {
                free(t->widths);
                free(t->cells);
                free(t);
                return NULL;
        }
        return t;
}

static void table_measure(Table *t) {
        size_t total = 0, avail = t->ctl->width;

        for (size_t i = 0; i < t->n_columns; i++)
                t->widths[i] = ctl_text_width(t->columns[i].header);
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t w = ctl_text_width(t->cells[i].text);
                if (w > t->widths[i % t->n_columns])
                        t->widths[i % t->n_columns] = w;
        }
        for (size_t i = 0; i < t->n_columns; i++)
                total += t->widths[i] + (i ? TABLE_GAP : 0);

        /* cut the widest shrinkable column, one column at a time, until the
         * table fits or nothing can give */
        while (total > avail) {
                size_t widest = SIZE_MAX;
                for (size_t i = 0; i < t->n_columns; i++) {
                        size_t floor = t->columns[i].min_width;
                        if (!t->columns[i].shrink || t->widths[i] <= floor)
                                continue;
                        if (widest == SIZE_MAX || t->widths[i] > t->widths[widest])
                                widest = i;
                }
                if (widest == SIZE_MAX)
                        break;
                t->widths[widest]--;
                total--;
        }
}

static void table_print_cell(Table *t, size_t col, const char *text, const char *color, bool header) {
        FILE *out = t->ctl->out;
        bool last = col + 1 == t->n_columns;
        _cleanup_free_ char *cut = ctl_truncate(text, t->widths[col]);
        size_t w;

        if (!cut)
                return;
        w = ctl_text_width(cut);
        if (col > 0)
                fprintf(out, "%*s", TABLE_GAP, "");
        if (t->ctl->color && (color || header))
                fprintf(out, "%s%s%s", header ? ANSI_BOLD : color, cut, ANSI_RESET);
        else
                fputs(cut, out);
        if (!last)
                fprintf(out, "%*s", (int) (t->widths[col] - w), "");
}

static void table_flush(Table *t) {
        if (!t->frozen) {
                table_measure(t);
                for (size_t i = 0; i < t->n_columns; i++)
                        table_print_cell(t, i, t->columns[i].header, NULL, true);
                fputc('\n', t->ctl->out);
                t->frozen = true;
        }
        for (size_t i = 0; i < t->n_cells; i++) {
                table_print_cell(t, i % t->n_columns, t->cells[i].text, t->cells[i].color, false);
                if (i % t->n_columns == t->n_columns - 1)
                        fputc('\n', t->ctl->out);
                free(t->cells[i].text);
                t->cells[i].text = NULL;
        }
        t->n_cells = 0;
}

int table_cell(Table *t, const char *text, const char *color) {
        char *s;

        if (!t)
                return -ENOMEM;
        s = ctl_sanitize(isempty(text) ? "-" : text, false);
        if (!s)
                return -ENOMEM;
        t->cells[t->n_cells++] = (Cell) { .text = s, .color = color };
        if (t->n_cells == TABLE_BATCH * t->n_columns)
                table_flush(t);
        return 0;
}

Table *table_discard(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i].text);
        free(t->cells);
        free(t->widths);
        free(t);
        return NULL;
}

Table *table_finish(Table *t) {
        if (!t)
                return NULL;
        /* a partial last row is padded so it still prints */
        while (t->n_cells % t->n_columns)
                table_cell(t, NULL, NULL);
        table_flush(t);
        fflush(t->ctl->out);
        return table_discard(t);
}
