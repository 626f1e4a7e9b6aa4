/* SPDX-License-Identifier: MIT */
/*
 * End hosts from ARP, neighbour discovery and DHCP (`hosts = true`): the
 * per-frame path after the decoder, and the bounded state behind it.
 *
 * Anyone on the segment can forge frames, so everything here is capped and
 * counted rather than logged per frame:
 *   - hosts (MAC + VLAN) per interface: max_hosts_per_interface; new ones
 *     past it are refused, warned about once and counted;
 *   - gratuitous ARP (announcements and probes): a token bucket of
 *     gratuitous_arp_per_sec per interface;
 *   - an address moving between MACs more than host_flap_limit times a
 *     minute is "flapping": frames claiming it are dropped for a minute;
 *   - a host's observation identical to the last one sent from the same
 *     source is not sent again within host_refresh_sec.
 * Warnings about floods and flip-flops come at most once a minute each, with
 * the count since the last one.  Times are frame times, so a capture file
 * behaves as the live interface did.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lldp-plugin.h"
#include "parse-util.h"

#define FLAP_WINDOW_SEC 60
#define LOG_INTERVAL_USEC (60u * 1000000u)

/* ---- open-addressing tables of struct slot_head-prefixed slots ---- */

static uint64_t mix(uint64_t h, uint64_t w) {
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        return h ^ (h >> 29);
}

static struct slot_head *slot_at(const struct slot_table *t, size_t j) {
        return (struct slot_head *) ((char *) t->slots + j * t->size);
}

static struct slot_head *slot_find(const struct slot_table *t, uint64_t key) {
        for (size_t j = key & (t->n_slots - 1);; j = (j + 1) & (t->n_slots - 1)) {
                struct slot_head *s = slot_at(t, j);
                if (s->key == key || s->key == 0)
                        return s;
        }
}

/* Rebuild into `n_slots`, dropping slots expired at `now`. */
static int slot_rehash(struct slot_table *t, size_t n_slots, uint32_t now) {
        struct slot_table n = { .size = t->size, .n_slots = n_slots, .swept_sec = now, .drop = t->drop };
        n.slots = calloc(n_slots, t->size);
        if (!n.slots)
                return -ENOMEM;
        for (size_t j = 0; j < t->n_slots; j++) {
                struct slot_head *s = slot_at(t, j);
                if (s->key == 0)
                        continue;
                if (s->expires_sec <= now) {
                        if (t->drop)
                                t->drop(s);
                        continue;
                }
                memcpy(slot_find(&n, s->key), s, t->size);
                n.used++;
        }
        free(t->slots);
        *t = n;
        return 0;
}

/* The slot of `key`, made when missing unless the table holds `cap` live
 * ones already (NULL; *ret_full set).  A new slot is zeroed but for its key. */
static struct slot_head *slot_get(struct slot_table *t, uint64_t key, uint64_t cap, uint32_t now, bool *ret_new,
                                  bool *ret_full) {
        *ret_new = *ret_full = false;
        if (t->n_slots > 0) {
                struct slot_head *s = slot_find(t, key);
                if (s->key == key)
                        return s;
        }
        if (t->used >= cap) {
                /* sweep the expired ones first, but not for every frame of a flood */
                if (t->swept_sec == now || slot_rehash(t, t->n_slots, now) < 0 || t->used >= cap) {
                        *ret_full = true;
                        return NULL;
                }
        }
        if ((t->used + 1) * 2 > t->n_slots && slot_rehash(t, t->n_slots ? t->n_slots * 2 : 64, now) < 0) {
                *ret_full = true;
                return NULL;
        }
        struct slot_head *s = slot_find(t, key);
        memset(s, 0, t->size);
        s->key = key;
        t->used++;
        *ret_new = true;
        return s;
}

static size_t slot_live(const struct slot_table *t, uint32_t now) {
        size_t n = 0;
        for (size_t j = 0; j < t->n_slots; j++) {
                const struct slot_head *s = slot_at(t, j);
                if (s->key != 0 && s->expires_sec > now)
                        n++;
        }
        return n;
}

static void host_slot_drop(struct slot_head *s) {
        struct host_slot *h = (struct host_slot *) s;
        free(h->dhcp_names);
        h->dhcp_names = NULL;
}

