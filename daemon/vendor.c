/* SPDX-License-Identifier: MIT */
/* The vendor engine's scoring: every piece of evidence becomes a weighted
 * vote; within one evidence class only the strongest vote per vendor counts
 * (twenty interface MACs are one fact, not twenty), classes add up, brands
 * absorb the votes of the makers they buy from, and the verdict shows all. */
#include <math.h>
#include <time.h>

#include "macro.h"
#include "observation.h"
#include "vendor-internal.h"

#define MAX_CANDIDATES 48
#define MAX_EVIDENCE 64
#define MAX_TEXT 1024           /* bytes of one text field that are scanned */
#define MAX_LIST_VALUES 16      /* ENTITY values looked at per observation */
#define MAX_VALUE 160           /* bytes of a raw value kept in the evidence */
#define MAX_NOTE 319            /* bytes of a note kept in the evidence */

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

typedef struct OrgMatch {
        const VendorDb *db;
        const char *name;
        size_t n;
        bool found;
        size_t len, start;
        uint32_t item;
} OrgMatch;

static void org_match(uint32_t item, size_t start, void *userdata) {
        OrgMatch *b = userdata;
        const OrgPattern *o = &b->db->orgs[item];
        size_t len = o->m.literal_len;
        /* the longest literal wins, then the leftmost, then the pattern
         * listed last; the regex only runs for a would-be winner */
        if (b->found && (len < b->len || (len == b->len && (start > b->start || (start == b->start && item < b->item)))))
                return;
        if (!matcher_anchors_ok(&o->m, (const uint8_t *) b->name, b->n, start))
                return;
        if (o->m.has_regex && regexec(&o->m.re, b->name, 0, NULL, 0) != 0)
                return;
        b->found = true, b->len = len, b->start = start, b->item = item;
}

int16_t vendor_map_org(const VendorDb *db, const char *name) {
        if (!name || !db->org_set)
                return VENDOR_UNMAPPED;
        /* the literals are looked for in the first 256 bytes */
        OrgMatch b = { .db = db, .name = name, .n = strnlen(name, 256) };
        litset_scan(db->org_set, name, b.n, org_match, &b);
        return b.found ? db->orgs[b.item].vendor : VENDOR_UNMAPPED;
}

VendorDb *vendor_db_free(VendorDb *db) {
        if (!db)
                return NULL;
        vendor_catalogue_done(db);
        free(db->catalogue_path);
        oui_db_free(db->oui);
        free(db->oui_vendor);
        enterprise_db_free(db->ent);
        free(db->ent_vendor);
        free(db);
        return NULL;
}


/* Registry organisations are mapped onto the catalogue when a verdict first
 * needs them, then remembered: a capture or a poll meets a few hundred of
 * the ~90k names, and start-up need not map them all.  (One thread: the
 * memo is written through the const VendorDb the scorer holds.) */
static int map_registries(VendorDb *db) {
        size_t n = oui_org_count(db->oui);
        db->oui_vendor = malloc((n ? n : 1) * sizeof *db->oui_vendor);
        if (!db->oui_vendor)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                db->oui_vendor[i] = VENDOR_NOT_MAPPED;
        /* blocks the catalogue lists carry the vendor's display name */
        for (size_t v = 0; v < db->n_vendors; v++)
                if (db->vendors[v].has_oui && db->vendors[v].oui_org < n)
                        db->oui_vendor[db->vendors[v].oui_org] = (int16_t) v;

        db->n_ent_vendor = enterprise_max(db->ent);
        db->ent_vendor = malloc((db->n_ent_vendor ? db->n_ent_vendor : 1) * sizeof *db->ent_vendor);
        if (!db->ent_vendor)
                return -ENOMEM;
        for (uint32_t pen = 0; pen < db->n_ent_vendor; pen++)
                db->ent_vendor[pen] = VENDOR_NOT_MAPPED;
        return 0;
}

int16_t vendor_map_oui_org(const VendorDb *db, uint32_t org) {
        int16_t *v = &db->oui_vendor[org];
        if (*v == VENDOR_NOT_MAPPED)
                *v = vendor_map_org(db, oui_org_name(db->oui, org));
        return *v;
}

int16_t vendor_map_enterprise(const VendorDb *db, uint32_t pen) {
        if (pen >= db->n_ent_vendor)
                return VENDOR_UNMAPPED;
        int16_t *v = &db->ent_vendor[pen];
        if (*v == VENDOR_NOT_MAPPED) {
                const char *name = enterprise_name(db->ent, pen);
                *v = name ? vendor_map_org(db, name) : VENDOR_UNMAPPED;
        }
        return *v;
}

