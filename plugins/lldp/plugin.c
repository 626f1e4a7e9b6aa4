/* SPDX-License-Identifier: MIT */
/*
 * The lldp plugin: passive LLDP/CDP discovery.  Configuration, the per-frame
 * path (decode → per-interface neighbour cap → observe), and `status`.
 * Interfaces and libpcap handles live in capture.c.
 *
 * Keys of the plugin's group:
 *   interfaces = ["eth0", "enp*"];     names or fnmatch(3) patterns; default:
 *                                      every up Ethernet interface
 *   pcap_file = "capture.pcap";        read a capture instead (exclusive with
 *                                      interfaces)
 *   promiscuous = false;               capture promiscuously instead of joining
 *                                      the LLDP/CDP multicast groups
 *   max_neighbors_per_interface = 4096;        (pcap_file: 1000000)
 *   silent_warning_sec = 300;          warn about an interface that heard
 *                                      nothing for this long (0 = never)
 *   hosts = false;                     also learn end hosts from ARP, ND and
 *                                      DHCP/DHCPv6 (hosts.c)
 *   max_hosts_per_interface = 4096;    (pcap_file: 1000000)
 *   host_refresh_sec = 60;             identical host observations are not
 *                                      re-sent sooner (0 = every frame)
 *   host_ttl_sec = 3600;               a host not heard for this long is
 *                                      absent (0 = never)
 *   gratuitous_arp_per_sec = 20;       rate limit per interface
 *   host_flap_limit = 3;               MAC changes per address and minute
 *                                      before frames claiming it are dropped
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lldp-plugin.h"

#define DEFAULT_MAX_NEIGHBORS 4096
#define DEFAULT_MAX_NEIGHBORS_FILE 1000000
#define DEFAULT_SILENT_WARNING_SEC 300
#define DEFAULT_MAX_HOSTS 4096
#define DEFAULT_MAX_HOSTS_FILE 1000000
#define DEFAULT_HOST_REFRESH_SEC 60
#define DEFAULT_HOST_TTL_SEC 3600
#define DEFAULT_GARP_PER_SEC 20
#define DEFAULT_FLAP_LIMIT 3

/* ---- per-interface neighbour table (the cap) ---- */

/* A 64-bit hash of protocol and chassis ID (an LLDP neighbour's by the
 * bytes of its Chassis ID TLV, subtype first; a CDP one's by its device ID),
 * eight bytes per step.  Two neighbours colliding would share one slot of
 * the cap, nothing more. */
static uint64_t hash_mix(uint64_t h, uint64_t w) {
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        return h ^ (h >> 32);
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t len) {
        const uint8_t *b = p;
        size_t i = 0;
        for (; i + 8 <= len; i += 8) {
                uint64_t w;
                memcpy(&w, b + i, 8);
                h = hash_mix(h, w);
        }
        uint64_t w = 0;
        memcpy(&w, b + i, len - i);
        return hash_mix(h, w ^ (uint64_t) len << 56);
}

static uint64_t neigh_key(const struct lldp_neighbor *n) {
        uint64_t h = hash_mix(0x243f6a8885a308d3ull, (uint64_t) n->proto);
        h = n->chassis_raw ? hash_bytes(h, n->chassis_raw, n->chassis_raw_len)
                           : hash_bytes(h, n->chassis_id, strlen(n->chassis_id));
        /* every bit into the low ones, which pick the slot: a MAC chassis ID
         * is one word whose changing bytes are its top ones */
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 33;
        return h ? h : 1;
}

static struct neigh_slot *neigh_find(struct neigh_slot *t, size_t slots, uint64_t key) {
        for (size_t j = key & (slots - 1);; j = (j + 1) & (slots - 1))
                if (t[j].key == key || t[j].key == 0)
                        return &t[j];
}

/* ---- neighbour records ---- */

/* Records of all interfaces together stay under this many bytes; past it a
 * new neighbour is decoded in full each time, as if it had none. */
#define RECORD_BUDGET (64u << 20)

/* A record goes when the batch that may point at it has been observed. */
static void record_drop(struct lldp_plugin *pl, struct neigh_record *r) {
        if (!r)
                return;
        pl->record_bytes -= r->size;
        r->next_dead = pl->dead;
        pl->dead = r;
}