static void slot_table_done(struct slot_table *t) {
        for (size_t j = 0; t->drop && j < t->n_slots; j++)
                if (slot_at(t, j)->key != 0)
                        t->drop(slot_at(t, j));
        free(t->slots);
        t->slots = NULL;
        t->n_slots = t->used = 0;
}

/* ---- DHCP facts kept per host ---- */

static bool address_in(const struct hosts_sighting *s, const struct hosts_address *a) {
        for (unsigned k = 0; k < s->n_addresses; k++)
                if (memcmp(&s->addresses[k], a, sizeof *a) == 0)
                        return true;
        return false;
}

/* Remember what this DHCP message says and fill in what it leaves out from
 * earlier ones: a server's ack has no client name, a discover no address. */
static void dhcp_merge(struct host_slot *h, struct hosts_sighting *s) {
        if (s->hostname[0] || s->vendor_class[0]) {
                size_t a = strlen(s->hostname), b = strlen(s->vendor_class);
                const char *old = h->dhcp_names;
                if (!old || strcmp(old, s->hostname) != 0 || strcmp(old + strlen(old) + 1, s->vendor_class) != 0) {
                        char *n = malloc(a + b + 2);
                        if (n) {
                                memcpy(n, s->hostname, a + 1);
                                memcpy(n + a + 1, s->vendor_class, b + 1);
                                free(h->dhcp_names);
                                h->dhcp_names = n;
                        }
                }
        } else if (h->dhcp_names) {
                snprintf(s->hostname, sizeof s->hostname, "%s", h->dhcp_names);
                snprintf(s->vendor_class, sizeof s->vendor_class, "%s", h->dhcp_names + strlen(h->dhcp_names) + 1);
        }

        bool seen[2] = {};
        for (unsigned k = 0; k < s->n_addresses; k++) {
                unsigned f = s->addresses[k].family == 6;
                if (!seen[f])
                        h->dhcp_addr[f] = s->addresses[k], seen[f] = true;
        }
        for (unsigned f = 0; f < 2; f++)
                if (!seen[f] && h->dhcp_addr[f].family != 0 && s->n_addresses < HOSTS_MAX_ADDRESSES &&
                    !address_in(s, &h->dhcp_addr[f]))
                        s->addresses[s->n_addresses++] = h->dhcp_addr[f];
}

/* ---- the frame path ---- */

static uint64_t host_key(const struct hosts_sighting *s) {
        uint64_t m = 0;
        memcpy(&m, s->mac, 6);
        uint64_t h = mix(mix(0x6a09e667f3bcc909ull, m), (uint64_t) (uint32_t) s->vlan);
        return h ? h : 1;
}

static uint64_t addr_key(const struct hosts_address *a, int32_t vlan) {
        uint64_t w[2];
        memcpy(w, a->bytes, 16);
        uint64_t h = mix(mix(mix(0xbb67ae8584caa73bull, a->family), w[0]), w[1]);
        h = mix(h, (uint64_t) (uint32_t) vlan);
        return h ? h : 1;
}

static unsigned host_source(enum hosts_proto p) {
        return p == HOSTS_PROTO_ARP ? HOST_SOURCE_ARP : p == HOSTS_PROTO_ND ? HOST_SOURCE_ND : HOST_SOURCE_DHCP;
}

/* Gratuitous ARP through the interface's token bucket. */
static bool garp_admit(struct lldp_plugin *pl, struct hosts_iface *hi, uint64_t t) {
        double rate = pl->garp_per_sec, burst = rate < 10 ? 10 : rate;
        if (hi->garp_refill_usec == 0 || t < hi->garp_refill_usec)
                hi->garp_tokens = burst, hi->garp_refill_usec = t;
        hi->garp_tokens += (double) (t - hi->garp_refill_usec) / 1e6 * rate;
        if (hi->garp_tokens > burst)
                hi->garp_tokens = burst;
        hi->garp_refill_usec = t;
        if (hi->garp_tokens < 1)
                return false;
        hi->garp_tokens -= 1;
        return true;
}

