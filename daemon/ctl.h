/* SPDX-License-Identifier: MIT */
#pragma once

/* vendorwatchctl internals: the client of the control socket
 * (docs/protocol.md).  It links json-c only. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

/* Exit statuses (documented in vendorwatchctl(8)). */
enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_ERROR = 1,       /* the daemon answered with an error, or the reply was bad */
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_CONNECT = 3,     /* the socket could not be reached */
};

static inline void ctl_json_putp(json_object **o) { json_object_put(*o); }
#define _cleanup_json_ _cleanup_(ctl_json_putp)

typedef struct CtlConn CtlConn;

typedef struct Ctl {
        const char *socket;
        bool json;
        bool color;               /* stdout is a terminal and colour is wanted */
        bool tty;
        unsigned width;           /* columns a table may use */
        FILE *out;
        CtlConn *conn;            /* opened on first use */
        int exit_status;          /* set by whoever printed the failure */
        bool quiet;               /* keep error replies in `error`, do not print them */
        char *error;              /* the last error reply (malloc'd) */
} Ctl;

/* ---- ctl-conn.c: talking to the daemon ---- */

CtlConn *ctl_conn_free(CtlConn *c);
static inline void ctl_conn_freep(CtlConn **c) { ctl_conn_free(*c); }

/* Send one request and read the single-object reply.  An error reply is
 * printed ("vendorwatchctl: <error>") and returns -EREMOTE.  Every failure
 * sets c->exit_status. */
int ctl_call(Ctl *c, json_object *req, json_object **ret);

/* Send one request and hand each item of the stream reply to `item`
 * (which may keep a reference with json_object_get()).  A negative value from
 * `item` stops the stream and is returned. */
typedef int (*ctl_item_fn)(Ctl *c, json_object *item, void *userdata);
int ctl_stream(Ctl *c, json_object *req, ctl_item_fn item, void *userdata);
/* The same, handing item lines over unparsed when `raw` is set. */
typedef int (*ctl_raw_fn)(Ctl *c, const char *line, size_t len, void *userdata);
int ctl_stream_raw(Ctl *c, json_object *req, ctl_item_fn item, ctl_raw_fn raw, void *userdata);

/* A request object {"version":1,"command":name}. */
json_object *ctl_request(const char *command);

/* ---- ctl-table.c: output for people ---- */

typedef struct TableColumn {
        const char *header;
        unsigned min_width;       /* a shrinkable column is never cut below this */
        bool shrink;              /* may be truncated to fit the width */
} TableColumn;

typedef struct Table Table;

Table *table_new(Ctl *c, const TableColumn *columns, size_t n_columns);
/* Add the next cell of the current row (NULL text prints "-"); colour is an
 * SGR code such as ANSI_RED or NULL. */
int table_cell(Table *t, const char *text, const char *color);
/* Print what is buffered and free the table. */
Table *table_finish(Table *t);
/* Free without printing anything (the request failed before any row). */
Table *table_discard(Table *t);
static inline void table_finishp(Table **t) { table_finish(*t); }

#define ANSI_RED "\033[31m"
#define ANSI_BOLD "\033[1m"
#define ANSI_BOLD_RED "\033[1;31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_GREEN "\033[32m"
#define ANSI_RESET "\033[0m"

/* A copy of `s` safe to print on a terminal: invalid UTF-8 and control
 * characters (C0, DEL, C1) become '?', tabs and newlines become spaces unless
 * keep_newlines. */
char *ctl_sanitize(const char *s, bool keep_newlines);
/* Display width in columns (code points; the input is sanitized). */
size_t ctl_text_width(const char *s);
/* Copy of `s` cut to at most `width` columns, ending with "…" when cut. */
char *ctl_truncate(const char *s, size_t width);

/* Member `key` as text for display (malloc'd), or NULL when missing or null.
 * Strings as they are, numbers and booleans in JSON form, arrays of scalars
 * joined with ", ", anything else as JSON. */
char *ctl_field_text(json_object *o, const char *key);
char *ctl_value_text(json_object *v);
/* A member as a string / bool / int with type checks (NULL/false/def otherwise). */
const char *ctl_str(json_object *o, const char *key);
bool ctl_bool(json_object *o, const char *key);
bool ctl_int(json_object *o, const char *key, int64_t *ret);

/* "  Key: value" lines, sanitized, with the value coloured when color != NULL. */
void ctl_print_field(Ctl *c, const char *label, const char *value, const char *color);
/* Print a reply object's members generically (skipping "version" and "ok"). */
void ctl_print_object(Ctl *c, json_object *o, unsigned indent);
/* JSON out (pretty on a terminal). */
void ctl_print_json(Ctl *c, json_object *o);

/* ---- ctl-render.c: topology and the compliance report ---- */

int ctl_render_topology(Ctl *c, json_object *topology, const char *format);
int ctl_report(Ctl *c, const char *format);

/* "YYYY-MM-DDTHH:MM:SSZ" for now, into buf[32]. */
char *ctl_now_rfc3339(char buf[static 32]);