static void records_free_dead(struct lldp_plugin *pl) {
        while (pl->dead) {
                struct neigh_record *r = pl->dead;
                pl->dead = r->next_dead;
                free(r);
        }
}

_Static_assert(offsetof(struct neigh_record, size) <= 64, "what a frame reads of a record's header is one line");
_Static_assert(LLDP_MAX_ADDRESSES <= UINT8_MAX, "neigh_record.n_addresses");

static const char *record_text(const struct neigh_record *r, unsigned k) {
        return r->text[k] == RECORD_NO_TEXT ? NULL : r->data + r->text[k];
}

/* The chassis ID's text, kept right after the stable bytes. */
static const char *record_chassis_id(const struct neigh_record *r) {
        return r->data[r->stable_len] ? r->data + r->stable_len : NULL;
}

/* A record of a neighbour decoded in full, or NULL (no memory, budget, or
 * texts beyond what an offset reaches). */
static struct neigh_record *record_new(struct lldp_plugin *pl, const struct lldp_neighbor *n) {
        const char *texts[_RECORD_TEXTS] = { n->sys_name, n->sys_descr, n->med_mfg, n->med_model, n->med_serial };
        for (unsigned k = 0; k < n->n_addresses; k++)
                texts[RECORD_ADDRESSES + k] = n->addresses[k];
        /* the chassis ID's text goes right after the stable bytes */
        size_t chassis_len = strlen(n->chassis_id) + 1;
        size_t len[_RECORD_TEXTS] = {}, data = n->stable_len + chassis_len;
        for (unsigned k = 0; k < _RECORD_TEXTS; k++)
                if (texts[k] && (texts[k][0] || k >= RECORD_ADDRESSES))   /* an empty name is none */
                        data += (len[k] = strlen(texts[k]) + 1);
        if (data >= RECORD_NO_TEXT)
                return NULL;
        size_t size = sizeof(struct neigh_record) + data;
        if (pl->record_bytes + size > RECORD_BUDGET)
                return NULL;
        struct neigh_record *r = malloc(size);
        if (!r)
                return NULL;
        r->ref = 0;
        r->stable_len = (uint32_t) n->stable_len;
        r->vlan = n->vlan;
        r->pvid = n->pvid;
        r->caps_system = n->caps_system;
        r->caps_enabled = n->caps_enabled;
        r->n_unknown = n->n_unknown;
        r->n_ignored = n->n_ignored;
        r->n_addresses = (uint8_t) n->n_addresses;
        r->size = (uint32_t) size;
        r->next_dead = NULL;
        char *at = r->data;
        for (unsigned k = 0; k < n->n_stable; k++) {
                memcpy(at, n->stable[k].p, n->stable[k].len);
                at += n->stable[k].len;
        }
        at = mempcpy(at, n->chassis_id, chassis_len);
        for (unsigned k = 0; k < _RECORD_TEXTS; k++) {
                r->text[k] = len[k] ? (uint16_t) (at - r->data) : RECORD_NO_TEXT;
                if (len[k])
                        at = mempcpy(at, texts[k], len[k]);
        }
        pl->record_bytes += size;
        return r;
}

/* Does the frame decoded in `n` carry the stable TLVs the record was made
 * from, byte for byte, in the same VLAN? */
static bool record_matches(const struct neigh_record *r, const struct lldp_neighbor *n) {
        if (n->n_stable == 0 || r->stable_len != n->stable_len || r->vlan != n->vlan)
                return false;
        const char *at = r->data;
        for (unsigned k = 0; k < n->n_stable; k++) {
                if (memcmp(at, n->stable[k].p, n->stable[k].len) != 0)
                        return false;
                at += n->stable[k].len;
        }
        return true;
}

/* The stable fields of an observation built from a frame decoded only in
 * its changing TLVs. */
static void record_to_observation(const struct neigh_record *r, const struct lldp_neighbor *n,
                                  struct lldp_obs_buf *buf, struct vw_observation *o) {
        o->chassis_id = record_chassis_id(r);
        o->sys_name = record_text(r, RECORD_SYS_NAME);
        o->sys_descr = record_text(r, RECORD_SYS_DESCR);
        o->med_mfg = record_text(r, RECORD_MED_MFG);
        o->med_model = record_text(r, RECORD_MED_MODEL);
        o->med_serial = record_text(r, RECORD_MED_SERIAL);
        o->caps_system = r->caps_system;
        o->caps_enabled = r->caps_enabled;
        o->vlan = n->vlan >= 0 ? n->vlan : r->pvid;
        /* a network-address chassis ID, decoded again, is among the addresses */
        for (unsigned k = 0; k < r->n_addresses; k++)
                buf->addresses[k] = record_text(r, RECORD_ADDRESSES + k);
        o->addresses = r->n_addresses > 0 ? buf->addresses : NULL;
        o->n_addresses = r->n_addresses;
}

