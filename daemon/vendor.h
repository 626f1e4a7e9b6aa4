/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "vendorwatch/plugin.h"

/* The vendor engine: registries (IEEE OUI, IANA enterprise numbers) plus the
 * catalogue in vendors.conf, scored over the evidence of a device's
 * observations.  Pure: no logging above debug, no global state. */

typedef struct VendorDb VendorDb;

typedef struct VendorPaths {
        const char *catalogue;          /* vendors.conf */
        const char *oui_dir;            /* folder of oui.csv, mam.csv, oui36.csv, iab.csv */
        const char *enterprises;        /* enterprises.tsv */
} VendorPaths;

typedef struct VendorEvidence {
        char *source;                   /* "oui:chassis", "sysobjectid", "sysdescr", "entity_mfg", … */
        char *value;                    /* the raw value it came from */
        char *vendor;                   /* slug or "org:<name>", NULL for "no evidence" notes */
        double weight;
        char *note;                     /* e.g. "locally administered MAC: no vendor evidence" */
        char *origin;                   /* the observation's source ("snmp", "lldp", …) or NULL */
        /* Without VendorVerdict.block, all strings of one evidence live in
         * one allocation owned by .source. */
} VendorEvidence;

typedef struct VendorVerdict {
        char *vendor;                   /* slug, "org:<name>", or NULL */
        char *vendor_name;              /* display name */
        char *made_by;                  /* maker slug when brand and maker differ, else NULL */
        double confidence;              /* 0..1 */
        VendorEvidence *evidence;
        uint32_t n_evidence;            /* at most a few (vendor.c's MAX_EVIDENCE) */
        bool conflict;
        void *block;                    /* when set, everything above lives in this one allocation
                                         * (always, for a verdict from vendor_classify()) */
} VendorVerdict;

#define VENDOR_VERDICT_INIT {}

/* Load the catalogue and registries.  On failure *ret_error (malloc'd) reads
 * "file:line: reason" or "file: reason". */
int vendor_db_load(const VendorPaths *paths, VendorDb **ret, char **ret_error);
VendorDb *vendor_db_free(VendorDb *db);

/* Like vendor_db_load(), but the catalogue comes from memory (`name` is used
 * in its error messages) when `catalogue_text` is non-NULL, and a NULL
 * oui_dir / enterprises path stands for an empty registry (tests, fuzzing). */
int vendor_db_build(const VendorPaths *paths, const char *catalogue_name, const char *catalogue_text,
                    VendorDb **ret, char **ret_error);

/* Index of a catalogue vendor, or -1. */
int vendor_find_slug(const VendorDb *db, const char *slug);

/* The MAC registries behind the engine (benchmarks, `status`). */
struct OuiDb;
const struct OuiDb *vendor_db_oui(const VendorDb *db);

/* Classify a device from its observations (one per source, in any order).
 * The source of each observation weighs its evidence (a polled SNMP answer
 * outranks an unauthenticated LLDP/CDP/DHCP claim). */
int vendor_classify(const VendorDb *db, const struct vw_observation *const *obs, size_t n, VendorVerdict *ret);
void vendor_verdict_done(VendorVerdict *v);
/* Move a finished verdict into one allocation: the inventory keeps one per
 * device, and a dozen small blocks each cost more in allocator overhead than
 * their text.  A verdict already in one block (every verdict from
 * vendor_classify()) is left as it is.  On failure the verdict is released. */
int vendor_verdict_pack(VendorVerdict *v);

/* {"vendor", "vendor_name", "made_by", "confidence", "conflict", "evidence": [...]} */
json_object *vendor_verdict_to_json(const VendorVerdict *v);

/* Information for `status`: registry files with their dates and counts,
 * catalogue vendor and rule counts. */
json_object *vendor_db_status(const VendorDb *db);

/* Is `slug` the brand or maker of `other` (e.g. hpe/h3c)? */
bool vendor_related(const VendorDb *db, const char *slug, const char *other);

static inline void vendor_db_freep(VendorDb **db) { vendor_db_free(*db); }
static inline void vendor_verdict_donep(VendorVerdict *v) { vendor_verdict_done(v); }
