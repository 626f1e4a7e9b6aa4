/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- IANA Private Enterprise Numbers (enterprises.tsv) ---- */

typedef struct EnterpriseDb EnterpriseDb;

int enterprise_db_load(const char *path, EnterpriseDb **ret, char **ret_error);
/* Parse the TSV text (number, whitespace, name; '#' comments). */
int enterprise_db_parse(const char *name, const char *text, size_t len, EnterpriseDb **ret, char **ret_error);
EnterpriseDb *enterprise_db_free(EnterpriseDb *db);

/* The organisation registered for number `pen`, or NULL. */
const char *enterprise_name(const EnterpriseDb *db, uint32_t pen);
size_t enterprise_count(const EnterpriseDb *db);
/* Largest registered number + 1 (ids for per-number tables). */
uint32_t enterprise_max(const EnterpriseDb *db);
time_t enterprise_file_time(const EnterpriseDb *db);
/* The "(last updated …)" date in the file header, or NULL. */
const char *enterprise_file_date(const EnterpriseDb *db);

/* Parse the enterprise number out of a sysObjectID ("1.3.6.1.4.1.N…", with
 * or without a leading dot).  Returns 0 and *ret, -ENOENT when the OID is
 * not under enterprises, -EINVAL when malformed. */
int enterprise_from_oid(const char *oid, uint32_t *ret);