/* Rebuild into `slots` slots, dropping entries expired at `now`. */
static int neigh_rehash(struct lldp_iface *i, size_t slots, uint64_t now) {
        struct neigh_slot *t = calloc(slots, sizeof *t);
        if (!t)
                return -ENOMEM;
        size_t used = 0;
        for (size_t j = 0; j < i->neigh_slots; j++) {
                if (i->neigh[j].key == 0)
                        continue;
                if (i->neigh[j].expires_usec <= now) {
                        record_drop(i->pl, i->neigh[j].record);
                        continue;
                }
                *neigh_find(t, slots, i->neigh[j].key) = i->neigh[j];
                used++;
        }
        free(i->neigh);
        i->neigh = t;
        i->neigh_slots = slots;
        i->neigh_used = used;
        return 0;
}

/* The neighbour's slot, or NULL when it has none. */
static struct neigh_slot *neigh_lookup(const struct lldp_iface *i, uint64_t key) {
        if (i->neigh_slots == 0)
                return NULL;
        struct neigh_slot *s = neigh_find(i->neigh, i->neigh_slots, key);
        return s->key == key ? s : NULL;
}

/* May a frame from this neighbour pass?  False when it is new and the
 * interface is at its cap; *ret_slot is its slot when it was heard before
 * (NULL for a new one), valid until the next admission. */
static bool neigh_admit(struct lldp_plugin *pl, struct lldp_iface *i, uint64_t key, struct neigh_slot *known,
                        uint64_t now, int32_t ttl, struct neigh_slot **ret_slot) {
        uint64_t expires = ttl > 0 ? now + (uint64_t) ttl * 1000000u : 0;

        *ret_slot = NULL;
        struct neigh_slot *s = known ? known : neigh_lookup(i, key);
        if (s) {
                s->expires_usec = expires;
                *ret_slot = s;
                return true;
        }
        if (ttl == 0)
                return true;    /* a stranger saying goodbye: nothing to keep */

        if (i->neigh_used >= pl->max_neighbors) {
                /* sweep the expired ones before refusing */
                if (neigh_rehash(i, i->neigh_slots, now) < 0 || i->neigh_used >= pl->max_neighbors)
                        return false;
        }
        if ((i->neigh_used + 1) * 2 > i->neigh_slots) {
                size_t slots = i->neigh_slots ? i->neigh_slots * 2 : 64;
                if (neigh_rehash(i, slots, now) < 0)
                        return false;
        }
        s = neigh_find(i->neigh, i->neigh_slots, key);
        *s = (struct neigh_slot) { .key = key, .expires_usec = expires };
        i->neigh_used++;
        return true;
}

static size_t neigh_live(const struct lldp_iface *i, uint64_t now) {
        size_t n = 0;
        for (size_t j = 0; j < i->neigh_slots; j++)
                if (i->neigh[j].key != 0 && i->neigh[j].expires_usec > now)
                        n++;
        return n;
}

/* ---- frames ---- */

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* One decoded LLDP/CDP frame of the batch, in its turn: the stable-TLV
 * record, the cap, the observation.  False when the cap refused it (or, should it
 * ever, the full decoder). */
