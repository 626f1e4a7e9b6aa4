/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The IEEE MAC address registries (MA-L 24-bit, MA-M 28-bit, MA-S and IAB
 * 36-bit blocks) with longest-prefix lookup, and the IANA Private Enterprise
 * Numbers.  Organisation names are interned: a lookup returns a small integer
 * id, the same for every block of one organisation, so callers can map ids
 * to vendors once.  Pure: no logging, no globals. */

#define OUI_NONE UINT32_MAX

typedef struct OuiDb OuiDb;

/* Registry files read by oui_db_load(), in order. */
typedef enum OuiFile {
        OUI_FILE_MA_L,          /* oui.csv */
        OUI_FILE_MA_M,          /* mam.csv */
        OUI_FILE_MA_S,          /* oui36.csv */
        OUI_FILE_IAB,           /* iab.csv (optional: retired, folded into MA-S) */
        _OUI_FILE_MAX,
} OuiFile;

/* An empty database (for fixtures and for oui_db_add()). */
int oui_db_new(OuiDb **ret);
/* Load every registry CSV of `dir` (oui.csv, mam.csv and oui36.csv are
 * required, iab.csv is optional).  On failure *ret_error reads
 * "file:line: reason" or "file: reason". */
int oui_db_load(const char *dir, OuiDb **ret, char **ret_error);
/* Parse one registry CSV held in memory (for tests and fuzzing). */
int oui_db_parse(OuiDb *db, const char *name, const char *text, size_t len, char **ret_error);
OuiDb *oui_db_free(OuiDb *db);

/* Add one block: `hex` is 6, 7 or 9 hex digits (24, 28, 36 bits), with
 * optional ':' '-' '.' separators.  Returns the organisation id (>= 0) or
 * -EINVAL.  A later block with the same prefix replaces the earlier one. */
int oui_db_add(OuiDb *db, const char *hex, const char *org);

/* Build the lookup index after oui_db_add()/oui_db_parse() (oui_db_load()
 * does it).  Lookups see the blocks indexed last. */
int oui_db_index(OuiDb *db);

/* Longest-prefix lookup.  Returns the organisation id or OUI_NONE; *ret_bits
 * (optional) receives the block size (24, 28 or 36). */
uint32_t oui_lookup(const OuiDb *db, const uint8_t mac[6], unsigned *ret_bits);

size_t oui_org_count(const OuiDb *db);
const char *oui_org_name(const OuiDb *db, uint32_t org);
/* Intern an organisation name (used for catalogue-provided blocks). */
int oui_org_intern(OuiDb *db, const char *name, uint32_t *ret);

/* Counts for `status`. */
size_t oui_block_count(const OuiDb *db, unsigned bits);
/* mtime of a loaded file (0 when not loaded) and its path. */
time_t oui_file_time(const OuiDb *db, OuiFile f);
const char *oui_file_path(const OuiDb *db, OuiFile f);

/* Read a whole file (at most `limit` bytes) into a NUL-terminated buffer. */
int read_file_full(const char *path, size_t limit, char **ret, size_t *ret_len);