static int set_error(char **ret_error, const char *msg) {
        if (ret_error)
                *ret_error = strdup(msg);
        return -EINVAL;
}

int vendor_db_build(const VendorPaths *paths, const char *catalogue_name, const char *catalogue_text,
                    VendorDb **ret, char **ret_error) {
        _cleanup_(vendor_db_freep) VendorDb *db = calloc(1, sizeof *db);
        int r;
        if (!db)
                return -ENOMEM;

        uint64_t t0 = now_usec();
        if (paths && paths->oui_dir)
                r = oui_db_load(paths->oui_dir, &db->oui, ret_error);
        else
                r = oui_db_new(&db->oui);
        if (r < 0)
                return r;
        uint64_t t1 = now_usec();
        if (paths && paths->enterprises)
                r = enterprise_db_load(paths->enterprises, &db->ent, ret_error);
        else
                r = enterprise_db_parse("(none)", "", 0, &db->ent, ret_error);
        if (r < 0)
                return r;
        uint64_t t2 = now_usec();

        if (catalogue_text)
                r = vendor_catalogue_parse(db, catalogue_name, catalogue_text, ret_error);
        else if (paths && paths->catalogue)
                r = vendor_catalogue_load(db, paths->catalogue, ret_error);
        else
                r = set_error(ret_error, "no vendor catalogue given");
        if (r < 0)
                return r;
        db->catalogue_path = strdup(catalogue_text ? catalogue_name : paths->catalogue);
        if (!db->catalogue_path)
                return -ENOMEM;
        r = oui_db_index(db->oui);
        if (r < 0)
                return r;
        r = map_registries(db);
        if (r < 0)
                return r;
        db->load_usec[0] = t1 - t0;
        db->load_usec[1] = t2 - t1;
        db->load_usec[2] = now_usec() - t2;
        *ret = TAKE_PTR(db);
        return 0;
}

int vendor_db_load(const VendorPaths *paths, VendorDb **ret, char **ret_error) {
        if (!paths || !paths->catalogue)
                return set_error(ret_error, "no vendor catalogue given");
        return vendor_db_build(paths, NULL, NULL, ret, ret_error);
}

int vendor_find_slug(const VendorDb *db, const char *slug) {
        return db && slug ? vendor_find(db, slug) : -1;
}

static bool list_has(const int16_t *l, int v) {
        for (; l && *l >= 0; l++)
                if (*l == v)
                        return true;
        return false;
}

static bool related_idx(const VendorDb *db, int a, int b) {
        if (a < 0 || b < 0)
                return false;
        if (a == b)
                return true;
        const Vendor *x = &db->vendors[a], *y = &db->vendors[b];
        return list_has(x->makers, b) || list_has(x->related, b) || list_has(y->makers, a) || list_has(y->related, a);
}

bool vendor_related(const VendorDb *db, const char *slug, const char *other) {
        if (!db || !slug || !other)
                return false;
        return related_idx(db, vendor_find(db, slug), vendor_find(db, other));
}

/* ---- classification ---- */

typedef struct Cand {
        int16_t vendor;         /* catalogue index, or -1 with org */
        const char *org;
        double cls[_EV_MAX];
        double total;
} Cand;

/* One piece of evidence while scoring: pointers into the observations and
 * the database, valid until vendor_classify() returns and packs them into
 * the verdict's single block.  A note is up to three parts, joined. */
typedef struct Ev {
        const char *source, *value, *origin, *org;
        const char *note[3];
        uint16_t note_max;      /* bytes of the joined note kept */
        int16_t vendor;
        double weight;
} Ev;

typedef struct Scorer {
        const VendorDb *db;
        Cand cand[MAX_CANDIDATES];
        size_t n_cand;
        Ev ev[MAX_EVIDENCE];
        size_t n_ev;
        double trust;
        const char *origin;
} Scorer;

static Cand *cand_get(Scorer *s, int16_t vendor, const char *org) {
        for (size_t i = 0; i < s->n_cand; i++)
                if (s->cand[i].vendor == vendor && (vendor >= 0 || streq(s->cand[i].org, org)))
                        return &s->cand[i];
        if (s->n_cand == MAX_CANDIDATES)
                return NULL;
        Cand *c = &s->cand[s->n_cand++];
        *c = (Cand) { .vendor = vendor, .org = org };
        return c;
}

/* Record one piece of evidence and, when it names a vendor, its vote.  The
 * note is note0, note1 and note2 joined (each may be NULL). */