static bool pending_take(struct lldp_plugin *pl, struct lldp_pending *p) {
        struct lldp_iface *i = p->iface;
        struct lldp_neighbor *n = &p->nb;
        const uint64_t key = p->key;  /* from the volatile decode: the full one gives the same */

        /* A neighbour whose stable TLVs are as they were keeps what they
         * decoded to; any other frame is decoded again, in full. */
        struct neigh_record *rec = NULL;
        struct neigh_slot *known = NULL;
        if (n->volatile_only) {
                known = neigh_lookup(i, key);
                if (known && known->record && record_matches(known->record, n)) {
                        rec = known->record;
                        pl->record_hits++;
                } else {
                        pl->record_misses++;
                        /* the volatile decoder took it, so the full one does
                         * too, with the same chassis and so the same key
                         * (fuzz-lldp holds it to that); were it to refuse it,
                         * the frame is counted malformed, as any other */
                        if (lldp_frame_parse(p->frame_at, p->caplen, p->wire_len, n) < 0) {
                                i->malformed[n->reason]++;
                                return false;
                        }
                }
        }
        if (n->proto == LLDP_PROTO_CDP)
                i->cdp++;
        else
                i->lldp++;
        i->tlv_unknown += rec ? rec->n_unknown : n->n_unknown;
        i->tlv_ignored += rec ? rec->n_ignored : n->n_ignored;
        i->snapped += n->snapped;

        uint64_t t = p->time_usec;
        struct neigh_slot *ns;
        if (!neigh_admit(pl, i, key, known, t, n->ttl, &ns)) {
                i->cap_refused++;
                if (!i->cap_warned) {
                        log_pl(pl, VW_LOG_WARNING,
                               "%s: more than %" PRIu64 " neighbours, ignoring new ones (first refused: %s)",
                               i->name, pl->max_neighbors, n->chassis_id);   /* a new one: decoded in full */
                        i->cap_warned = true;
                }
                return false;
        }
        if (n->ttl == 0)
                i->shutdowns++;

        /* a neighbour heard before, decoded in full, gets a record for next
         * time (one heard once, as in a flood of forged chassis, does not) */
        if (!rec && ns && n->proto == LLDP_PROTO_LLDP) {
                /* the old record no longer tells what the last sighting was:
                 * replaced, or gone when this frame's stable TLVs are not
                 * known (cut, too scattered) */
                record_drop(pl, ns->record);
                ns->record = rec = n->n_stable > 0 ? record_new(pl, n) : NULL;
        }
        /* by a call: for this size glibc's vector stores beat the string
         * instruction a compiler puts inline for a size it knows */
        static const struct vw_observation init = VW_OBSERVATION_INIT;
        memcpy(&p->o, &init, pl->obs_size);
        lldp_neighbor_to_observation(n, i->name, &p->buf, &p->o);
        if (rec && n->volatile_only)
                record_to_observation(rec, n, &p->buf, &p->o);
        p->o.time_usec = t;
        p->record = rec;
        p->ref = rec && n->volatile_only ? rec->ref : 0;

        i->last_heard_usec = t;
        if (!pl->file) {
                i->last_heard_mono = now_usec(CLOCK_MONOTONIC);
                if (i->silent_warned) {
                        log_pl(pl, VW_LOG_NOTICE, "%s: heard a neighbour again", i->name);
                        i->silent_warned = false;
                }
        }
        return true;
}

/* Ask for the neighbour's record of a pending frame: its header and the
 * stable bytes compared first, as many as the frame's when they are the same
 * (not read here: a load would wait).  Its table slot was asked for as the
 * frame was decoded. */
static void pending_prefetch_record(const struct lldp_pending *p) {
        const struct neigh_slot *known = p->nb.volatile_only ? neigh_lookup(p->iface, p->key) : NULL;
        if (known && known->record) {
                const char *r = (const char *) known->record;
                const char *end = r + offsetof(struct neigh_record, data) + p->nb.stable_len;
                for (uintptr_t at = (uintptr_t) r & ~(uintptr_t) 63; at < (uintptr_t) end; at += 64)
                        __builtin_prefetch((const char *) at);
        }
}

/* How far ahead of the frame taken a record is asked for: far enough for it
 * to arrive, near enough that the requests do not queue all at once. */
#define RECORD_AHEAD 8

/* The batch: each frame in its turn, the record RECORD_AHEAD frames on
 * asked for meanwhile.  Then the admitted ones go to the host at once. */
