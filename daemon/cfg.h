/* SPDX-License-Identifier: MIT */
#pragma once

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>

/* Typed, range-checked access to a libconfig group that remembers which keys
 * were read, so that anything left over is reported as an unknown key.
 * Errors are "file:line: reason" in *error (the first one wins). */

typedef struct CfgError {
        char *message;                  /* malloc'd "file:line: reason" */
} CfgError;

typedef struct CfgGroup {
        const config_setting_t *setting;        /* NULL: an absent group (all keys default) */
        const char *name;                       /* for messages, e.g. "control" */
        const char *file;                       /* the config file, for relative paths and messages */
        char **seen;                            /* keys read (dotted paths) */
        size_t n_seen;
        CfgError *error;
} CfgGroup;

void cfg_group_init(CfgGroup *g, const config_setting_t *s, const char *name, const char *file, CfgError *err);
void cfg_group_done(CfgGroup *g);

/* 0 and *ret when present; -ENOENT when absent; -EINVAL (error recorded) on a
 * wrong type or range. */
int cfg_string(CfgGroup *g, const char *key, const char **ret);
int cfg_int(CfgGroup *g, const char *key, int64_t min, int64_t max, int64_t *ret);
int cfg_double(CfgGroup *g, const char *key, double min, double max, double *ret);
int cfg_bool(CfgGroup *g, const char *key, bool *ret);
int cfg_strings(CfgGroup *g, const char *key, const char ***ret, size_t *ret_n);  /* *ret malloc'd array of borrowed strings */
/* A sub-group or list element; marks `key` as seen.  -ENOENT when absent. */
int cfg_sub(CfgGroup *g, const char *key, CfgGroup *ret);
int cfg_list_count(CfgGroup *g, const char *key, size_t *ret_n);
int cfg_list_elem(CfgGroup *g, const char *key, size_t i, CfgGroup *ret);
/* Record "file:line: <msg>" at `key` (or the group) and return -EINVAL. */
int cfg_fail(CfgGroup *g, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Report the first key of the group that nobody read as unknown. */
int cfg_check_unknown(CfgGroup *g);
/* Resolve `path` against the config file's folder (malloc'd). */
char *cfg_resolve_path(const char *config_file, const char *path);
/* "file:line" of a key, malloc'd. */
char *cfg_where(CfgGroup *g, const char *key);

void cfg_error_done(CfgError *e);