static void evidence3(Scorer *s, EvClass cls, int16_t vendor, const char *org, const char *source,
                      const char *value, double weight, size_t note_max, const char *note0, const char *note1,
                      const char *note2) {
        if (vendor >= 0 || org) {
                Cand *c = cand_get(s, vendor, org);
                if (c && weight > c->cls[cls])
                        c->cls[cls] = weight;
        }
        if (s->n_ev >= MAX_EVIDENCE)
                return;
        s->ev[s->n_ev++] = (Ev) {
                .source = source,
                .value = value,
                .origin = s->origin,
                .org = vendor >= 0 ? NULL : org,
                .note = { note0, note1, note2 },
                .note_max = (uint16_t) note_max,
                .vendor = vendor,
                .weight = weight,
        };
}

static void evidence(Scorer *s, EvClass cls, int16_t vendor, const char *org, const char *source,
                     const char *value, double weight, const char *note) {
        evidence3(s, cls, vendor, org, source, value, weight, MAX_NOTE, note, NULL, NULL);
}

static void scan_rules(Scorer *s, RuleField field, const char *text) {
        const VendorDb *db = s->db;
        uint8_t buf[MAX_TEXT];
        uint32_t seen[16];
        size_t n, n_seen = 0;
        const uint64_t *bits = db->rule_bigrams[field];

        if (!text || !*text || !db->field_has_rules[field])
                return;
        n = strnlen(text, sizeof buf);
        for (size_t i = 0; i < n; i++)
                buf[i] = lower_ascii((uint8_t) text[i]);
        for (size_t i = 0; i + 1 < n; i++) {
                /* rules with a two-byte literal and those with a longer one
                 * are in two chains, both by falling index: merged, they
                 * are visited in catalogue order from the end */
                unsigned bg = bigram(buf[i], buf[i + 1]);
                if (!(bits[bg / 64] & (UINT64_C(1) << (bg % 64))))
                        continue;
                unsigned ka = rule_key(field, buf[i], buf[i + 1], -1);
                unsigned kb = i + 2 < n ? rule_key(field, buf[i], buf[i + 1], buf[i + 2]) : ka;
                uint32_t a = db->rule_heads[ka], b = kb != ka ? db->rule_heads[kb] : 0;
                while (a || b) {
                        uint32_t it;
                        if (a > b)
                                it = a, a = db->rules[a - 1].m.next;
                        else
                                it = b, b = db->rules[b - 1].m.next;
                        const Rule *ru = &db->rules[it - 1];
                        if (ru->field != field || ru->m.literal_len > n - i ||
                            memcmp(buf + i, ru->m.literal, ru->m.literal_len) != 0 ||
                            !matcher_anchors_ok(&ru->m, buf, n, i))
                                continue;
                        bool dup = false;
                        for (size_t k = 0; k < n_seen && !dup; k++)
                                dup = seen[k] == it;
                        if (dup)
                                continue;
                        if (n_seen < ELEMENTSOF(seen))
                                seen[n_seen++] = it;
                        if (ru->m.has_regex && regexec(&ru->m.re, text, 0, NULL, 0) != 0)
                                continue;
                        evidence(s, vendor_fields[field].class, ru->vendor, NULL, vendor_fields[field].name, text,
                                 ru->weight * s->trust, ru->note);
                }
        }
}

static const EnterpriseOverride *find_override(const VendorDb *db, uint32_t pen) {
        size_t lo = 0, hi = db->n_overrides;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (db->overrides[mid].number < pen)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < db->n_overrides && db->overrides[lo].number == pen ? &db->overrides[lo] : NULL;
}

static void score_enterprise(Scorer *s, const char *oid) {
        const VendorDb *db = s->db;
        uint32_t pen;
        int r = enterprise_from_oid(oid, &pen);
        if (r == -EINVAL) {
                evidence(s, EV_ENTERPRISE, -1, NULL, "sysobjectid", oid, 0, "malformed sysObjectID: no evidence");
                return;
        }
        if (r < 0)
                return;         /* not under enterprises: says nothing */
        const char *iana = enterprise_name(db->ent, pen);
        const EnterpriseOverride *o = find_override(db, pen);
        if (o) {
                if (o->vendor < 0) {
                        evidence(s, EV_ENTERPRISE, -1, NULL, "sysobjectid", oid, 0,
                                 o->note ? o->note : "generic enterprise number: no vendor evidence");
                        return;
                }
                evidence3(s, EV_ENTERPRISE, o->vendor, NULL, "sysobjectid", oid,
                          (o->weight >= 0 ? o->weight : db->w.enterprise) * s->trust, MAX_NOTE,
                          o->note ? o->note : "catalogue number", iana ? "; IANA: " : NULL, iana);
                return;
        }
        if (!iana) {
                evidence(s, EV_ENTERPRISE, -1, NULL, "sysobjectid", oid, 0, "unregistered enterprise number");
                return;
        }
        int16_t v = vendor_map_enterprise(db, pen);
        double w = v >= 0 ? db->w.enterprise_org : v == VENDOR_UNMAPPED ? db->w.enterprise_fallback : 0;
        evidence3(s, EV_ENTERPRISE, v >= 0 ? v : -1, v == VENDOR_UNMAPPED ? iana : NULL, "sysobjectid", oid,
                  w * s->trust, MAX_NOTE, "IANA: ", iana, NULL);
}