void lldp_flush(struct lldp_plugin *pl) {
        struct vw_sighting s[LLDP_BATCH];
        size_t n_pending = pl->n_pending, n = 0;
        pl->n_pending = 0;      /* before the calls: a re-entry finds it empty */
        for (size_t k = 0; k < n_pending && k < RECORD_AHEAD; k++)
                pending_prefetch_record(&pl->pending[k]);
        for (size_t k = 0; k < n_pending; k++) {
                struct lldp_pending *p = &pl->pending[k];
                if (k + RECORD_AHEAD < n_pending)
                        pending_prefetch_record(&pl->pending[k + RECORD_AHEAD]);
                p->admitted = pending_take(pl, p);
                if (p->admitted) {
                        /* the source MAC, o.macs[0], as the host reads it */
                        const uint8_t *m = p->nb.src_mac;
                        p->mac_value = (uint64_t) m[0] << 40 | (uint64_t) m[1] << 32 | (uint64_t) m[2] << 24 |
                                       (uint64_t) m[3] << 16 | (uint64_t) m[4] << 8 | m[5];
                        s[n++] = (struct vw_sighting) { .obs = &p->o, .ref = p->ref, .mac_values = &p->mac_value };
                }
        }
        if (n > 0 && pl->batch) {
                pl->ops->observe_batch(pl->ctx, s, n);
                for (size_t k = 0, j = 0; k < n_pending; k++)
                        if (pl->pending[k].admitted) {
                                if (pl->pending[k].record)
                                        pl->pending[k].record->ref = s[j].ref;
                                j++;
                        }
        } else
                for (size_t k = 0; k < n; k++)
                        pl->ops->observe(pl->ctx, s[k].obs);
        records_free_dead(pl);
}

void lldp_handle_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
        lldp_take_frame((struct lldp_iface *) user, h, bytes, false);
}

void lldp_take_frame(struct lldp_iface *i, const struct pcap_pkthdr *h, const u_char *bytes, bool kept) {
        struct lldp_plugin *pl = i->pl;
        struct lldp_pending *p = &pl->pending[pl->n_pending];
        struct lldp_neighbor *n = &p->nb;

        i->frames++;
        /* decoded now in what changes from frame to frame, taken in its turn
         * at the end of the batch (lldp_flush) where it lies or from a copy;
         * without memory for the copy, the batch goes first and this frame
         * on its own */
        const uint8_t *frame = bytes;
        bool alone = false;
        if (!kept) {
                frame = p->frame;
                if (h->caplen > p->frame_cap) {
                        uint8_t *f = realloc(p->frame, h->caplen);
                        if (f) {
                                p->frame = f;
                                p->frame_cap = h->caplen;
                                frame = f;
                        } else {
                                lldp_flush(pl);
                                p = &pl->pending[0];
                                n = &p->nb;
                                frame = bytes;
                                alone = true;
                        }
                }
                if (!alone)
                        memcpy(p->frame, bytes, h->caplen);
        }
        int r = lldp_frame_parse_volatile(frame, h->caplen, h->len, n);
        if (r == -EPROTONOSUPPORT) {
                if (!pl->hosts || !hosts_handle_frame(i, h, bytes))
                        i->other++;
                return;
        }
        if (r < 0) {            /* the full decoder refuses it too, for the same reason */
                i->malformed[n->reason]++;
                log_pl(pl, VW_LOG_DEBUG, "%s: malformed %s frame skipped: %s", i->name,
                       n->proto == LLDP_PROTO_CDP ? "CDP" : "LLDP", lldp_reason_name(n->reason));
                return;
        }
        p->caplen = h->caplen;
        p->wire_len = h->len;
        p->time_usec = (uint64_t) h->ts.tv_sec * 1000000u + (uint64_t) h->ts.tv_usec;
        p->iface = i;
        p->key = neigh_key(n);
        if (i->neigh_slots > 0)
                __builtin_prefetch(&i->neigh[p->key & (i->neigh_slots - 1)]);
        p->frame_at = frame;
        if (++pl->n_pending == LLDP_BATCH || alone)
                lldp_flush(pl);
}

struct lldp_iface *lldp_iface_new(struct lldp_plugin *pl, const char *name) {
        struct lldp_iface *i = calloc(1, sizeof *i);
        if (!i)
                return NULL;
        i->pl = pl;
        snprintf(i->name, sizeof i->name, "%s", name);
        i->state = IFACE_ABSENT;
        hosts_iface_done(i);    /* empty tables with their slot sizes */
        return i;
}

void lldp_iface_free(struct lldp_iface *i) {
        if (!i)
                return;
        for (size_t j = 0; j < i->neigh_slots; j++)
                if (i->neigh[j].record) {
                        i->pl->record_bytes -= i->neigh[j].record->size;
                        free(i->neigh[j].record);
                }
        free(i->neigh);
        hosts_iface_done(i);
        free(i);
}