/* Record who claims each address; false when one of them is flapping. */
static bool addresses_steady(struct lldp_plugin *pl, struct lldp_iface *i, const struct hosts_sighting *s,
                             uint32_t now, const struct hosts_address **ret_flapping) {
        struct hosts_iface *hi = &i->hosts;
        bool steady = true;
        for (unsigned k = 0; k < s->n_addresses; k++) {
                bool is_new, full;
                struct addr_slot *a = (struct addr_slot *) slot_get(&hi->addrs, addr_key(&s->addresses[k], s->vlan),
                                                                    pl->max_hosts, now, &is_new, &full);
                if (!a) {
                        hi->n.untracked++;
                        continue;
                }
                a->h.expires_sec = now + (pl->host_ttl_sec ? pl->host_ttl_sec : FLAP_WINDOW_SEC);
                if (is_new) {
                        memcpy(a->mac, s->mac, 6);
                        a->window_sec = now;
                        continue;
                }
                if (memcmp(a->mac, s->mac, 6) != 0) {
                        hi->n.flip_flops++;
                        memcpy(a->mac, s->mac, 6);
                        if (now - a->window_sec >= FLAP_WINDOW_SEC)
                                a->window_sec = now, a->changes = 0;
                        if (a->changes < UINT16_MAX)
                                a->changes++;
                        if (a->changes > pl->flap_limit)
                                a->quiet_until_sec = now + FLAP_WINDOW_SEC;
                }
                if (a->quiet_until_sec > now) {
                        steady = false;
                        *ret_flapping = &s->addresses[k];
                }
        }
        return steady;
}

/* At most one warning a minute per kind, carrying the count since the last. */
static bool log_due(uint64_t *logged, uint64_t *since, uint64_t t) {
        (*since)++;
        if (*logged != 0 && t >= *logged && t - *logged < LOG_INTERVAL_USEC)
                return false;
        *logged = t ? t : 1;
        return true;
}

bool hosts_handle_frame(struct lldp_iface *i, const struct pcap_pkthdr *h, const u_char *bytes) {
        struct lldp_plugin *pl = i->pl;
        struct hosts_iface *hi = &i->hosts;
        struct hosts_sighting *s = &pl->hs;

        int r = hosts_frame_parse(bytes, h->caplen, s);
        if (r == -EPROTONOSUPPORT)
                return false;
        if (r == -EBADMSG) {
                hi->n.malformed[s->reason]++;
                log_pl(pl, VW_LOG_DEBUG, "%s: malformed %s frame skipped: %s", i->name, hosts_proto_name(s->proto),
                       hosts_reason_name(s->reason));
                return true;
        }
        hi->n.frames[s->proto]++;
        if (r < 0) {
                hi->n.no_host++;
                return true;
        }

        uint64_t t = (uint64_t) h->ts.tv_sec * 1000000u + (uint64_t) h->ts.tv_usec;
        uint32_t now = (uint32_t) h->ts.tv_sec;
        char mac[18];
        hi->last_usec = t;

        if (s->gratuitous) {
                hi->n.gratuitous++;
                if (!garp_admit(pl, hi, t)) {
                        hi->n.gratuitous_limited++;
                        if (log_due(&hi->garp_logged_usec, &hi->garp_since_log, t)) {
                                text_mac(s->mac, mac);
                                log_pl(pl, VW_LOG_WARNING,
                                       "%s: gratuitous ARP over %" PRIu32 "/s, dropping the excess (%" PRIu64
                                       " dropped since the last warning; latest from %s)",
                                       i->name, pl->garp_per_sec, hi->garp_since_log, mac);
                                hi->garp_since_log = 0;
                        }
                        return true;
                }
        }

        const struct hosts_address *flapping = NULL;
        if (!addresses_steady(pl, i, s, now, &flapping)) {
                hi->n.flap_suppressed++;
                if (log_due(&hi->flap_logged_usec, &hi->flap_since_log, t)) {
                        struct hosts_obs_buf buf;
                        struct vw_observation o = VW_OBSERVATION_INIT;
                        hosts_sighting_to_observation(s, i->name, &buf, &o);
                        char addr[46] = "?";
                        for (unsigned k = 0; k < s->n_addresses; k++)
                                if (&s->addresses[k] == flapping)
                                        snprintf(addr, sizeof addr, "%s", buf.address_text[k]);
                        log_pl(pl, VW_LOG_WARNING,
                               "%s: address %s moves between MACs more than %" PRIu32 " times a minute (now %s); "
                               "ignoring frames that claim it for %d s (%" PRIu64 " dropped since the last warning)",
                               i->name, addr, pl->flap_limit, buf.mac, FLAP_WINDOW_SEC, hi->flap_since_log);
                        hi->flap_since_log = 0;
                }
                return true;
        }

        bool is_new, full;
        struct host_slot *hs = (struct host_slot *) slot_get(&hi->hosts, host_key(s), pl->max_hosts, now, &is_new,
                                                             &full);
        if (!hs) {
                hi->n.cap_refused++;
                if (!hi->cap_warned) {
                        text_mac(s->mac, mac);
                        log_pl(pl, VW_LOG_WARNING,
                               "%s: more than %" PRIu64 " end hosts, ignoring new ones (first refused: %s)", i->name,
                               pl->max_hosts, mac);
                        hi->cap_warned = true;
                }
                return true;
        }
        hs->h.expires_sec = now + (pl->host_ttl_sec ? pl->host_ttl_sec : UINT32_MAX - now);

        unsigned src = host_source(s->proto);
        if (src == HOST_SOURCE_DHCP)
                dhcp_merge(hs, s);
        uint64_t d = hosts_sighting_digest(s);
        uint32_t digest = (uint32_t) (d ^ (d >> 32)) | 1u;
        if (hs->sent_digest[src] == digest && now - hs->sent_sec[src] < pl->host_refresh_sec) {
                hi->n.repeats++;
                return true;
        }

        struct hosts_obs_buf buf;
        struct vw_observation o = VW_OBSERVATION_INIT;
        hosts_sighting_to_observation(s, i->name, &buf, &o);
        o.time_usec = t;
        if (pl->host_ttl_sec > 0)
                o.ttl = (int32_t) pl->host_ttl_sec;
        lldp_flush(pl);         /* in the order the frames came */
        pl->ops->observe(pl->ctx, &o);
        hi->n.observations++;
        hs->sent_digest[src] = digest;
        hs->sent_sec[src] = now;
        return true;
}