static void score_mfg(Scorer *s, EvClass cls, const char *source, const char *mfg) {
        if (isempty(mfg))
                return;
        int16_t v = vendor_map_org(s->db, mfg);
        if (v >= 0)
                evidence(s, cls, v, NULL, source, mfg, s->db->w.entity_mfg * s->trust, "manufacturer name");
}

typedef struct MacSeen {
        uint32_t org;
        bool chassis;
        unsigned count;
} MacSeen;

static void score_mac(Scorer *s, const char *text, bool chassis, MacSeen *seen, size_t *n_seen, bool *weak_noted) {
        const VendorDb *db = s->db;
        const char *source = chassis ? "oui:chassis" : "oui:interface";
        uint8_t mac[6];
        if (mac_parse(text, mac) < 0) {
                evidence(s, chassis ? EV_OUI_CHASSIS : EV_OUI_IFACE, -1, NULL, source, text, 0,
                         "not a MAC address: no evidence");
                return;
        }
        if (mac_is_weak(mac)) {
                if (!*weak_noted)
                        evidence(s, chassis ? EV_OUI_CHASSIS : EV_OUI_IFACE, -1, NULL, source, text, 0,
                                 (mac[0] & 1) ? "multicast or virtual MAC: no vendor evidence"
                                 : (mac[0] & 2) ? "locally administered MAC: no vendor evidence"
                                                : "virtual-router or null MAC: no vendor evidence");
                *weak_noted = true;
                return;
        }
        unsigned bits = 0;
        uint32_t org = oui_lookup(db->oui, mac, &bits);
        if (org == OUI_NONE)
                return;
        for (size_t i = 0; i < *n_seen; i++)
                if (seen[i].org == org && seen[i].chassis == chassis) {
                        seen[i].count++;
                        return;
                }
        if (*n_seen < 8)
                seen[(*n_seen)++] = (MacSeen) { .org = org, .chassis = chassis, .count = 1 };
        int16_t v = vendor_map_oui_org(db, org);
        const char *name = oui_org_name(db->oui, org);
        const char *kind = bits == 24 ? "MA-L " : bits == 28 ? "MA-M " : "MA-S ";
        EvClass cls = chassis ? EV_OUI_CHASSIS : EV_OUI_IFACE;
        double w = chassis ? db->w.oui_chassis : db->w.oui_interface;
        if (v >= 0)
                evidence3(s, cls, v, NULL, source, text, w * s->trust, 299, kind, name, NULL);
        else if (v == VENDOR_UNMAPPED)
                evidence3(s, cls, -1, name, source, text, db->w.oui_fallback * (chassis ? 1.0 : 0.8) * s->trust,
                          299, kind, name, NULL);
}

static double trust_of(const VendorDb *db, const char *source) {
        if (source)
                for (size_t i = 0; i < db->n_trust; i++)
                        if (streq(db->trust[i].source, source))
                                return db->trust[i].factor;
        return db->trust_default;
}