/* ---- configuration ---- */

static int cfg_u32(struct lldp_plugin *pl, const char *key, int64_t min, int64_t max, int64_t def, uint32_t *ret) {
        int64_t v = def;
        int r = pl->ops->cfg_int(pl->ctx, key, min, max, &v);
        if (r < 0 && r != -ENOENT)
                return r;
        *ret = (uint32_t) v;
        return 0;
}

static int read_hosts_config(struct lldp_plugin *pl) {
        int64_t v;
        int r;

        pl->hosts = false;
        r = pl->ops->cfg_bool(pl->ctx, "hosts", &pl->hosts);
        if (r < 0 && r != -ENOENT)
                return r;
        v = pl->pcap_file ? DEFAULT_MAX_HOSTS_FILE : DEFAULT_MAX_HOSTS;
        r = pl->ops->cfg_int(pl->ctx, "max_hosts_per_interface", 1, 10000000, &v);
        if (r < 0 && r != -ENOENT)
                return r;
        pl->max_hosts = (uint64_t) v;
        /* the observation's TTL is at most 65535 s */
        if ((r = cfg_u32(pl, "host_refresh_sec", 0, 86400, DEFAULT_HOST_REFRESH_SEC, &pl->host_refresh_sec)) < 0 ||
            (r = cfg_u32(pl, "host_ttl_sec", 0, 65535, DEFAULT_HOST_TTL_SEC, &pl->host_ttl_sec)) < 0 ||
            (r = cfg_u32(pl, "gratuitous_arp_per_sec", 1, 1000000, DEFAULT_GARP_PER_SEC, &pl->garp_per_sec)) < 0 ||
            (r = cfg_u32(pl, "host_flap_limit", 1, 1000, DEFAULT_FLAP_LIMIT, &pl->flap_limit)) < 0)
                return r;
        if (pl->host_ttl_sec > 0 && pl->host_refresh_sec >= pl->host_ttl_sec)
                return pl->ops->cfg_error(pl->ctx, "host_refresh_sec",
                                          "must be shorter than host_ttl_sec (%" PRIu32 "), or hosts would expire "
                                          "between refreshes", pl->host_ttl_sec);
        return 0;
}

static int read_config(struct lldp_plugin *pl) {
        const struct vw_host_ops *ops = pl->ops;
        struct vw_plugin_ctx *ctx = pl->ctx;
        const char *const *names;
        const char *s;
        size_t n;
        int64_t v;
        int r;

        r = ops->cfg_strings(ctx, "interfaces", &names, &n);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0) {
                if (n == 0)
                        return ops->cfg_error(ctx, "interfaces", "empty list (leave it out to capture on every interface)");
                pl->patterns = calloc(n, sizeof *pl->patterns);
                if (!pl->patterns)
                        return -ENOMEM;
                for (size_t j = 0; j < n; j++) {
                        if (isempty_str(names[j]) || strlen(names[j]) >= 256 || strchr(names[j], '/'))
                                return ops->cfg_error(ctx, "interfaces", "bad interface name or pattern \"%s\"", names[j]);
                        if (!strpbrk(names[j], "*?[") && strlen(names[j]) >= IF_NAMESIZE)
                                return ops->cfg_error(ctx, "interfaces", "interface name \"%s\" too long", names[j]);
                        pl->patterns[j] = strdup(names[j]);
                        if (!pl->patterns[j])
                                return -ENOMEM;
                        pl->n_patterns = j + 1;
                }
        }

        r = ops->cfg_string(ctx, "pcap_file", &s);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0) {
                if (isempty_str(s))
                        return ops->cfg_error(ctx, "pcap_file", "empty file name");
                if (pl->patterns)
                        return ops->cfg_error(ctx, "pcap_file", "pcap_file and interfaces exclude each other");
                pl->pcap_file = ops->cfg_path(ctx, s);
                if (!pl->pcap_file)
                        return -ENOMEM;
        }

        pl->promiscuous = false;
        r = ops->cfg_bool(ctx, "promiscuous", &pl->promiscuous);
        if (r < 0 && r != -ENOENT)
                return r;

        v = pl->pcap_file ? DEFAULT_MAX_NEIGHBORS_FILE : DEFAULT_MAX_NEIGHBORS;
        r = ops->cfg_int(ctx, "max_neighbors_per_interface", 1, 10000000, &v);
        if (r < 0 && r != -ENOENT)
                return r;
        pl->max_neighbors = (uint64_t) v;

        v = DEFAULT_SILENT_WARNING_SEC;
        r = ops->cfg_int(ctx, "silent_warning_sec", 0, 30 * 86400, &v);
        if (r < 0 && r != -ENOENT)
                return r;
        pl->silent_warning_sec = (uint64_t) v;

        return read_hosts_config(pl);
}