/* ---- status ---- */

static void add_u64(json_object *o, const char *k, uint64_t v) {
        json_object_object_add(o, k, json_object_new_uint64(v));
}

json_object *hosts_status(const struct lldp_iface *i, uint64_t now_usec) {
        const struct hosts_iface *hi = &i->hosts;
        json_object *o = json_object_new_object(), *m = json_object_new_object();
        uint64_t malformed = 0;
        uint32_t now = (uint32_t) (now_usec / 1000000u);

        for (size_t p = 1; p < _HOSTS_PROTO_MAX; p++)
                add_u64(o, hosts_proto_name(p), hi->n.frames[p]);
        for (size_t r = 1; r < _HOSTS_REASON_MAX; r++) {
                if (hi->n.malformed[r] > 0)
                        add_u64(m, hosts_reason_name(r), hi->n.malformed[r]);
                malformed += hi->n.malformed[r];
        }
        add_u64(o, "malformed", malformed);
        json_object_object_add(o, "malformed_by_reason", m);
        add_u64(o, "no_host", hi->n.no_host);
        add_u64(o, "learned", slot_live(&hi->hosts, now));
        add_u64(o, "observations", hi->n.observations);
        add_u64(o, "repeats_suppressed", hi->n.repeats);
        add_u64(o, "host_cap_refused", hi->n.cap_refused);
        add_u64(o, "gratuitous_arp", hi->n.gratuitous);
        add_u64(o, "gratuitous_arp_limited", hi->n.gratuitous_limited);
        add_u64(o, "flip_flops", hi->n.flip_flops);
        add_u64(o, "flap_suppressed", hi->n.flap_suppressed);
        add_u64(o, "addresses_tracked", slot_live(&hi->addrs, now));
        add_u64(o, "addresses_untracked", hi->n.untracked);
        add_u64(o, "table_bytes", (hi->hosts.n_slots * hi->hosts.size) + (hi->addrs.n_slots * hi->addrs.size));
        return o;
}

void hosts_iface_done(struct lldp_iface *i) {
        slot_table_done(&i->hosts.hosts);
        slot_table_done(&i->hosts.addrs);
        i->hosts.hosts = (struct slot_table) { .size = sizeof(struct host_slot), .drop = host_slot_drop };
        i->hosts.addrs = (struct slot_table) { .size = sizeof(struct addr_slot) };
}