static void score_observation(Scorer *s, const struct vw_observation *o) {
        s->trust = trust_of(s->db, o->source);
        s->origin = o->source;

        if (o->sys_object_id) {
                score_enterprise(s, o->sys_object_id);
                scan_rules(s, FIELD_SYS_OBJECT_ID, o->sys_object_id);
        }
        scan_rules(s, FIELD_SYS_DESCR, o->sys_descr);
        scan_rules(s, FIELD_PLATFORM, o->platform);
        scan_rules(s, FIELD_SW_VERSION, o->sw_version);
        scan_rules(s, FIELD_MED_MFG, o->med_mfg);
        scan_rules(s, FIELD_MED_MODEL, o->med_model);
        scan_rules(s, FIELD_DHCP_VENDOR_CLASS, o->dhcp_vendor_class);
        scan_rules(s, FIELD_HOSTNAME, o->hostname);
        score_mfg(s, EV_MED, "med_mfg", o->med_mfg);
        for (size_t i = 0; o->entity_mfg && i < o->n_entity_mfg && i < MAX_LIST_VALUES; i++) {
                scan_rules(s, FIELD_ENTITY_MFG, o->entity_mfg[i]);
                score_mfg(s, EV_ENTITY, "entity_mfg", o->entity_mfg[i]);
        }
        for (size_t i = 0; o->entity_model && i < o->n_entity_model && i < MAX_LIST_VALUES; i++)
                scan_rules(s, FIELD_ENTITY_MODEL, o->entity_model[i]);

        MacSeen seen[8];
        size_t n_seen = 0;
        bool weak_noted = false;
        if (o->chassis_id && (streq_ptr(o->chassis_subtype, "mac") ||
                              (!o->chassis_subtype && mac_parse(o->chassis_id, (uint8_t[6]) {}) == 0)))
                score_mac(s, o->chassis_id, true, seen, &n_seen, &weak_noted);
        /* an end host's MACs (ARP, DHCP, forwarding tables) are its own
         * hardware addresses, not a switch's interface list */
        bool own = streq_ptr(o->kind, "host");
        for (size_t i = 0; o->macs && i < o->n_macs && i < 64; i++)
                if (o->macs[i])
                        score_mac(s, o->macs[i], own, seen, &n_seen, &weak_noted);
}

static double cand_max(const Cand *c) {
        double m = 0;
        for (size_t k = 0; k < _EV_MAX; k++)
                m = fmax(m, c->cls[k]);
        return m;
}

static bool cand_related(const VendorDb *db, const Cand *a, const Cand *b) {
        if (a == b)
                return true;
        if (a->vendor < 0 || b->vendor < 0)
                return a->vendor < 0 && b->vendor < 0 && streq(a->org, b->org);
        return related_idx(db, a->vendor, b->vendor);
}

static size_t str_size(const char *s) {
        return s ? strlen(s) + 1 : 0;
}

static char *str_put(char **p, const char *s) {
        if (!s)
                return NULL;
        size_t n = strlen(s) + 1;
        char *d = memcpy(*p, s, n);
        *p += n;
        return d;
}

int vendor_verdict_pack(VendorVerdict *v) {
        if (v->block)
                return 0;       /* vendor_classify() already made it one block */
        size_t size = v->n_evidence * sizeof(VendorEvidence) + str_size(v->vendor) + str_size(v->vendor_name) +
                      str_size(v->made_by);
        for (size_t i = 0; i < v->n_evidence; i++) {
                const VendorEvidence *e = &v->evidence[i];
                size += str_size(e->source) + str_size(e->value) + str_size(e->vendor) + str_size(e->note) +
                        str_size(e->origin);
        }
        if (size == 0)
                return 0;
        uint8_t *block = malloc(size);
        if (!block) {
                vendor_verdict_done(v);
                return -ENOMEM;
        }
        VendorVerdict packed = {
                .confidence = v->confidence,
                .conflict = v->conflict,
                .evidence = v->n_evidence ? (VendorEvidence *) block : NULL,
                .n_evidence = v->n_evidence,
                .block = block,
        };
        char *p = (char *) (block + v->n_evidence * sizeof(VendorEvidence));
        for (size_t i = 0; i < v->n_evidence; i++) {
                const VendorEvidence *e = &v->evidence[i];
                packed.evidence[i] = (VendorEvidence) {
                        .weight = e->weight,
                        .source = str_put(&p, e->source),
                        .value = str_put(&p, e->value),
                        .vendor = str_put(&p, e->vendor),
                        .note = str_put(&p, e->note),
                        .origin = str_put(&p, e->origin),
                };
        }
        packed.vendor = str_put(&p, v->vendor);
        packed.vendor_name = str_put(&p, v->vendor_name);
        packed.made_by = str_put(&p, v->made_by);
        vendor_verdict_done(v);
        *v = packed;
        return 0;
}

/* Lengths of one scoring evidence's strings in the verdict. */
typedef struct EvLen {
        size_t source, value, origin, vendor, note[3], note_total;
} EvLen;