/* ---- plugin entry points ---- */

static void lldp_stop(void *state) {
        struct lldp_plugin *pl = state;
        if (!pl)
                return;
        capture_file_close(pl);
        capture_stop(pl);
        records_free_dead(pl);
        for (size_t k = 0; pl->pending && k < LLDP_BATCH; k++)
                free(pl->pending[k].frame);
        free(pl->pending);
        for (size_t j = 0; j < pl->n_patterns; j++)
                free(pl->patterns[j]);
        free(pl->patterns);
        free(pl->pcap_file);
        free(pl->file_error);
        if (pl->event)
                sd_event_unref(pl->event);
        free(pl);
}

static int lldp_start(const struct vw_host *host, struct vw_plugin_ctx *ctx, bool check_only, void **ret_state) {
        struct lldp_plugin *pl = calloc(1, sizeof *pl);
        int r;

        if (!pl)
                return -ENOMEM;
        pl->ops = host->ops;
        pl->host_event = host->event;
        pl->ctx = ctx;
        pl->nl_fd = -EBADF;
        pl->oneshot = host->ops->oneshot && host->ops->oneshot(ctx);
        /* a host before ABI 2 has no observe_batch */
        pl->batch = host->abi_version >= 2 && host->ops->observe_batch;
        pl->obs_size = sizeof(struct vw_observation);
        pl->pending = calloc(LLDP_BATCH, sizeof *pl->pending);
        if (!pl->pending) {
                free(pl);
                return -ENOMEM;
        }
        for (size_t k = 0; k < LLDP_BATCH; k++) {
                /* room for a standard frame from the start: most never grow */
                pl->pending[k].frame = malloc(FRAME_COPY_INITIAL);
                if (!pl->pending[k].frame) {
                        lldp_stop(pl);
                        return -ENOMEM;
                }
                pl->pending[k].frame_cap = FRAME_COPY_INITIAL;
        }

        r = read_config(pl);
        if (r < 0)
                goto fail;
        if (pl->pcap_file)
                r = capture_file_open(pl, check_only);
        else if (!check_only)
                r = capture_start(pl);
        if (r < 0)
                goto fail;
        if (check_only) {
                lldp_stop(pl);
                *ret_state = NULL;
                return 0;
        }
        *ret_state = pl;
        return 0;
fail:
        lldp_stop(pl);
        return r;
}

