/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between vendor-catalogue.c (loading vendors.conf and mapping the
 * registries onto it) and vendor.c (scoring).  Not for other modules. */

#include <regex.h>
#include <stdint.h>

#include "enterprises.h"
#include "litset.h"
#include "oui.h"
#include "vendor.h"

/* Evidence classes: within a class only the strongest item per vendor
 * counts, classes add up. */
typedef enum EvClass {
        EV_ENTERPRISE,
        EV_DESCR,
        EV_ENTITY,
        EV_MED,
        EV_DHCP,
        EV_OUI_CHASSIS,
        EV_OUI_IFACE,
        _EV_MAX,
} EvClass;

/* Observation text fields rules can look at. */
typedef enum RuleField {
        FIELD_SYS_DESCR,
        FIELD_PLATFORM,
        FIELD_SW_VERSION,
        FIELD_ENTITY_MFG,
        FIELD_ENTITY_MODEL,
        FIELD_MED_MFG,
        FIELD_MED_MODEL,
        FIELD_DHCP_VENDOR_CLASS,
        FIELD_HOSTNAME,
        FIELD_SYS_OBJECT_ID,
        _FIELD_MAX,
} RuleField;

typedef struct FieldInfo {
        const char *name;       /* key in vendors.conf and evidence source */
        EvClass class;
} FieldInfo;
extern const FieldInfo vendor_fields[_FIELD_MAX];

typedef struct Vendor {
        char *slug, *name;
        bool restricted;
        bool has_oui;           /* lists blocks of its own ... */
        uint32_t oui_org;       /* ... interned under its display name */
        int16_t *makers;        /* vendor indexes, -1 terminated */
        int16_t *related;
} Vendor;

/* A literal with the pattern behind it: rules and org patterns. */
typedef struct Matcher {
        char *literal;          /* lowercase, required substring */
        size_t literal_len;
        bool has_regex;
        /* a pattern that is only a literal with anchors/word boundaries is
         * checked without the regex engine */
        bool at_start, word_start, word_end, at_end;
        regex_t re;
        uint32_t next;          /* chain in the rule bucket, 0 = end */
} Matcher;

typedef struct Rule {
        Matcher m;
        int16_t vendor;
        RuleField field;
        double weight;
        unsigned line;
        char note[24];          /* "rule at line N", the evidence's note */
} Rule;

typedef struct OrgPattern {
        Matcher m;
        int16_t vendor;         /* -2: an organisation that says nothing */
} OrgPattern;

/* Pairs of lowercase bytes. */
#define BIGRAM_BUCKETS 65536

/* Bounds of the automaton over the org patterns' literals (the shipped
 * catalogue needs 2,221 states of 34 byte classes). */
#define ORG_MAX_STATES 32768
#define ORG_MAX_CELLS (1u << 21)

/* Rule chains: small enough to stay in the first-level cache while a
 * description is scanned; a few hundred rules leave most buckets empty. */
#define RULE_BUCKETS 4096

#define VENDOR_IGNORED ((int16_t) -2)
#define VENDOR_UNMAPPED ((int16_t) -1)
#define VENDOR_NOT_MAPPED ((int16_t) -3)        /* a registry name not looked at yet */

typedef struct EnterpriseOverride {
        uint32_t number;
        int16_t vendor;         /* -1: generic, no vendor evidence */
        double weight;
        char *note;
} EnterpriseOverride;

typedef struct Weights {
        double enterprise, enterprise_org, enterprise_fallback;
        double entity_mfg, oui_chassis, oui_interface, oui_fallback;
        double conflict, restricted_min;
} Weights;

typedef struct Trust {
        char *source;
        double factor;
} Trust;

struct VendorDb {
        char *catalogue_path;
        Vendor *vendors;
        size_t n_vendors;
        int16_t *slug_slots;            /* vendor index by slug hash, -1 = empty */
        size_t slug_mask;
        Rule *rules;
        size_t n_rules;
        OrgPattern *orgs;
        size_t n_orgs;
        uint32_t rule_heads[RULE_BUCKETS];      /* rule index + 1 by rule_key(), chained by .m.next */
        /* per field, the bigrams that start a rule's literal: most bytes of
         * a description are passed over with one bit test */
        uint64_t rule_bigrams[_FIELD_MAX][BIGRAM_BUCKETS / 64];
        bool field_has_rules[_FIELD_MAX];
        LitSet *org_set;                /* the org patterns' literals, item = index in orgs */

        EnterpriseOverride *overrides;  /* sorted by number */
        size_t n_overrides;
        Weights w;
        Trust *trust;
        size_t n_trust;
        double trust_default;

        OuiDb *oui;
        int16_t *oui_vendor;            /* by OUI org id, mapped on first use */
        EnterpriseDb *ent;
        int16_t *ent_vendor;            /* by enterprise number (IANA name mapping), mapped on first use */
        uint32_t n_ent_vendor;
        uint64_t load_usec[3];          /* registries, enterprises, catalogue */
};

/* Bucket of two lowercase bytes. */
static inline unsigned bigram(uint8_t a, uint8_t b) {
        return (unsigned) a << 8 | b;
}

/* Bucket of a rule: its field and the first two bytes of its literal, or
 * the first three when it has three or more (c < 0: two).  A chain holds,
 * collisions aside, only rules of that field starting with those bytes. */
static inline unsigned rule_key(unsigned field, uint8_t a, uint8_t b, int c) {
        uint32_t x = (uint32_t) a | (uint32_t) b << 8 | (uint32_t) (c + 1) << 16 | (uint32_t) field << 25;
        return (x * 0x9E3779B1u) >> 20;     /* 12 bits: RULE_BUCKETS */
}

static inline uint8_t lower_ascii(uint8_t c) {
        return (c >= 'A' && c <= 'Z') ? (uint8_t) (c | 0x20) : c;
}

/* Does a literal found at text[i] (`low`: the n bytes of text, or their
 * lowercase copy) match the matcher's simple anchors? */
static inline bool is_word_byte(uint8_t c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static inline bool matcher_anchors_ok(const Matcher *m, const uint8_t *low, size_t n, size_t i) {
        size_t e = i + m->literal_len;
        if (m->at_start && i != 0)
                return false;
        if (m->at_end && e != n)
                return false;
        if (m->word_start && i > 0 && is_word_byte(lower_ascii(low[i - 1])))
                return false;
        if (m->word_end && e < n && is_word_byte(lower_ascii(low[e])))
                return false;
        return true;
}

/* Map an organisation name through the catalogue's org patterns:
 * vendor index, VENDOR_IGNORED or VENDOR_UNMAPPED. */
int16_t vendor_map_org(const VendorDb *db, const char *name);
/* The same for a registry organisation (OUI org id) or an IANA number,
 * mapped when first asked for and remembered. */
int16_t vendor_map_oui_org(const VendorDb *db, uint32_t org);
int16_t vendor_map_enterprise(const VendorDb *db, uint32_t pen);

int vendor_catalogue_load(VendorDb *db, const char *path, char **ret_error);
/* Load the catalogue from memory (fuzzing, tests); `name` is used in errors. */
int vendor_catalogue_parse(VendorDb *db, const char *name, const char *text, char **ret_error);
void vendor_catalogue_done(VendorDb *db);
int vendor_find(const VendorDb *db, const char *slug);