static size_t ev_lengths(const VendorDb *db, const Ev *e, EvLen *l) {
        *l = (EvLen) {
                .source = strlen(e->source),
                .value = e->value ? strnlen(e->value, MAX_VALUE) : 0,
                .origin = e->origin ? strlen(e->origin) : 0,
                .vendor = e->vendor >= 0 ? strlen(db->vendors[e->vendor].slug) : e->org ? 4 + strlen(e->org) : 0,
        };
        size_t left = e->note_max;
        for (size_t k = 0; k < ELEMENTSOF(e->note); k++)
                if (e->note[k]) {
                        l->note[k] = strnlen(e->note[k], left);
                        left -= l->note[k];
                        l->note_total += l->note[k];
                }
        return l->source + 1 + (e->value ? l->value + 1 : 0) + (e->origin ? l->origin + 1 : 0) +
               (e->vendor >= 0 || e->org ? l->vendor + 1 : 0) + (e->note[0] ? l->note_total + 1 : 0);
}

static char *put_n(char **p, const char *s, size_t n) {
        char *d = *p;
        memcpy(d, s, n);
        d[n] = '\0';
        *p += n + 1;
        return d;
}

/* Index + 1 of the first evidence before i whose text at `offset` (a
 * `const char *` of Ev) is the same string, 0 for none. */
static uint8_t ev_first_same(const Scorer *s, size_t i, size_t offset) {
        const char *x = *(const char *const *) ((const uint8_t *) &s->ev[i] + offset);
        for (size_t j = 0; x && j < i; j++)
                if (*(const char *const *) ((const uint8_t *) &s->ev[j] + offset) == x)
                        return (uint8_t) (j + 1);
        return 0;
}

/* The verdict in one allocation: the evidence array, then every string. */
static int verdict_build(const Scorer *s, const char *vendor_prefix, const char *vendor, const char *vendor_name,
                         const char *made_by, double confidence, bool conflict, VendorVerdict *ret) {
        const VendorDb *db = s->db;
        EvLen lens[MAX_EVIDENCE];
        size_t lp = vendor_prefix ? strlen(vendor_prefix) : 0;
        size_t size = s->n_ev * sizeof(VendorEvidence) + (vendor ? lp + strlen(vendor) + 1 : 0) +
                      str_size(vendor_name) + str_size(made_by);
        /* a text several evidences share (a sysDescr that three rules
         * matched, the source, the origin, the vendor) is kept once: the
         * evidence after the first points at the first's copy */
        struct {
                uint8_t value, source, origin, vendor;  /* index + 1 of the first evidence with it, 0 = its own */
        } same[MAX_EVIDENCE];
        for (size_t i = 0; i < s->n_ev; i++) {
                const EvLen *l = &lens[i];
                size += ev_lengths(db, &s->ev[i], &lens[i]);
                same[i].value = ev_first_same(s, i, offsetof(Ev, value));
                same[i].source = ev_first_same(s, i, offsetof(Ev, source));
                same[i].origin = ev_first_same(s, i, offsetof(Ev, origin));
                same[i].vendor = 0;
                for (size_t j = 0; j < i && s->ev[i].vendor >= 0 && !same[i].vendor; j++)
                        if (s->ev[j].vendor == s->ev[i].vendor)
                                same[i].vendor = (uint8_t) (j + 1);
                size -= (same[i].value ? l->value + 1 : 0) + (same[i].source ? l->source + 1 : 0) +
                        (same[i].origin ? l->origin + 1 : 0) + (same[i].vendor ? l->vendor + 1 : 0);
        }
        VendorVerdict v = { .confidence = confidence, .conflict = conflict };
        if (size == 0) {
                *ret = v;
                return 0;
        }
        uint8_t *block = malloc(size);
        if (!block)
                return -ENOMEM;
        v.block = block;
        v.evidence = s->n_ev ? (VendorEvidence *) block : NULL;
        v.n_evidence = (uint32_t) s->n_ev;
        char *p = (char *) (block + s->n_ev * sizeof(VendorEvidence));
        for (size_t i = 0; i < s->n_ev; i++) {
                const Ev *e = &s->ev[i];
                const EvLen *l = &lens[i];
                VendorEvidence *o = &v.evidence[i];
                *o = (VendorEvidence) { .weight = e->weight };
                o->source = same[i].source ? v.evidence[same[i].source - 1].source : put_n(&p, e->source, l->source);
                if (same[i].value)
                        o->value = v.evidence[same[i].value - 1].value;
                else if (e->value)
                        o->value = put_n(&p, e->value, l->value);
                if (same[i].origin)
                        o->origin = v.evidence[same[i].origin - 1].origin;
                else if (e->origin)
                        o->origin = put_n(&p, e->origin, l->origin);
                if (e->note[0]) {
                        o->note = p;
                        for (size_t k = 0; k < ELEMENTSOF(e->note); k++)
                                if (e->note[k])
                                        memcpy(p, e->note[k], l->note[k]), p += l->note[k];
                        *p++ = '\0';
                }
                if (same[i].vendor)
                        o->vendor = v.evidence[same[i].vendor - 1].vendor;
                else if (e->vendor >= 0)
                        o->vendor = put_n(&p, db->vendors[e->vendor].slug, l->vendor);
                else if (e->org) {
                        o->vendor = p;
                        memcpy(p, "org:", 4);
                        p += 4;
                        put_n(&p, e->org, l->vendor - 4);
                }
        }
        if (vendor) {
                v.vendor = p;
                if (lp > 0)
                        memcpy(p, vendor_prefix, lp), p += lp;
                str_put(&p, vendor);
        }
        v.vendor_name = str_put(&p, vendor_name);
        v.made_by = str_put(&p, made_by);
        *ret = v;
        return 0;
}