static json_object *iface_status(struct lldp_plugin *pl, struct lldp_iface *i, uint64_t now_real, uint64_t now_mono) {
        json_object *o = json_object_new_object(), *m = json_object_new_object();
        uint64_t recv = 0, drop = 0, ifdrop = 0, malformed = 0;

        json_object_object_add(o, "name", json_object_new_string(i->name));
        json_object_object_add(o, "state", json_object_new_string(capture_state_name(i->state)));
        if (i->ifindex > 0)
                json_object_object_add(o, "ifindex", json_object_new_int(i->ifindex));
        json_object_object_add(o, "frames", json_object_new_uint64(i->frames));
        json_object_object_add(o, "lldp", json_object_new_uint64(i->lldp));
        json_object_object_add(o, "cdp", json_object_new_uint64(i->cdp));
        json_object_object_add(o, "other", json_object_new_uint64(i->other));
        for (size_t r = 1; r < _LLDP_REASON_MAX; r++) {
                if (i->malformed[r] > 0)
                        json_object_object_add(m, lldp_reason_name(r), json_object_new_uint64(i->malformed[r]));
                malformed += i->malformed[r];
        }
        json_object_object_add(o, "malformed", json_object_new_uint64(malformed));
        json_object_object_add(o, "malformed_by_reason", m);
        json_object_object_add(o, "tlv_unknown", json_object_new_uint64(i->tlv_unknown));
        json_object_object_add(o, "tlv_ignored", json_object_new_uint64(i->tlv_ignored));
        json_object_object_add(o, "snapped", json_object_new_uint64(i->snapped));
        json_object_object_add(o, "shutdowns", json_object_new_uint64(i->shutdowns));
        json_object_object_add(o, "neighbors",
                               json_object_new_uint64(neigh_live(i, pl->file ? i->last_heard_usec : now_real)));
        json_object_object_add(o, "neighbor_cap_refused", json_object_new_uint64(i->cap_refused));
        if (pl->hosts)
                json_object_object_add(o, "hosts", hosts_status(i, pl->file ? i->hosts.last_usec : now_real));
        capture_iface_stats(i, &recv, &drop, &ifdrop);
        json_object_object_add(o, "received", json_object_new_uint64(recv));
        json_object_object_add(o, "dropped", json_object_new_uint64(drop));
        json_object_object_add(o, "if_dropped", json_object_new_uint64(ifdrop));
        if (i->last_heard_usec > 0) {
                json_object_object_add(o, "last_heard_usec", json_object_new_uint64(i->last_heard_usec));
                if (!pl->file)
                        json_object_object_add(o, "last_heard_ago_sec",
                                               json_object_new_uint64((now_real - i->last_heard_usec) / 1000000u));
        }
        if (i->state == IFACE_CAPTURING && pl->silent_warning_sec > 0 && !pl->file) {
                uint64_t since = i->last_heard_mono > i->capture_since_usec ? i->last_heard_mono : i->capture_since_usec;
                uint64_t quiet = (now_mono - since) / 1000000u;
                if (quiet >= pl->silent_warning_sec) {
                        char w[160];
                        snprintf(w, sizeof w,
                                 "no LLDP/CDP heard for %" PRIu64 " s (NIC firmware or a switch may be filtering it)",
                                 quiet);
                        json_object_object_add(o, "warning", json_object_new_string(w));
                }
        }
        return o;
}

static char *lldp_status(void *state) {
        struct lldp_plugin *pl = state;
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        uint64_t now_real = now_usec(CLOCK_REALTIME), now_mono = now_usec(CLOCK_MONOTONIC);
        char *text;

        if (!o || !a)
                return NULL;
        json_object_object_add(o, "mode", json_object_new_string(pl->pcap_file ? "file" : "live"));
        if (pl->pcap_file) {
                json_object_object_add(o, "pcap_file", json_object_new_string(pl->pcap_file));
                json_object_object_add(o, "done", json_object_new_boolean(pl->file_done));
                if (pl->file_error)
                        json_object_object_add(o, "error", json_object_new_string(pl->file_error));
                if (pl->file_reader) {
                        /* records read in blocks, and by libpcap (pcap-block.h) */
                        uint64_t block, libpcap;
                        pcapblk_reader_counts(pl->file_reader, &block, &libpcap);
                        json_object_object_add(o, "block_records", json_object_new_uint64(block));
                        json_object_object_add(o, "libpcap_records", json_object_new_uint64(libpcap));
                }
        } else
                json_object_object_add(o, "promiscuous", json_object_new_boolean(pl->promiscuous));
        json_object_object_add(o, "max_neighbors_per_interface", json_object_new_uint64(pl->max_neighbors));
        json_object_object_add(o, "silent_warning_sec", json_object_new_uint64(pl->silent_warning_sec));
        /* LLDP frames decoded only in their changing TLVs, and in full */
        json_object_object_add(o, "stable_reused", json_object_new_uint64(pl->record_hits));
        json_object_object_add(o, "stable_decoded", json_object_new_uint64(pl->record_misses));
        json_object_object_add(o, "stable_record_bytes", json_object_new_uint64(pl->record_bytes));
        if (pl->file_iface)
                json_object_array_add(a, iface_status(pl, pl->file_iface, now_real, now_mono));
        for (size_t j = 0; j < pl->n_ifaces; j++)
                json_object_array_add(a, iface_status(pl, pl->ifaces[j], now_real, now_mono));
        json_object_object_add(o, "interfaces", a);
        text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return text;
}

__attribute__((visibility("default"))) const struct vw_plugin vw_plugin = {
        .abi_version = VW_PLUGIN_ABI_VERSION,
        .name = "lldp",
        .description = "passive LLDP and CDP discovery (libpcap)",
        .start = lldp_start,
        .stop = lldp_stop,
        .status = lldp_status,
};