int vendor_classify(const VendorDb *db, const struct vw_observation *const *obs, size_t n, VendorVerdict *ret) {
        /* not zeroed as a whole: its arrays are filled as they grow, and
         * clearing 9 KiB per device was a tenth of the work */
        Scorer s;
        s.db = db;
        s.n_cand = s.n_ev = 0;

        if (!db || !ret || (n > 0 && !obs))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (obs[i])
                        score_observation(&s, obs[i]);

        for (size_t i = 0; i < s.n_cand; i++) {
                Cand *c = &s.cand[i];
                for (size_t k = 0; k < _EV_MAX; k++)
                        c->total += c->cls[k];
        }
        /* A brand with evidence of its own takes its makers' votes: an HPE
         * Comware switch answering with H3C's number is still an HPE box. */
        int16_t made_by[MAX_CANDIDATES];
        double absorbed[MAX_CANDIDATES] = {};
        for (size_t i = 0; i < s.n_cand; i++) {
                Cand *a = &s.cand[i];
                made_by[i] = -1;
                if (a->vendor < 0 || !db->vendors[a->vendor].makers ||
                    a->total - a->cls[EV_OUI_CHASSIS] - a->cls[EV_OUI_IFACE] <= 0)
                        continue;
                double best = 0;
                for (size_t j = 0; j < s.n_cand; j++) {
                        Cand *b = &s.cand[j];
                        if (b->vendor >= 0 && list_has(db->vendors[a->vendor].makers, b->vendor)) {
                                absorbed[i] += b->total;
                                if (b->total > best)
                                        best = b->total, made_by[i] = b->vendor;
                        }
                }
        }

        ssize_t win = -1;
        double win_score = 0;
        for (size_t i = 0; i < s.n_cand; i++) {
                const Cand *c = &s.cand[i];
                double score = c->total + absorbed[i];
                if (score <= 0)
                        continue;
                /* restricted vendors need more than a whisper */
                if (c->vendor >= 0 && db->vendors[c->vendor].restricted && score < db->w.restricted_min)
                        continue;
                if (win < 0 || score > win_score + 1e-9 ||
                    (fabs(score - win_score) <= 1e-9 && c->vendor >= 0 && s.cand[win].vendor < 0)) {
                        win = (ssize_t) i;
                        win_score = score;
                }
        }

        if (win < 0)
                return verdict_build(&s, NULL, NULL, NULL, NULL, 0, false, ret);

        const Cand *w = &s.cand[win];
        double others = 0;
        bool conflict = false;
        for (size_t i = 0; i < s.n_cand; i++) {
                const Cand *c = &s.cand[i];
                if (cand_related(db, w, c))
                        continue;
                others += c->total;
                if (cand_max(c) >= db->w.conflict && cand_max(w) >= db->w.conflict)
                        conflict = true;
        }
        double confidence = fmin(1.0, win_score) * win_score / (win_score + others);
        confidence = round(confidence * 1000.0) / 1000.0;
        if (w->vendor >= 0)
                return verdict_build(&s, NULL, db->vendors[w->vendor].slug, db->vendors[w->vendor].name,
                                     made_by[win] >= 0 && made_by[win] != w->vendor ? db->vendors[made_by[win]].slug
                                                                                    : NULL,
                                     confidence, conflict, ret);
        return verdict_build(&s, "org:", w->org, w->org, NULL, confidence, conflict, ret);
}

void vendor_verdict_done(VendorVerdict *v) {
        if (!v)
                return;
        if (v->block) {
                free(v->block);
                *v = (VendorVerdict) VENDOR_VERDICT_INIT;
                return;
        }
        free(v->vendor);
        free(v->vendor_name);
        free(v->made_by);
        for (size_t i = 0; i < v->n_evidence; i++)
                free(v->evidence[i].source);    /* one block per evidence */
        free(v->evidence);
        *v = (VendorVerdict) VENDOR_VERDICT_INIT;
}

static json_object *str_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

json_object *vendor_verdict_to_json(const VendorVerdict *v) {
        json_object *j = json_object_new_object(), *ev = json_object_new_array();
        if (!j || !ev) {
                json_object_put(j);
                json_object_put(ev);
                return NULL;
        }
        json_object_object_add(j, "vendor", str_or_null(v->vendor));
        json_object_object_add(j, "vendor_name", str_or_null(v->vendor_name));
        json_object_object_add(j, "made_by", str_or_null(v->made_by));
        json_object_object_add(j, "confidence", json_object_new_double(v->confidence));
        json_object_object_add(j, "conflict", json_object_new_boolean(v->conflict));
        for (size_t i = 0; i < v->n_evidence; i++) {
                const VendorEvidence *e = &v->evidence[i];
                json_object *o = json_object_new_object();
                if (!o)
                        break;
                json_object_object_add(o, "source", str_or_null(e->source));
                if (e->origin)
                        json_object_object_add(o, "origin", str_or_null(e->origin));
                json_object_object_add(o, "value", str_or_null(e->value));
                json_object_object_add(o, "vendor", str_or_null(e->vendor));
                json_object_object_add(o, "weight", json_object_new_double(round(e->weight * 1000.0) / 1000.0));
                if (e->note)
                        json_object_object_add(o, "note", str_or_null(e->note));
                json_object_array_add(ev, o);
        }
        json_object_object_add(j, "evidence", ev);
        return j;
}

json_object *vendor_db_status(const VendorDb *db) {
        static const char *const names[_OUI_FILE_MAX] = { "ma-l", "ma-m", "ma-s", "iab" };
        json_object *j = json_object_new_object(), *reg = json_object_new_object();
        if (!j || !reg) {
                json_object_put(j);
                json_object_put(reg);
                return NULL;
        }
        for (size_t f = 0; f < _OUI_FILE_MAX; f++) {
                const char *p = oui_file_path(db->oui, (OuiFile) f);
                if (!p)
                        continue;
                json_object *o = json_object_new_object();
                char date[32] = "";
                time_t t = oui_file_time(db->oui, (OuiFile) f);
                struct tm tm;
                if (t && gmtime_r(&t, &tm))
                        strftime(date, sizeof date, "%Y-%m-%d", &tm);
                json_object_object_add(o, "file", json_object_new_string(p));
                json_object_object_add(o, "date", json_object_new_string(date));
                json_object_object_add(reg, names[f], o);
        }
        json_object_object_add(reg, "blocks_24", json_object_new_int64((int64_t) oui_block_count(db->oui, 24)));
        json_object_object_add(reg, "blocks_28", json_object_new_int64((int64_t) oui_block_count(db->oui, 28)));
        json_object_object_add(reg, "blocks_36", json_object_new_int64((int64_t) oui_block_count(db->oui, 36)));
        json_object_object_add(j, "oui", reg);
        json_object *e = json_object_new_object();
        json_object_object_add(e, "numbers", json_object_new_int64((int64_t) enterprise_count(db->ent)));
        json_object_object_add(e, "date", str_or_null(enterprise_file_date(db->ent)));
        json_object_object_add(j, "enterprises", e);
        json_object *c = json_object_new_object();
        json_object_object_add(c, "file", str_or_null(db->catalogue_path));
        json_object_object_add(c, "vendors", json_object_new_int64((int64_t) db->n_vendors));
        json_object_object_add(c, "rules", json_object_new_int64((int64_t) db->n_rules));
        json_object_object_add(c, "org_patterns", json_object_new_int64((int64_t) db->n_orgs));
        json_object_object_add(c, "enterprise_numbers", json_object_new_int64((int64_t) db->n_overrides));
        json_object_object_add(j, "catalogue", c);
        json_object *t = json_object_new_object();
        json_object_object_add(t, "oui_ms", json_object_new_double((double) db->load_usec[0] / 1000.0));
        json_object_object_add(t, "enterprises_ms", json_object_new_double((double) db->load_usec[1] / 1000.0));
        json_object_object_add(t, "catalogue_ms", json_object_new_double((double) db->load_usec[2] / 1000.0));
        json_object_object_add(j, "load", t);
        return j;
}

const OuiDb *vendor_db_oui(const VendorDb *db) {
        return db ? db->oui : NULL;
}
