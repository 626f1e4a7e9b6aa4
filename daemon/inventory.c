/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include "inventory.h"
#include "jsonout.h"
#include "strmap.h"

#define USEC_PER_SEC UINT64_C(1000000)
#define DEFAULT_MAX_DEVICES 1000000
#define DEFAULT_RETENTION_USEC (UINT64_C(30) * 24 * 3600 * USEC_PER_SEC)
#define LINKS_PER_DEVICE_MAX 4
_Static_assert(sizeof(Link) == 96, "a link spans two cache lines wherever it starts (96 = 64 + 32)");
/* the cache lines of a Device that a refresh touches (inventory.h) */
#define DEVICE_HOT_LINES ((offsetof(Device, mac_bits) + sizeof(((Device *) NULL)->mac_bits) + 63) / 64)
_Static_assert(DEVICE_HOT_LINES == 3, "a refresh touches three lines of a device");
_Static_assert(offsetof(Device, keys) == 128, "the MAC keys' line is the third");

struct Inventory {
        InventoryLimits limits;
        StrMap by_key;                  /* every key of every device but MAC keys → device ref */
        U64Map by_mac;                  /* MAC keys ("mac:…") by their value + 1 → device ref, but those in… */
        U64Map by_block;                /* …blocks a device claimed: block + 1 → device ref (see mac_get) */
        Device **devices;               /* insertion order; NULL holes after removal */
        Device *spare;                  /* freed devices, linked through their id */
        void **slabs;                   /* where devices come from (device_alloc()) */
        size_t n_slabs;
        size_t n_devices, cap_devices, n_live;
        Link *links;
        size_t n_links, cap_links;
        StrMap link_index;              /* Link.key → index+1 */
        uint32_t changed_link;          /* index+1 of the link the last observation made or changed */

        /* the refresh memo (see memo_* below) */
        struct Memo *memo;
        size_t memo_size, memo_used;    /* power of two; occupied slots */
        uint32_t key_epoch;             /* bumped whenever a key leaves the index */
        uint32_t last_stamp;            /* of the last observation kept (PackedObs.stamp) */
        uint64_t memo_seed;

        /* the batch inventory_prefetch() saw, merged next in this order */
        struct batch_entry {
                const struct vw_observation *obs;
                uint64_t hash;
                uint64_t mac0;          /* mac_value() of its first MAC, 0 = none that parses */
                uint64_t ref;           /* the plugin's reference, 0 = none */
        } batch[INVENTORY_BATCH_MAX];
        size_t n_batch, batch_next;
};

/* The index maps keys to a device's place in devices[] plus one. */
static uint32_t device_ref(const Device *d) {
        return d->index + 1;
}

static Device *device_by_ref(const Inventory *inv, uint32_t ref) {
        return ref > 0 && ref <= inv->n_devices ? inv->devices[ref - 1] : NULL;
}

/* Private default addresses: shipped as the factory setting of countless
 * boxes, so they never identify one. */
static const char *const default_addresses[] = {
        "192.168.0.1", "192.168.1.1", "192.168.1.254", "192.168.0.254", "192.168.1.100",
        "192.168.1.108", "192.168.1.64", "192.168.0.64", "192.168.100.1", "10.0.0.1",
        "10.0.0.138", "10.1.1.1", "169.254.1.1", "0.0.0.0", "127.0.0.1", "::1", "::",
};

int inventory_new(const InventoryLimits *limits, Inventory **ret) {
        Inventory *inv = calloc(1, sizeof(Inventory));
        if (!inv)
                return -ENOMEM;
        /* the memo's hash is keyed: the strings come from the wire */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        inv->memo_seed = ((uint64_t) ts.tv_nsec << 32 ^ (uint64_t) ts.tv_sec ^ (uint64_t) (uintptr_t) inv) | 1;
        if (limits)
                inv->limits = *limits;
        if (inv->limits.max_devices == 0)
                inv->limits.max_devices = DEFAULT_MAX_DEVICES;
        if (inv->limits.retention_usec == 0)
                inv->limits.retention_usec = DEFAULT_RETENTION_USEC;
        *ret = inv;
        return 0;
}

typedef struct KeyBlock {
        uint32_t used, size;    /* bytes of the string area */
        DeviceKey keys[];       /* Device.cap_keys of them, then the string area */
} KeyBlock;

static KeyBlock *key_block(const Device *d) {
        return d->keys ? (KeyBlock *) ((uint8_t *) d->keys - offsetof(KeyBlock, keys)) : NULL;
}

static char *key_area(const Device *d) {
        return (char *) (d->keys + d->cap_keys);
}

static bool key_word_is_mac(DeviceKey w) {
        return (w & DEVICE_KEY_MAC) != 0;
}

static uint64_t key_word_mac(DeviceKey w) {
        return w & ~DEVICE_KEY_MAC;
}

static const char *key_word_text(DeviceKey w) {
        return (const char *) (uintptr_t) w;
}

/* User-space pointers never have the top bit set (it marks kernel addresses
 * where pointers are that wide), so it can tell a MAC key from text. */
static DeviceKey key_word_of_text(const char *s) {
        DeviceKey w = (DeviceKey) (uintptr_t) s;
        assert(!key_word_is_mac(w));
        return w;
}

/* Devices come DEVICE_SLAB at a time, each on lines of its own (its hot
 * part is then three lines) with no allocator header; a freed one waits on
 * a list for the next.  The sanitizer build marks a spare one unreadable. */
#define DEVICE_SLAB 256
_Static_assert(sizeof(Device) % 64 == 0, "devices side by side stay on lines of their own");

#if defined(__SANITIZE_ADDRESS__)
#  include <sanitizer/asan_interface.h>
#  define DEVICE_POISON(d) ASAN_POISON_MEMORY_REGION((d), sizeof(Device))
#  define DEVICE_UNPOISON(d) ASAN_UNPOISON_MEMORY_REGION((d), sizeof(Device))
#else
#  define DEVICE_POISON(d) ((void) (d))
#  define DEVICE_UNPOISON(d) ((void) (d))
#endif

static void device_release(Inventory *inv, Device *d) {
        d->id = (const char *) inv->spare;
        inv->spare = d;
        DEVICE_POISON(d);
}

static Device *device_alloc(Inventory *inv) {
        if (!inv->spare) {
                void **l = realloc(inv->slabs, (inv->n_slabs + 1) * sizeof(void *));
                if (!l)
                        return NULL;
                inv->slabs = l;
                Device *slab = aligned_alloc(64, DEVICE_SLAB * sizeof(Device));
                if (!slab)
                        return NULL;
                inv->slabs[inv->n_slabs++] = slab;
                for (size_t i = DEVICE_SLAB; i > 0; i--)
                        device_release(inv, &slab[i - 1]);
        }
        Device *d = inv->spare;
        DEVICE_UNPOISON(d);
        inv->spare = (Device *) (uintptr_t) d->id;
        *d = (Device) {};
        return d;
}

static void device_free(Inventory *inv, Device *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n_obs; i++)
                packed_obs_free(d->obs[i]);
        free(key_block(d));     /* d->id is its first key */
        vendor_verdict_done(&d->vendor);
        free(d->role.role);     /* the role verdict's one block */
        free(d->policy.rule);
        device_release(inv, d);
}

static void link_done(Link *l) {
        free(l->key);           /* the other fields live in its block */
        if (l->remote_port_size > 0)
                free(l->remote_port);
        *l = (Link) {};
}

Inventory *inventory_free(Inventory *inv) {
        if (!inv)
                return NULL;
        for (size_t i = 0; i < inv->n_devices; i++)
                device_free(inv, inv->devices[i]);
        free(inv->devices);
        for (size_t i = 0; i < inv->n_slabs; i++) {
                Device *slab = inv->slabs[i];
                for (size_t k = 0; k < DEVICE_SLAB; k++)
                        DEVICE_UNPOISON(&slab[k]);      /* the allocator's again */
                free(slab);
        }
        free(inv->slabs);
        for (size_t i = 0; i < inv->n_links; i++)
                link_done(&inv->links[i]);
        free(inv->links);
        strmap_done(&inv->by_key);
        u64map_done(&inv->by_mac);
        u64map_done(&inv->by_block);
        strmap_done(&inv->link_index);
        free(inv->memo);
        free(inv);
        return NULL;
}

size_t inventory_count(Inventory *inv) {
        return inv->n_live;
}

/* ---- identifiers ---- */

/* "mac:" and twelve lowercase hex digits (as mac_key() writes them): such
 * keys are indexed by value, the most common key and the cheapest lookup. */
static bool key_has_mac_prefix(const char *key) {
        return key[0] == 'm' && key[1] == 'a' && key[2] == 'c' && key[3] == ':';
}

/* A device's keys that start with "mac:" are all MAC keys: mac_key() makes
 * them, and no other key has that prefix. */
static bool key_is_mac(const char *key, uint64_t *ret) {
        if (!key_has_mac_prefix(key))
                return false;
        uint64_t v = 0;
        for (size_t i = 4; i < 16; i++) {
                char c = key[i];
                if (c >= '0' && c <= '9')
                        v = v << 4 | (uint64_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v = v << 4 | (uint64_t) (c - 'a' + 10);
                else
                        return false;
        }
        if (key[16] != '\0')
                return false;
        *ret = v + 1;           /* 0 is the map's empty slot */
        return true;
}

/* The MAC index's key for a MAC, as key_is_mac() reads "mac:…". */
static uint64_t mac_value(const uint8_t mac[6]) {
        uint32_t hi;            /* two loads, in network order */
        uint16_t lo;
        memcpy(&hi, mac, 4);
        memcpy(&lo, mac + 4, 2);
        return ((uint64_t) ntohl(hi) << 16 | ntohs(lo)) + 1;
}

static void mac_from_value(uint64_t v, uint8_t mac[6]) {
        v--;
        uint32_t hi = htonl((uint32_t) (v >> 16));
        uint16_t lo = htons((uint16_t) v);
        memcpy(mac, &hi, 4);
        memcpy(mac + 4, &lo, 2);
}

/* ---- the MAC index ----
 * A switch's port MACs are mostly consecutive.  So a device's MAC keys
 * after its id (the words of keys[]) go to a window of 64 values (a 48-port
 * switch's, from any start): the MAC_WINDOW_BLOCKS blocks of 16 values from
 * the block of the first of them whose block nobody has claimed.  The device claims each block of its
 * window it puts a MAC in (by_block) and marks the MAC in its own bits; any
 * other MAC key (an id, a MAC outside the window or in a block another
 * device claimed first) is in by_mac by value.  A MAC is in one place only,
 * and a claim lasts until the device's last MAC in the block goes with it.
 * 480,000 port MACs of 10,000 switches then take some 30,000 block entries
 * instead of 480,000 slots of their own, and a refresh from a port MAC the
 * device has already reads only the device's bits. */
#define MAC_BLOCK_SHIFT 4
#define MAC_WINDOW_BLOCKS 4
#define MAC_WINDOW (MAC_WINDOW_BLOCKS << MAC_BLOCK_SHIFT)
_Static_assert(MAC_WINDOW == 64, "Device.mac_bits holds a window");

/* The block of a MAC by its index value (mac_value(): the MAC + 1). */
static uint64_t mac_block_of(uint64_t v) {
        return (v - 1) >> MAC_BLOCK_SHIFT;
}

/* v's place in the device's window, or -1 when the window does not hold it. */
static int window_place(const Device *d, uint64_t v) {
        if (d->mac_window == 0)
                return -1;
        uint64_t k = (v - 1) - ((d->mac_window - 1) << MAC_BLOCK_SHIFT);
        return k < MAC_WINDOW ? (int) k : -1;
}

/* The index value of the k-th MAC of the device's window (k < its count). */
static uint64_t window_mac(const Device *d, size_t k) {
        uint64_t bits = d->mac_bits;
        for (; k > 0; k--)
                bits &= bits - 1;
        return ((d->mac_window - 1) << MAC_BLOCK_SHIFT) + (uint64_t) __builtin_ctzll(bits) + 1;
}

/* Is v one of the device's MAC keys by its window?  Then the index maps v
 * to it: its bits are set only with its claim, which lasts as long. */
static bool device_has_window_mac(const Device *d, uint64_t v) {
        int k = window_place(d, v);
        return k >= 0 && (d->mac_bits >> k & 1);
}

/* By value first: an id (a host's one MAC, a chassis) is found there. */
static uint32_t mac_get(const Inventory *inv, uint64_t v) {
        uint32_t ref = u64map_get(&inv->by_mac, v);
        if (ref != 0)
                return ref;
        ref = u64map_get(&inv->by_block, mac_block_of(v) + 1);
        const Device *d = ref != 0 ? device_by_ref(inv, ref) : NULL;
        return d && device_has_window_mac(d, v) ? ref : 0;
}

/* Index v, nobody's yet, as the device's (`windowed`: a MAC after its id). */
static int mac_put(Inventory *inv, Device *d, uint64_t v, bool windowed) {
        uint64_t b = mac_block_of(v) + 1;
        uint32_t ref = device_ref(d);
        if (windowed && d->mac_window == 0 && u64map_get(&inv->by_block, b) == 0)
                d->mac_window = b;
        int k = windowed ? window_place(d, v) : -1;
        if (k >= 0) {
                uint32_t owner = u64map_get(&inv->by_block, b);
                if (owner == 0) {
                        int r = u64map_put(&inv->by_block, b, ref);
                        if (r < 0)
                                return r;
                        owner = ref;
                }
                if (owner == ref) {
                        d->mac_bits |= UINT64_C(1) << k;
                        return 0;
                }
        }
        return u64map_put(&inv->by_mac, v, ref);
}

static void mac_remove_if(Inventory *inv, Device *d, uint64_t v) {
        uint32_t ref = device_ref(d);
        int k = window_place(d, v);
        uint64_t b = mac_block_of(v) + 1;
        if (k >= 0 && (d->mac_bits >> k & 1) && u64map_get(&inv->by_block, b) == ref) {
                d->mac_bits &= ~(UINT64_C(1) << k);
                /* the claim goes with the block's last MAC (16 bits of a word) */
                int first = k & ~((1 << MAC_BLOCK_SHIFT) - 1);
                if ((d->mac_bits >> first & 0xffff) == 0)
                        u64map_remove(&inv->by_block, b);
                return;
        }
        if (u64map_get(&inv->by_mac, v) == ref)
                u64map_remove(&inv->by_mac, v);
}

static uint32_t key_get(const Inventory *inv, const char *key) {
        uint64_t mac;
        return key_is_mac(key, &mac) ? mac_get(inv, mac) : strmap_get(&inv->by_key, key);
}

/* `copy` must stay alive while indexed (it is the device's own copy of
 * `key`, which is read instead: it is the one in cache).  A MAC here is an
 * id, never in a window. */
static int key_put(Inventory *inv, Device *d, const char *copy, const char *key) {
        uint64_t mac;
        return key_is_mac(key, &mac) ? mac_put(inv, d, mac, false) : strmap_put(&inv->by_key, copy, device_ref(d));
}

static void key_remove_if(Inventory *inv, Device *d, DeviceKey w) {
        uint64_t mac;
        const char *key = key_word_text(w);
        if (key_word_is_mac(w))
                mac_remove_if(inv, d, key_word_mac(w));
        else if (key_is_mac(key, &mac))
                mac_remove_if(inv, d, mac);
        else if (strmap_get(&inv->by_key, key) == device_ref(d))
                strmap_remove(&inv->by_key, key);
}

/* Take every key of the device out of the index. */
static void device_unindex(Inventory *inv, Device *d) {
        for (size_t i = 0; i < d->n_keys; i++)
                key_remove_if(inv, d, d->keys[i]);
        uint64_t base = (d->mac_window - 1) << MAC_BLOCK_SHIFT;
        for (uint64_t bits = d->mac_bits; bits != 0; bits &= bits - 1)
                mac_remove_if(inv, d, base + (uint64_t) __builtin_ctzll(bits) + 1);
        d->mac_bits = 0;
}

enum key_strength { KEY_STRONG, KEY_ADDRESS, KEY_WEAK };

struct key {
        char text[300];
        enum key_strength strength;
};

#define KEYS_MAX 32

/* Two lowercase hex digits per byte value, in memory order. */
static const char hex_pairs[256][2] = {
#define HEX_ROW(h)                                                                                                     \
        { h, '0' }, { h, '1' }, { h, '2' }, { h, '3' }, { h, '4' }, { h, '5' }, { h, '6' }, { h, '7' }, { h, '8' },   \
                { h, '9' }, { h, 'a' }, { h, 'b' }, { h, 'c' }, { h, 'd' }, { h, 'e' }, { h, 'f' }
        HEX_ROW('0'), HEX_ROW('1'), HEX_ROW('2'), HEX_ROW('3'), HEX_ROW('4'), HEX_ROW('5'), HEX_ROW('6'), HEX_ROW('7'),
        HEX_ROW('8'), HEX_ROW('9'), HEX_ROW('a'), HEX_ROW('b'), HEX_ROW('c'), HEX_ROW('d'), HEX_ROW('e'), HEX_ROW('f'),
#undef HEX_ROW
};

/* The twelve lowercase hex digits of a mac_value(), the first eight in one
 * word and the last four in another, in memory order. */
static void mac_hex_of_value(uint64_t v, uint64_t *ret_first, uint32_t *ret_last) {
        char t[12];
        v--;
        for (size_t i = 0; i < 6; i++)
                memcpy(t + 2 * i, hex_pairs[(v >> (40 - 8 * i)) & 0xff], 2);
        memcpy(ret_first, t, 8);
        memcpy(ret_last, t + 8, 4);
}

/* "mac:…" for a mac_value(), as key_is_mac() reads it: two digits a byte. */
static void mac_key_of_value(uint64_t v, char out[static DEVICE_KEY_MAC_SIZE]) {
        uint64_t first;
        uint32_t last;
        mac_hex_of_value(v, &first, &last);
        memcpy(out, "mac:", 4);
        memcpy(out + 4, &first, 8);
        memcpy(out + 12, &last, 4);
        out[16] = '\0';
}

static void mac_key(const uint8_t mac[6], char out[static 300]) {
        mac_key_of_value(mac_value(mac), out);
}

size_t device_n_keys(const Device *d) {
        return d->n_keys + (size_t) __builtin_popcountll(d->mac_bits);
}

const char *device_key(const Device *d, size_t i, char buf[static DEVICE_KEY_MAC_SIZE]) {
        if (i >= d->n_keys) {
                mac_key_of_value(window_mac(d, i - d->n_keys), buf);
                return buf;
        }
        DeviceKey w = d->keys[i];
        if (!key_word_is_mac(w))
                return key_word_text(w);
        mac_key_of_value(key_word_mac(w), buf);
        return buf;
}

DeviceKey device_key_of_text(const char *text) {
        uint64_t mac;
        return key_is_mac(text, &mac) ? DEVICE_KEY_MAC | mac : key_word_of_text(text);
}

static bool address_is_default(const char *a) {
        for (size_t i = 0; i < ELEMENTSOF(default_addresses); i++)
                if (streq(a, default_addresses[i]))
                        return true;
        return false;
}

static bool address_valid(const char *a) {
        uint8_t buf[16];
        return inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1;
}

/* "<prefix><a>" or "<prefix><a>:<b>", cut at the key's size. */
static size_t add_key(struct key *keys, size_t n, enum key_strength s, const char *prefix, const char *a,
                      const char *b) {
        if (n >= KEYS_MAX)
                return n;
        const char *parts[] = { prefix, a, b ? ":" : "", b ? b : "" };
        strjoin_cut(keys[n].text, sizeof keys[n].text, parts, ELEMENTSOF(parts));
        for (size_t i = 0; i < n; i++)
                if (streq(keys[i].text, keys[n].text))
                        return n;
        keys[n].strength = s;
        return n + 1;
}

/* Strong identifiers first (the chassis first of all), then addresses, then
 * the weak fallback.  Returns the number of keys; *ret_chassis_strong says
 * whether the first one is a strong key from the chassis ID. */
static size_t observation_keys(const struct vw_observation *o, struct key keys[static KEYS_MAX],
                               bool *ret_chassis_strong) {
        size_t n = 0;
        uint8_t mac[6];

        if (!isempty(o->chassis_id)) {
                const char *st = o->chassis_subtype ? o->chassis_subtype : "local";
                if (mac_parse(o->chassis_id, mac) >= 0 && (streq(st, "mac") || streq(st, "local"))) {
                        if (!mac_is_weak(mac)) {
                                mac_key(mac, keys[n].text);
                                keys[n++].strength = KEY_STRONG;
                        }
                } else if (streq(st, "netaddr")) {
                        if (address_valid(o->chassis_id) && !address_is_default(o->chassis_id))
                                n = add_key(keys, n, KEY_ADDRESS, "addr:", o->chassis_id, NULL);
                } else if (!streq(st, "cdp"))   /* CDP device IDs ("Switch") are names, not identities */
                        n = add_key(keys, n, KEY_STRONG, "chassis:", st, o->chassis_id);
        }
        *ret_chassis_strong = n == 1 && keys[0].strength == KEY_STRONG;
        /* a plugin's list may have NULL holes, which hold nothing (as the
         * packed form keeps it): the manufacturer is the first one there */
        const char *mfg = NULL;
        for (size_t i = 0; o->entity_mfg && i < o->n_entity_mfg && !mfg; i++)
                mfg = o->entity_mfg[i];
        if (!isempty(o->entity_serial) && !isempty(mfg))
                n = add_key(keys, n, KEY_STRONG, "serial:", mfg, o->entity_serial);
        for (size_t i = 0; o->macs && i < o->n_macs; i++)
                if (o->macs[i] && mac_parse(o->macs[i], mac) >= 0 && !mac_is_weak(mac)) {
                        char k[300];
                        mac_key(mac, k);
                        n = add_key(keys, n, KEY_STRONG, "", k, NULL);
                }
        for (size_t i = 0; o->addresses && i < o->n_addresses; i++)
                if (o->addresses[i] && address_valid(o->addresses[i]) && !address_is_default(o->addresses[i]))
                        n = add_key(keys, n, KEY_ADDRESS, "addr:", o->addresses[i], NULL);
        if (n == 0) {
                /* Nothing identifies it: a name is only good within the place it was
                 * seen, so it can never fold two boxes from different places together. */
                const char *name = !isempty(o->sys_name) ? o->sys_name
                                 : !isempty(o->chassis_id) ? o->chassis_id : o->hostname;
                const char *where = o->via.device ? o->via.device : o->via.interface ? o->via.interface
                                  : o->source ? o->source : "-";
                if (!isempty(name))
                        n = add_key(keys, n, KEY_WEAK, "name:", where, name);
        }
        return n;
}

static bool key_is_strong(const char *key) {
        return strncmp(key, "mac:", 4) == 0 || strncmp(key, "chassis:", 8) == 0 || strncmp(key, "serial:", 7) == 0;
}

static bool device_has_strong_key(const Device *d) {
        if (d->mac_bits != 0)
                return true;            /* MACs of its window */
        for (size_t i = 0; i < d->n_keys; i++)
                if (key_word_is_mac(d->keys[i]) || key_is_strong(key_word_text(d->keys[i])))
                        return true;
        return false;
}

/* A device's keys live in one block: a header, the key words, then the
 * text of those that are not MAC keys.  Most devices never gain a key after
 * the first observation, so the first block is exact; one that grows (a
 * switch heard from each of its port MACs) doubles, and only then are its
 * keys copied and the index re-pointed.  A MAC key other than the first is
 * kept as its value, a word with no text: the port MACs a refresh adds then
 * read and write only the device's third line and one word of the block. */
/* Room for n more keys of `bytes` bytes of text in all (NULs included). */
static int device_reserve_keys(Inventory *inv, Device *d, size_t n, size_t bytes) {
        KeyBlock *kb = key_block(d);
        if (kb && d->n_keys + n <= d->cap_keys && (bytes == 0 || kb->used + bytes <= kb->size))
                return 0;
        /* exact for a new device; doubling once it grows */
        size_t cap = d->n_keys + n, size = (kb ? kb->used : 0) + bytes;
        if (kb) {
                if (cap < (size_t) d->cap_keys * 2)
                        cap = (size_t) d->cap_keys * 2;
                if (bytes > 0 && size < (size_t) kb->size * 2)
                        size = (size_t) kb->size * 2;
                if (size < kb->size)
                        size = kb->size;
        }
        if (cap > UINT32_MAX / 2 || size > UINT32_MAX / 2)
                return -E2BIG;
        KeyBlock *nb = malloc(sizeof(KeyBlock) + cap * sizeof(DeviceKey) + size);
        if (!nb)
                return -ENOMEM;
        *nb = (KeyBlock) { .size = (uint32_t) size };
        char *area = (char *) (nb->keys + cap);
        if (kb) {
                /* the strings in one piece; each pointer moves by as much */
                const char *old_area = key_area(d);
                memcpy(area, old_area, kb->used);
                nb->used = kb->used;
                for (size_t i = 0; i < d->n_keys; i++) {
                        DeviceKey w = d->keys[i];
                        if (!key_word_is_mac(w)) {
                                const char *text = area + (key_word_text(w) - old_area);
                                w = key_word_of_text(text);
                                /* the string index points at the new copy (a
                                 * put of a key that is there replaces its
                                 * pointer and cannot fail); the MAC index
                                 * holds no pointers */
                                if (!key_has_mac_prefix(text) && strmap_get(&inv->by_key, text) == device_ref(d))
                                        (void) strmap_put(&inv->by_key, text, device_ref(d));
                        }
                        nb->keys[i] = w;
                }
        }
        free(kb);
        d->keys = nb->keys;
        d->cap_keys = (uint32_t) cap;
        if (d->n_keys > 0)
                d->id = key_word_text(d->keys[0]);
        return 0;
}

/* Is the key at place `at` of a device kept as a MAC word? */
static bool key_as_word(size_t at, const char *key, uint64_t *ret_mac) {
        return at > 0 && key_is_mac(key, ret_mac);
}

/* Add keys[0..n) to the device. */
static int device_add_keys(Inventory *inv, Device *d, const char *const *keys, size_t n) {
        size_t bytes = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t mac;
                if (!key_as_word(d->n_keys + i, keys[i], &mac))
                        bytes += strlen(keys[i]) + 1;
        }
        if (n == 0)
                return 0;
        int r = device_reserve_keys(inv, d, n, bytes);
        if (r < 0)
                return r;
        KeyBlock *kb = key_block(d);
        for (size_t i = 0; i < n; i++) {
                uint64_t mac;
                if (key_as_word(d->n_keys, keys[i], &mac)) {
                        r = mac_put(inv, d, mac, true);
                        if (r < 0)
                                return r;
                        if (!device_has_window_mac(d, mac))     /* else its bit is its key */
                                d->keys[d->n_keys++] = DEVICE_KEY_MAC | mac;
                        continue;
                }
                size_t len = strlen(keys[i]) + 1;
                char *copy = memcpy(key_area(d) + kb->used, keys[i], len);
                r = key_put(inv, d, copy, keys[i]);
                if (r < 0)
                        return r;
                kb->used += (uint32_t) len;
                d->keys[d->n_keys++] = key_word_of_text(copy);
        }
        d->id = key_word_text(d->keys[0]);
        return 0;
}

/* Add MAC keys by their index values (mac_value()), none of them anyone's:
 * the refresh path's new port MACs, without a text round trip.  The device
 * has its id already, so they are words. */
static int device_add_macs(Inventory *inv, Device *d, const uint64_t *values, size_t n) {
        if (n == 0)
                return 0;
        assert(d->n_keys > 0);
        for (size_t i = 0; i < n; i++) {
                int r = mac_put(inv, d, values[i], true);
                if (r < 0)
                        return r;
                if (device_has_window_mac(d, values[i]))
                        continue;               /* its bit is its key */
                r = device_reserve_keys(inv, d, 1, 0);
                if (r < 0) {
                        mac_remove_if(inv, d, values[i]);
                        return r;
                }
                d->keys[d->n_keys++] = DEVICE_KEY_MAC | values[i];
        }
        return 0;
}

static int device_new(Inventory *inv, const char *const *keys, size_t n_keys, Device **ret) {
        if (inv->n_live >= inv->limits.max_devices)
                return -ENOSPC;
        if (inv->n_devices == inv->cap_devices) {
                size_t cap = inv->cap_devices ? inv->cap_devices * 2 : 256;
                Device **l = realloc(inv->devices, cap * sizeof(Device *));
                if (!l)
                        return -ENOMEM;
                inv->devices = l;
                inv->cap_devices = cap;
        }
        if (inv->n_devices >= UINT32_MAX - 1)
                return -ENOSPC;
        Device *d = device_alloc(inv);
        if (!d)
                return -ENOMEM;
        d->index = (uint32_t) inv->n_devices;
        if (device_add_keys(inv, d, keys, n_keys) < 0) {
                device_unindex(inv, d);
                device_free(inv, d);
                return -ENOMEM;
        }
        inv->devices[inv->n_devices++] = d;
        inv->n_live++;
        *ret = d;
        return 0;
}

/* Replace the device's observation from the same source, or add one.
 * Returns its place in d->obs[]. */
static void memo_forget_all(Inventory *inv);

static int device_put_observation(Inventory *inv, Device *d, const struct vw_observation *obs) {
        PackedObs *o;
        int r = packed_obs_new(obs, &o);
        if (r < 0)
                return r;
        if (++inv->last_stamp == 0) {
                /* stamps come round again: no reference or memo entry made
                 * with an old one may match a new observation */
                memo_forget_all(inv);
                inv->last_stamp = 1;
        }
        o->stamp = inv->last_stamp;
        const char *src = obs->source ? obs->source : "unknown";
        for (size_t i = 0; i < d->n_obs; i++)
                if (streq(device_obs_source(d, i), src)) {
                        packed_obs_free(d->obs[i]);
                        d->obs[i] = o;
                        return (int) i;
                }
        if (d->n_obs < DEVICE_SOURCES_MAX) {
                d->obs[d->n_obs++] = o;
                return d->n_obs - 1;
        }
        /* More sources than slots: the oldest sighting makes room. */
        size_t oldest = 0;
        for (size_t i = 1; i < d->n_obs; i++)
                if (d->obs[i]->time_usec < d->obs[oldest]->time_usec)
                        oldest = i;
        packed_obs_free(d->obs[oldest]);
        d->obs[oldest] = o;
        return (int) oldest;
}

/* One block per link: its index key "local\tlocal port\tremote", then the
 * fields as strings; the remote port, which changes, has its own copy. */
static int link_fill(Link *l, const char *local, const char *local_port, const char *remote, const char *source) {
        const char *f[] = { local, local_port ? local_port : "", remote, source };
        size_t len[ELEMENTSOF(f)], size = 0;
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                size += (len[i] = strlen(f[i])) + 1;
        size += len[0] + len[1] + len[2] + 3;           /* the key */
        char *block = malloc(size), *p = block;
        if (!block)
                return -ENOMEM;
        for (size_t i = 0; i < 3; i++) {
                memcpy(p, f[i], len[i]);
                p += len[i];
                *p++ = i < 2 ? '\t' : '\0';
        }
        char *at[ELEMENTSOF(f)];
        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                at[i] = memcpy(p, f[i], len[i] + 1);
                p += len[i] + 1;
        }
        l->key = block;
        l->local = at[0];
        l->local_port = local_port ? at[1] : NULL;
        l->remote = at[2];
        l->source = at[3];
        return 0;
}

/* The link's remote port becomes `port` (NULL: none), in its block when it
 * fits: a neighbour speaking from port after port. */
static int link_set_remote_port(Link *l, const char *port) {
        size_t len = port ? strlen(port) + 1 : 0;
        if (len > sizeof l->port && len > l->remote_port_size) {
                if (len > UINT32_MAX)
                        return -E2BIG;
                char *p = malloc(len);
                if (!p)
                        return -ENOMEM;
                if (l->remote_port_size > 0)
                        free(l->remote_port);
                l->remote_port = p;
                size_t room = malloc_usable_size(p);    /* the block's slack is room too */
                l->remote_port_size = (uint32_t) (room < UINT32_MAX ? room : UINT32_MAX);
        } else if (len <= sizeof l->port) {
                if (l->remote_port_size > 0)
                        free(l->remote_port);
                l->remote_port_size = 0;
                l->remote_port = port ? l->port : NULL;
        }
        if (port)
                memcpy(l->remote_port, port, len);
        return 0;
}

/* A link seen again: its time, and its remote port when that changed. */
static int link_refresh(Inventory *inv, uint32_t idx, const char *remote_port, uint64_t now, uint32_t *ret_changed) {
        Link *l = &inv->links[idx - 1];
        if (now > l->last_seen)
                l->last_seen = now;
        if (streq_ptr(l->remote_port, remote_port))
                return 0;
        int r = link_set_remote_port(l, remote_port);
        if (r < 0)
                return r;
        *ret_changed = idx;
        return 0;
}

/* Record (or refresh) the link local:local_port → remote:remote_port;
 * *ret_changed says whether it is new or its remote port changed. */
static int link_put(Inventory *inv, const char *local, const char *local_port, const char *remote,
                    const char *remote_port, const char *source, uint64_t now, uint32_t *ret_changed,
                    uint32_t *ret_link) {
        char key[1024];
        int n = snprintf(key, sizeof key, "%s\t%s\t%s", local, local_port ? local_port : "", remote);
        if (n < 0 || (size_t) n >= sizeof key)
                return -E2BIG;
        uint32_t idx = strmap_get(&inv->link_index, key);
        if (idx > 0) {
                *ret_link = idx;
                return link_refresh(inv, idx, remote_port, now, ret_changed);
        }
        if (inv->n_links >= inv->limits.max_devices * LINKS_PER_DEVICE_MAX || inv->n_links >= UINT32_MAX - 1)
                return -ENOSPC;
        if (inv->n_links == inv->cap_links) {
                size_t cap = inv->cap_links ? inv->cap_links * 2 : 64;
                Link *l = realloc(inv->links, cap * sizeof(Link));
                if (!l)
                        return -ENOMEM;
                for (size_t i = 0; i < inv->n_links; i++)
                        if (l[i].remote_port && l[i].remote_port_size == 0)
                                l[i].remote_port = l[i].port;   /* moved with the array */
                inv->links = l;
                inv->cap_links = cap;
        }
        Link *l = &inv->links[inv->n_links];
        *l = (Link) { .last_seen = now };
        int r = link_fill(l, local, local_port, remote, source ? source : "unknown");
        if (r < 0)
                return r;
        if (link_set_remote_port(l, remote_port) < 0) {
                link_done(l);
                return -ENOMEM;
        }
        r = strmap_put(&inv->link_index, l->key, (uint32_t) (inv->n_links + 1));
        if (r < 0) {
                link_done(l);
                return r;
        }
        *ret_changed = *ret_link = (uint32_t) ++inv->n_links;
        return 0;
}

static int link_record(Inventory *inv, const struct vw_observation *o, const Device *d, uint64_t now,
                       uint32_t *ret_link) {
        const char *local = o->via.device;
        char capture[300];
        if (!local && o->via.interface) {
                snprintf(capture, sizeof capture, "capture:%s", o->via.interface);
                local = capture;
        }
        if (!local || streq(local, d->id))
                return 0;
        return link_put(inv, local, o->via.port ? o->via.port : o->via.interface, d->id, o->port_id, o->source, now,
                        &inv->changed_link, ret_link);
}

int inventory_restore_link(Inventory *inv, const Link *l) {
        uint32_t changed = 0, idx = 0;
        if (!l || isempty(l->local) || isempty(l->remote))
                return -EINVAL;
        return link_put(inv, l->local, isempty(l->local_port) ? NULL : l->local_port, l->remote,
                        isempty(l->remote_port) ? NULL : l->remote_port, l->source, l->last_seen, &changed, &idx);
}

const Link *inventory_take_changed_link(Inventory *inv) {
        uint32_t i = inv->changed_link;
        inv->changed_link = 0;
        return i > 0 && i <= inv->n_links ? &inv->links[i - 1] : NULL;
}

/* What an observation does to the device it lands on. */
static void device_seen(Device *d, const struct vw_observation *obs, uint64_t now) {
        d->last_seen = now;
        if (obs->kind && streq(obs->kind, "host")) {
                if (d->n_obs == 1)
                        d->kind = DEVICE_HOST;
        } else
                d->kind = DEVICE_NETWORK;
        d->stale = false;
        if (obs->ttl == 0) {
                d->absent = true;       /* a shutdown frame: the neighbour says it leaves */
                d->expires = 0;
        } else {
                d->absent = false;
                d->expires = obs->ttl > 0 ? now + (uint64_t) obs->ttl * USEC_PER_SEC : 0;
        }
        d->generation++;
}

/* The full path: resolve every identifier of the observation.  *ret_memo
 * says whether the result may be remembered for the refresh path: a device
 * found through a strong chassis key, without conflict, and seen before —
 * or new but from a plugin's batch of sightings (`sighting`): a neighbour
 * that speaks again, whose second sighting should not take the full path
 * too.  One-off observations (an import) would only fill the memo. */
static int merge_full(Inventory *inv, const struct vw_observation *obs, bool sighting, uint64_t now,
                      ObserveResult *res, int *ret_slot, uint32_t *ret_link, bool *ret_memo) {
        struct key keys[KEYS_MAX];
        bool chassis_strong;
        size_t n = observation_keys(obs, keys, &chassis_strong);
        Device *d = NULL;
        bool conflict = false, created = false;
        int r;

        if (n == 0)
                return -EINVAL;

        /* Each key is looked up once. */
        Device *owner[KEYS_MAX];
        for (size_t i = 0; i < n; i++)
                owner[i] = device_by_ref(inv, key_get(inv, keys[i].text));

        /* The device the strongest evidence points at; other strong keys that
         * point elsewhere are a conflict and stay with their own device. */
        for (size_t i = 0; i < n; i++) {
                if (keys[i].strength != KEY_STRONG || !owner[i])
                        continue;
                if (!d)
                        d = owner[i];
                else if (owner[i] != d)
                        conflict = true;
        }
        /* An address merges only when no strong identifier decided, and never
         * into a device that has a strong identity of its own: two boxes with
         * different chassis MACs that announce one address stay two. */
        bool has_strong = false;
        for (size_t i = 0; i < n; i++)
                has_strong |= keys[i].strength == KEY_STRONG;
        for (size_t i = 0; !d && i < n; i++) {
                if (keys[i].strength == KEY_STRONG)
                        continue;
                if (owner[i] && !(has_strong && device_has_strong_key(owner[i])))
                        d = owner[i];
        }

        /* the keys nobody has yet: a key owned by another device stays there
         * (a strong one is a conflict kept apart, an address or name is not
         * stolen) */
        const char *fresh[KEYS_MAX];
        size_t n_fresh = 0;
        for (size_t i = 0; i < n; i++)
                if (!owner[i])
                        fresh[n_fresh++] = keys[i].text;
        if (!d) {
                /* its id is its first key: the strongest one */
                if (owner[0]) {
                        memmove(fresh + 1, fresh, n_fresh * sizeof fresh[0]);
                        fresh[0] = keys[0].text;
                        n_fresh++;
                }
                r = device_new(inv, fresh, n_fresh, &d);
                if (r < 0)
                        return r;
                d->first_seen = now;
                created = true;
        } else {
                r = device_add_keys(inv, d, fresh, n_fresh);
                if (r < 0)
                        return r;
        }

        struct vw_observation copy = *obs;
        if (copy.time_usec == 0)
                copy.time_usec = now;
        r = device_put_observation(inv, d, &copy);
        if (r < 0)
                return r;
        *ret_slot = r;
        res->was_present = !created && !d->absent && !d->stale;
        device_seen(d, obs, now);
        (void) link_record(inv, &copy, d, now, ret_link);

        res->device = d;
        res->conflict = conflict;
        *ret_memo = (!created || sighting) && !conflict && chassis_strong && n < KEYS_MAX;
        return 0;
}

/* ---- the refresh memo ----
 * A neighbour that re-announces itself (LLDP every 30 s) sends its identity
 * again with a few fields that change: the time, the TTL, the port it spoke
 * from, that port's description and MAC.  The memo remembers, per (source,
 * place, chassis), where the last such observation landed: the device, the
 * observation's place in it and its link.  The next one is compared with
 * that stored observation field by field (packed_obs_compare); when only
 * those fields changed it is merged without resolving its identifiers again,
 * and only a MAC the device does not have yet is looked up.  An entry is
 * checked, never trusted: removing a device bumps key_epoch, and any other
 * change shows in the comparison. */
typedef struct Memo {
        uint64_t hash;                  /* 0 = empty */
        /* where the device, its observation and its key block were: only
         * ever prefetched (batch_prefetch_state()), never read through */
        const void *device_hint, *obs_hint, *keys_hint;
        uint64_t mac_block;             /* its one MAC's 36-bit registry block + 1; 0 = not one MAC */
        uint32_t device;                /* device ref */
        uint32_t link;                  /* index+1 of its link, 0 = none */
        uint32_t epoch;                 /* key_epoch when made */
        uint32_t stamp;                 /* the observation's stamp */
        uint32_t tail;                  /* packed_obs_tail_offset() of it, unchanged by patches */
        uint8_t slot;                   /* the observation's place in the device */
        bool grew;                      /* the last refresh added keys: the next may too */
        uint16_t obs_size;              /* its block's usable size (0: not known), or less
                                           when it grew where it was: a patch's room */
} Memo;
_Static_assert(sizeof(Memo) == 64, "a memo entry is one cache line (the table is line-aligned)");
_Static_assert(DEVICE_SOURCES_MAX <= UINT8_MAX, "Memo.slot");

/* A MAC's 36-bit block + 1 when the observation has exactly one MAC that
 * parses, else 0. */
static uint64_t mac_block(const uint8_t mac[6]) {
        return (mac_value(mac) - 1) >> 12 | UINT64_C(1) << 40;
}

static uint64_t single_mac_block(const struct vw_observation *o) {
        uint8_t mac[6];
        if (o->n_macs != 1 || !o->macs[0] || mac_parse(o->macs[0], mac) < 0)
                return 0;
        return mac_block(mac);
}

/* Where the allocator keeps the word malloc_usable_size() reads past an
 * observation's block (the next block's header), as a prefetch hint. */
static uint16_t obs_size_hint(const PackedObs *p) {
        size_t size = malloc_usable_size((void *) p);
        return size <= UINT16_MAX ? (uint16_t) size : 0;
}

/* Where the device's next key word goes (a prefetch may point past the
 * block: the next key then moves it anyway). */
static void memo_hint_keys(Memo *e, const Device *d) {
        e->keys_hint = d->keys ? d->keys + d->n_keys : NULL;
}

/* What a plugin holds on to for a neighbour's next sighting: the memo
 * entry's place and the observation's stamp. */
static uint64_t memo_ref(const Inventory *inv, const Memo *e) {
        return (uint64_t) e->stamp << 32 | (uint64_t) (e - inv->memo + 1);
}

static uint64_t memo_mix(uint64_t h, const char *s) {
        if (!s)
                return (h ^ 0x5bd1e995u) * 0x9e3779b97f4a7c15ull;
        size_t len = strlen(s), i = 0;
        for (; i + 8 <= len; i += 8) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                h = (h ^ w) * 0x9e3779b97f4a7c15ull;
                h ^= h >> 29;
        }
        uint64_t w = 0;
        memcpy(&w, s + i, len - i);
        h = (h ^ w ^ (uint64_t) len << 56) * 0x9e3779b97f4a7c15ull;
        return h ^ (h >> 32);
}

/* 0 for an observation without a chassis ID: it is not a neighbour
 * announcing itself. */
static uint64_t memo_hash(const Inventory *inv, const struct vw_observation *o) {
        if (isempty(o->chassis_id))
                return 0;
        uint64_t h = inv->memo_seed;
        const char *parts[] = { o->source, o->kind, o->chassis_subtype, o->chassis_id,
                                o->via.device, o->via.port, o->via.interface, o->via.agent };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                h = memo_mix(h, parts[i]);
        return h ? h : 1;
}

/* The entry for `hash`, or the empty slot where it would go (NULL: no table). */
static Memo *memo_slot(const Inventory *inv, uint64_t hash) {
        if (inv->memo_size == 0)
                return NULL;
        size_t mask = inv->memo_size - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask)
                if (inv->memo[i].hash == hash || inv->memo[i].hash == 0)
                        return &inv->memo[i];
}

static void memo_forget_all(Inventory *inv) {
        if (inv->memo)
                memset(inv->memo, 0, inv->memo_size * sizeof(Memo));
        inv->memo_used = 0;
        inv->key_epoch++;
}

/* Rebuild into `size` slots, keeping only the entries still valid. */
static int memo_rehash(Inventory *inv, size_t size) {
        Memo *old = inv->memo;
        size_t old_size = inv->memo_size;
        Memo *t = table_calloc(size, sizeof(Memo));
        if (!t)
                return -ENOMEM;
        inv->memo = t;
        inv->memo_size = size;
        inv->memo_used = 0;
        for (size_t i = 0; i < old_size; i++)
                if (old[i].hash != 0 && old[i].epoch == inv->key_epoch && device_by_ref(inv, old[i].device)) {
                        *memo_slot(inv, old[i].hash) = old[i];
                        inv->memo_used++;
                }
        free(old);
        return 0;
}

static Memo *memo_put(Inventory *inv, uint64_t hash, const Device *d, int slot, uint32_t link,
                      const struct vw_observation *obs) {
        Memo *e = memo_slot(inv, hash);
        if (!e || e->hash == 0) {
                /* full: drop the stale entries, then grow if the live ones
                 * need it (a cache: failing loses nothing) */
                if ((inv->memo_used + 1) * 2 > inv->memo_size && inv->memo_size > 0 &&
                    memo_rehash(inv, inv->memo_size) < 0)
                        return NULL;
                if ((inv->memo_used + 1) * 2 > inv->memo_size &&
                    memo_rehash(inv, inv->memo_size ? inv->memo_size * 2 : 1024) < 0)
                        return NULL;
                e = memo_slot(inv, hash);
                inv->memo_used++;
        }
        *e = (Memo) { .hash = hash, .device_hint = d, .obs_hint = d->obs[slot], .device = device_ref(d),
                      .link = link, .epoch = inv->key_epoch, .slot = (uint8_t) slot, .grew = true, .stamp = d->obs[slot]->stamp,
                      .tail = (uint32_t) packed_obs_tail_offset(d->obs[slot]), .mac_block = single_mac_block(obs),
                      .obs_size = obs_size_hint(d->obs[slot]) };
        memo_hint_keys(e, d);
        return e;
}

/* A batch is loaded in two stages, so that its loads overlap: the first
 * asks for an entry's memo entry and MAC slots; the second, once a memo
 * entry is in, for the device, observation, link and key block it points
 * at.  Both run ahead of the merge (batch_take()), the first MEMO_AHEAD
 * entries ahead and the second BATCH_AHEAD: far enough for the loads to
 * arrive, near enough that what arrived is still in the nearer caches (a
 * whole batch's memo entries asked for at once had mostly left them by their
 * turn: a frame touches a score of other lines). */
#define MEMO_AHEAD 12
#define BATCH_AHEAD 4

/* The memo entry a reference names, unchecked (NULL when out of range). */
static Memo *memo_of_ref(const Inventory *inv, uint64_t ref) {
        size_t i = (uint32_t) ref;
        return i > 0 && i <= inv->memo_size ? &inv->memo[i - 1] : NULL;
}

/* The memo entry batch entry i names (by reference or by hash), or NULL. */
static const Memo *batch_memo(const Inventory *inv, size_t i) {
        const struct batch_entry *b = &inv->batch[i];
        const Memo *e = b->ref ? memo_of_ref(inv, b->ref) : b->hash ? memo_slot(inv, b->hash) : NULL;
        return !e || e->hash == 0 || (b->hash && e->hash != b->hash) ? NULL : e;
}

static void batch_prefetch_macs(const Inventory *inv, const struct batch_entry *b) {
        if (b->mac0 != 0) {
                u64map_prefetch(&inv->by_block, mac_block_of(b->mac0) + 1);
                u64map_prefetch(&inv->by_mac, b->mac0);         /* a MAC new to its device is looked up there too */
        }
}

static void batch_prefetch_memo(const Inventory *inv, size_t i) {
        const struct batch_entry *b = &inv->batch[i];
        /* a sighting with a reference has its MAC slots asked for in the
         * second stage, when its memo entry says it may need them */
        if (!b->ref)
                batch_prefetch_macs(inv, b);
        const Memo *e = b->ref ? memo_of_ref(inv, b->ref) : NULL;
        if (e)
                __builtin_prefetch(e);
        else if (b->hash && inv->memo_size > 0)
                __builtin_prefetch(&inv->memo[b->hash & (inv->memo_size - 1)]);
}

static void batch_prefetch_state(const Inventory *inv, size_t i) {
        const Memo *e = batch_memo(inv, i);
        if (!e)
                return;
        for (size_t k = 0; k < DEVICE_HOT_LINES; k++)
                __builtin_prefetch((const char *) e->device_hint + 64 * k);
        /* the observation's header to its last byte (the stamp): a 48-byte
         * header 16-aligned spans two lines half the time; then the tail a
         * patch rewrites (in the room the memo knows: the allocator's words
         * are not read) */
        const char *tail = (const char *) e->obs_hint + offsetof(PackedObs, data) + e->tail;
        __builtin_prefetch(e->obs_hint);
        __builtin_prefetch((const char *) e->obs_hint + sizeof(PackedObs) - 1);
        __builtin_prefetch(tail);
        __builtin_prefetch(tail + 64);
        if (e->grew) {
                /* the last sighting brought a MAC new to the device: this
                 * one may too, and its MAC is then looked up (a MAC the
                 * device has needs neither) */
                __builtin_prefetch(e->keys_hint);       /* a new port MAC's key goes there */
                if (inv->batch[i].ref)
                        batch_prefetch_macs(inv, &inv->batch[i]);
        }
        if (e->link > 0 && e->link <= inv->n_links) {
                __builtin_prefetch(&inv->links[e->link - 1]);
                /* and its second line: the remote port, kept there when short */
                __builtin_prefetch(inv->links[e->link - 1].port + sizeof inv->links[0].port - 1);
        }
}

/* The observation's entry in the batch inventory_prefetch() saw, when it
 * is the next one; anything else ends the batch. */
static const struct batch_entry *batch_take(Inventory *inv, const struct vw_observation *obs) {
        if (inv->n_batch == 0 || inv->batch[inv->batch_next].obs != obs) {
                inv->n_batch = inv->batch_next = 0;
                return NULL;
        }
        const struct batch_entry *b = &inv->batch[inv->batch_next];
        if (inv->batch_next + MEMO_AHEAD < inv->n_batch)
                batch_prefetch_memo(inv, inv->batch_next + MEMO_AHEAD);
        if (inv->batch_next + BATCH_AHEAD < inv->n_batch)
                batch_prefetch_state(inv, inv->batch_next + BATCH_AHEAD);
        if (++inv->batch_next == inv->n_batch)
                inv->n_batch = inv->batch_next = 0;     /* the entry stays readable until the next batch */
        return b;
}

/* The refresh path: 1 when the observation was merged, 0 when it needs the
 * full path (nothing was changed then). */
static int merge_refresh(Inventory *inv, Memo *e, const struct vw_observation *obs, bool vouched, uint64_t mac0,
                         uint64_t now, ObserveResult *res) {
        Device *d = device_by_ref(inv, e->device);
        if (!d || e->epoch != inv->key_epoch || e->slot >= d->n_obs || d->obs[e->slot]->stamp != e->stamp ||
            obs->n_macs + obs->n_addresses + 2 >= KEYS_MAX)
                return 0;
        const PackedObs *old = d->obs[e->slot];

        /* its MACs: the device's already, or nobody's yet (another device's
         * is a conflict, which the full path reports) */
        uint64_t fresh[KEYS_MAX];
        size_t n_fresh = 0, n_parsed = 0;
        uint64_t block = 0;
        for (size_t i = 0; i < obs->n_macs; i++) {
                uint8_t mac[6];
                if (i == 0 && mac0 != 0)
                        mac_from_value(mac0, mac);      /* inventory_prefetch() had it */
                else if (!obs->macs[i] || mac_parse(obs->macs[i], mac) < 0)
                        continue;
                if (n_parsed++ == 0)
                        block = mac_block(mac);
                if (mac_is_weak(mac))
                        continue;
                uint64_t v = mac_value(mac);
                if (device_has_window_mac(d, v))
                        continue;
                uint32_t owner = mac_get(inv, v);
                if (owner == device_ref(d))
                        continue;
                if (owner != 0)
                        return 0;
                bool dup = false;
                for (size_t j = 0; j < n_fresh && !dup; j++)
                        dup = fresh[j] == v;
                if (!dup)
                        fresh[n_fresh++] = v;
        }
        /* a plugin that vouches for the identity compared the bytes it
         * decoded it from; anything else is compared here */
        unsigned same = vouched ? OBS_SAME_IDENTITY : packed_obs_compare(old, obs);
        if (!(same & OBS_SAME_IDENTITY))
                return 0;
        if (obs->n_macs != 1 || n_parsed != 1)
                block = 0;              /* as single_mac_block() */
        if (block != 0 && block == e->mac_block)
                same |= OBS_SAME_MAC_BLOCKS;

        int r = device_add_macs(inv, d, fresh, n_fresh);
        if (r < 0)
                return r;
        r = packed_obs_patch(&d->obs[e->slot], e->tail, e->obs_size, obs, obs->time_usec ? obs->time_usec : now);
        if (r < 0)
                return r;
        if (e->obs_hint != d->obs[e->slot]) {
                e->obs_hint = d->obs[e->slot];
                e->obs_size = obs_size_hint(d->obs[e->slot]);
        }
        if (n_fresh > 0)
                memo_hint_keys(e, d);   /* only new keys move them */
        e->grew = n_fresh > 0;
        res->was_present = !d->absent && !d->stale;
        device_seen(d, obs, now);
        if (e->link > 0)
                (void) link_refresh(inv, e->link, obs->port_id, now, &inv->changed_link);
        else
                (void) link_record(inv, obs, d, now, &e->link);
        e->mac_block = block;
        res->device = d;
        res->refresh = true;
        res->same_vendor_inputs = same & OBS_SAME_MAC_BLOCKS;
        res->ref = memo_ref(inv, e);
        return 1;
}

int inventory_refresh(Inventory *inv, uint64_t ref, const struct vw_observation *obs, uint64_t now,
                      ObserveResult *ret) {
        size_t i = (uint32_t) ref;
        if (i == 0 || i > inv->memo_size)
                return 0;
        Memo *e = &inv->memo[i - 1];
        if (e->hash == 0 || e->stamp != (uint32_t) (ref >> 32))
                return 0;
        ObserveResult res = {};
        inv->changed_link = 0;
        /* its batch entry, when it has one, is the next (taken below) */
        const struct batch_entry *b = inv->n_batch > 0 ? &inv->batch[inv->batch_next] : NULL;
        int r = merge_refresh(inv, e, obs, true, b && b->obs == obs ? b->mac0 : 0, now, &res);
        if (r <= 0)
                return r;       /* inventory_merge() takes its turn in the batch */
        (void) batch_take(inv, obs);
        if (ret)
                *ret = res;
        return r;
}

int inventory_merge(Inventory *inv, const struct vw_observation *obs, uint64_t now, ObserveResult *ret) {
        ObserveResult res = {};
        inv->changed_link = 0;

        const struct batch_entry *b = batch_take(inv, obs);
        uint64_t hash;
        if (b && b->hash)
                hash = b->hash;         /* inventory_prefetch() did this */
        else {
                /* the first MAC's slot in the index is wanted soon: load it
                 * while the memo hash is computed */
                uint8_t mac[6];
                if (obs->n_macs > 0 && obs->macs[0] && mac_parse(obs->macs[0], mac) >= 0)
                        u64map_prefetch(&inv->by_block, mac_block_of(mac_value(mac)) + 1);
                hash = memo_hash(inv, obs);
        }
        Memo *e = hash ? memo_slot(inv, hash) : NULL;
        if (e && e->hash == hash && e->link > 0 && e->link <= inv->n_links)
                __builtin_prefetch(&inv->links[e->link - 1]);
        int r = e && e->hash == hash ? merge_refresh(inv, e, obs, false, b ? b->mac0 : 0, now, &res) : 0;
        if (r == 0) {
                int slot = -1;
                uint32_t link = 0;
                bool memo = false;
                r = merge_full(inv, obs, b != NULL, now, &res, &slot, &link, &memo);
                if (r >= 0 && hash && memo && (e = memo_put(inv, hash, res.device, slot, link, obs)))
                        res.ref = memo_ref(inv, e);
        }
        if (r < 0)
                return r;
        if (ret)
                *ret = res;
        return 0;
}

void inventory_batch_end(Inventory *inv) {
        inv->n_batch = inv->batch_next = 0;
}

void inventory_prefetch(Inventory *inv, const struct vw_sighting *s, size_t n) {
        if (n > INVENTORY_BATCH_MAX)
                n = INVENTORY_BATCH_MAX;
        for (size_t i = 0; i < n; i++) {
                const struct vw_observation *o = s[i].obs;
                uint8_t mac[6];
                uint64_t mac0 = 0;
                if (o->n_macs > 0 && o->macs[0])
                        /* the plugin's number, or the text parsed */
                        mac0 = s[i].mac_values ? (s[i].mac_values[0] & UINT64_C(0xffffffffffff)) + 1
                               : mac_parse(o->macs[0], mac) >= 0 ? mac_value(mac)
                                                                 : 0;
                /* a sighting with a reference needs no hash, unless it fails */
                uint64_t hash = s[i].ref && memo_of_ref(inv, s[i].ref) ? 0 : memo_hash(inv, o);
                inv->batch[i] = (struct batch_entry) { .obs = o, .hash = hash, .mac0 = mac0, .ref = s[i].ref };
        }
        inv->n_batch = n;
        inv->batch_next = 0;
        for (size_t i = 0; i < n && i < MEMO_AHEAD; i++)
                batch_prefetch_memo(inv, i);
        for (size_t i = 0; i < n && i < BATCH_AHEAD; i++)
                batch_prefetch_state(inv, i);
}

int inventory_observe(Inventory *inv, const struct vw_observation *obs, uint64_t now, Device **ret, bool *ret_conflict) {
        ObserveResult res;
        int r = inventory_merge(inv, obs, now, &res);
        if (r < 0)
                return r;
        if (ret)
                *ret = res.device;
        if (ret_conflict)
                *ret_conflict = res.conflict;
        return 0;
}

Device *inventory_get(Inventory *inv, const char *id) {
        return id ? device_by_ref(inv, key_get(inv, id)) : NULL;
}

static void device_remove(Inventory *inv, size_t index) {
        Device *d = inv->devices[index];
        inv->key_epoch++;               /* every memo entry is checked again */
        device_unindex(inv, d);
        inv->devices[index] = NULL;
        inv->n_live--;
        device_free(inv, d);
}


int inventory_forget(Inventory *inv, const char *id) {
        Device *d = inventory_get(inv, id);
        if (!d)
                return -ENOENT;
        device_remove(inv, d->index);
        return 0;
}

void inventory_age(Inventory *inv, uint64_t now, void (*cb)(Device *d, bool removed, void *userdata), void *userdata) {
        for (size_t i = 0; i < inv->n_devices; i++) {
                Device *d = inv->devices[i];
                if (!d)
                        continue;
                if (!d->absent && d->expires > 0 && d->expires <= now) {
                        d->absent = true;
                        d->generation++;
                        if (cb)
                                cb(d, false, userdata);
                }
                if (d->absent && d->last_seen + inv->limits.retention_usec <= now) {
                        if (cb)
                                cb(d, true, userdata);
                        device_remove(inv, i);
                }
        }
}

Device *inventory_next(Inventory *inv, size_t *cursor) {
        while (*cursor < inv->n_devices) {
                Device *d = inv->devices[(*cursor)++];
                if (d)
                        return d;
        }
        return NULL;
}

size_t inventory_n_links(Inventory *inv) {
        return inv->n_links;
}

const Link *inventory_link(Inventory *inv, size_t i) {
        return i < inv->n_links ? &inv->links[i] : NULL;
}

/* ---- the merged view ---- */

const char *device_attr(const Device *d, size_t offset) {
        const char *best = NULL;
        uint64_t t = 0;
        for (size_t i = 0; i < d->n_obs; i++) {
                const char *v = packed_obs_get(d->obs[i], offset);
                if (v && (!best || d->obs[i]->time_usec >= t)) {
                        best = v;
                        t = d->obs[i]->time_usec;
                }
        }
        return best;
}

const char *device_obs_source(const Device *d, size_t i) {
        const char *s = PACKED_OBS_GET(d->obs[i], source);
        return s ? s : "unknown";
}

const char *device_kind_to_string(DeviceKind k) {
        return k == DEVICE_HOST ? "host" : "network";
}

/* RFC 3339, UTC, whole seconds; NULL for 0 (never).  Every record has two
 * of these: the years a clock can show are written by hand, the rest (far
 * future) goes through gmtime_r() and strftime(). */
static const char *rfc3339(uint64_t usec, char buf[static 32]) {
        if (usec == 0)
                return NULL;
        uint64_t secs = usec / USEC_PER_SEC;
        if (secs < UINT64_C(253402300800)) {    /* before 10000-01-01 */
                /* days since 1970-01-01 to a civil date, in 400-year eras
                 * counted from 0000-03-01 (leap day last in its year) */
                uint64_t days = secs / 86400, sod = secs % 86400;
                uint64_t z = days + 719468, era = z / 146097, doe = z % 146097;
                uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
                uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
                unsigned day = (unsigned) (doy - (153 * mp + 2) / 5 + 1);
                unsigned month = (unsigned) (mp < 10 ? mp + 3 : mp - 9);
                unsigned year = (unsigned) (yoe + era * 400 + (month <= 2));
                unsigned hour = (unsigned) (sod / 3600), min = (unsigned) (sod / 60 % 60), sec = (unsigned) (sod % 60);
                memcpy(buf, "0000-00-00T00:00:00Z", 21);
                buf[0] = (char) ('0' + year / 1000), buf[1] = (char) ('0' + year / 100 % 10);
                buf[2] = (char) ('0' + year / 10 % 10), buf[3] = (char) ('0' + year % 10);
                buf[5] = (char) ('0' + month / 10), buf[6] = (char) ('0' + month % 10);
                buf[8] = (char) ('0' + day / 10), buf[9] = (char) ('0' + day % 10);
                buf[11] = (char) ('0' + hour / 10), buf[12] = (char) ('0' + hour % 10);
                buf[14] = (char) ('0' + min / 10), buf[15] = (char) ('0' + min % 10);
                buf[17] = (char) ('0' + sec / 10), buf[18] = (char) ('0' + sec % 10);
                return buf;
        }
        time_t t = (time_t) secs;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return NULL;
        return buf;
}

static void write_time(JsonOut *o, uint64_t usec) {
        char buf[32];
        const char *s = rfc3339(usec, buf);
        if (s)
                jsonout_string_plain(o, s, strlen(s));
        else
                jsonout_null(o);
}

#define UNION_MAX 256

/* The views of a device's observations, read once for a whole record. */
typedef struct DeviceViews {
        ObsView v[DEVICE_SOURCES_MAX];
        size_t n;
} DeviceViews;

static int device_views(const Device *d, DeviceViews *ret) {
        for (ret->n = 0; ret->n < d->n_obs; ret->n++)
                if (packed_obs_view(d->obs[ret->n], &ret->v[ret->n]) < 0)
                        return -ENOMEM;
        return 0;
}

static void device_views_done(DeviceViews *dv) {
        for (size_t i = 0; i < dv->n; i++)
                obs_view_done(&dv->v[i]);
        dv->n = 0;
}

/* device_attr() over views: the newest value present. */
static const char *views_attr(const DeviceViews *dv, size_t offset) {
        const char *best = NULL;
        uint64_t t = 0;
        for (size_t i = 0; i < dv->n; i++) {
                const char *v = *(const char *const *) ((const uint8_t *) &dv->v[i].o + offset);
                if (v && (!best || dv->v[i].o.time_usec >= t)) {
                        best = v;
                        t = dv->v[i].o.time_usec;
                }
        }
        return best;
}
#define VIEWS_ATTR(dv, field) views_attr((dv), offsetof(struct vw_observation, field))

/* A MAC as a union keeps it: its twelve digits, lowercase, as text; the
 * first eight in one word, the last four in another, in memory order.  The
 * identifiers' own form ("mac:00e0fc800003") is that already, and the JSON
 * wants those digits back with colons between pairs. */
typedef struct MacDigits {
        uint64_t a;
        uint64_t b;
} MacDigits;

/* The values written so far, by hash (a switch heard from each of its 48
 * port MACs has 49 of them: comparing each with all before adds up).  A MAC
 * is kept as its digits: its text is a function of them, and text that does
 * not parse as a MAC never equals a MAC's text. */
typedef struct UnionSet {
        const char *seen[UNION_MAX];    /* NULL: a MAC, in mac[] */
        MacDigits mac[UNION_MAX];
        uint16_t slot[UNION_MAX * 2];   /* index + 1 into seen[], 0 = empty */
        size_t n, mask;                 /* mask: slots in use - 1, sized once per union */
} UnionSet;

static uint32_t union_hash_mac(const MacDigits *m) {
        uint64_t h = (m->a ^ m->b * UINT64_C(0xff51afd7ed558ccd)) * UINT64_C(0x9e3779b97f4a7c15);
        return (uint32_t) (h >> 32);
}

/* Adds v unless it is there; false when it was. */
static bool union_add_string(UnionSet *u, const char *v) {
        uint32_t h = strmap_hash(v);
        for (size_t i = h & u->mask;; i = (i + 1) & u->mask) {
                if (u->slot[i] == 0) {
                        u->seen[u->n] = v;
                        u->slot[i] = (uint16_t) ++u->n;
                        return true;
                }
                const char *s = u->seen[u->slot[i] - 1];
                if (s && streq(s, v))
                        return false;
        }
}

static bool union_add_mac(UnionSet *u, const MacDigits *m) {
        uint32_t h = union_hash_mac(m);
        for (size_t i = h & u->mask;; i = (i + 1) & u->mask) {
                if (u->slot[i] == 0) {
                        u->seen[u->n] = NULL;
                        u->mac[u->n] = *m;
                        u->slot[i] = (uint16_t) ++u->n;
                        return true;
                }
                size_t j = u->slot[i] - 1;
                if (!u->seen[j] && u->mac[j].a == m->a && u->mac[j].b == m->b)
                        return false;
        }
}

/* Are the bytes of x under `used` all hex digits?  Bytes below 0x80 add
 * without carrying into the next, so each range test is one add. */
static inline bool hex_digits(uint64_t x, uint64_t used) {
        const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
        uint64_t lower = x | ones * 0x20;
        uint64_t digit = (x + ones * (0x80 - '0')) & ~(x + ones * (0x80 - '9' - 1));
        uint64_t alpha = (lower + ones * (0x80 - 'a')) & ~(lower + ones * (0x80 - 'f' - 1));
        return (x & highs & used) == 0 && ((digit | alpha) & highs & used) == (highs & used);
}

/* Twelve characters as MAC digits, when they all are hex digits. */
static inline bool mac_digits_of(const char t[12], MacDigits *ret) {
        const uint64_t ones = UINT64_C(0x0101010101010101);
        uint64_t a;
        uint32_t b;
        memcpy(&a, t, 8);
        memcpy(&b, t + 8, 4);
        if (!hex_digits(a, ~UINT64_C(0)) || !hex_digits(b, UINT64_C(0xffffffff)))
                return false;
        /* digits have the 0x20 bit already: this lowers letters only */
        *ret = (MacDigits) { .a = a | ones * 0x20, .b = (uint64_t) (b | UINT32_C(0x20202020)) };
        return true;
}

/* A MAC's digits, when s is one as mac_parse() reads it.  The identifiers'
 * form (twelve digits) and the observations' (pairs between colons) are
 * read here; any other goes to mac_parse(). */
/* Seventeen characters as pairs of MAC digits between colons. */
static bool colon_mac_digits(const char s[17], MacDigits *ret) {
        if (s[2] != ':' || s[5] != ':' || s[8] != ':' || s[11] != ':' || s[14] != ':')
                return false;
        char t[12];
        for (size_t i = 0; i < 6; i++)
                memcpy(t + 2 * i, s + 3 * i, 2);
        return mac_digits_of(t, ret);
}

static bool union_mac_digits(const char *s, MacDigits *ret) {
        size_t n = strlen(s);
        if (n == 12 && mac_digits_of(s, ret))
                return true;
        if (n == 17 && colon_mac_digits(s, ret))
                return true;
        uint8_t mac[6];
        char canonical[18];
        return mac_parse(s, mac) >= 0 && colon_mac_digits(mac_format(mac, canonical), ret);
}

/* A MAC key's digits, from its value (always true). */
static bool mac_digits_of_value(uint64_t v, MacDigits *ret) {
        uint32_t last;
        mac_hex_of_value(v, &ret->a, &last);
        ret->b = last;
        return true;
}

/* mac_format()'s text, in quotes, straight into the output. */
static void write_union_mac(JsonOut *o, const MacDigits *m) {
        char *d = jsonout_value_room(o, 19);
        if (!d)
                return;
        char t[12];
        uint32_t b = (uint32_t) m->b;
        memcpy(t, &m->a, 8);
        memcpy(t + 8, &b, 4);
        d[0] = '"';
        memcpy(d + 1, t, 2), d[3] = ':';
        memcpy(d + 4, t + 2, 2), d[6] = ':';
        memcpy(d + 7, t + 4, 2), d[9] = ':';
        memcpy(d + 10, t + 6, 2), d[12] = ':';
        memcpy(d + 13, t + 8, 2), d[15] = ':';
        memcpy(d + 16, t + 10, 2), d[18] = '"';
}

/* Union of an array field over the device's observations, and of the
 * identifiers it has claimed (`key_prefix`), without repeats: only the latest
 * observation of each source is kept, but every MAC and address a device was
 * ever seen with stays in its identifier index, and so in its record.  At
 * most UNION_MAX values, in the order first met. */
static void write_union(JsonOut *o, const Device *d, const DeviceViews *dv, size_t offset, size_t count_offset,
                        bool macs, const char *key_prefix) {
        UnionSet u;
        size_t plen = strlen(key_prefix);

        /* at most twice as many slots as values, so a small record clears
         * a small table */
        size_t values = device_n_keys(d), slots = 16;
        for (size_t i = 0; i < dv->n; i++)
                values += *(const size_t *) ((const uint8_t *) &dv->v[i].o + count_offset);
        while (slots < ELEMENTSOF(u.slot) && slots < 2 * values)
                slots *= 2;
        u.n = 0;
        u.mask = slots - 1;
        memset(u.slot, 0, slots * sizeof u.slot[0]);

        jsonout_array_begin(o);
        for (size_t i = 0; i <= dv->n && u.n < UNION_MAX; i++) {
                const char *const *l;
                size_t n;
                if (i < dv->n) {
                        l = *(const char *const *const *) ((const uint8_t *) &dv->v[i].o + offset);
                        n = *(const size_t *) ((const uint8_t *) &dv->v[i].o + count_offset);
                } else {        /* last: the identifiers, through device_key() */
                        l = NULL;
                        n = d->n_keys;
                }
                for (size_t k = 0; k < n && u.n < UNION_MAX; k++) {
                        MacDigits m;
                        if (!l && key_word_is_mac(d->keys[k])) {
                                /* only the MAC union ("mac:") lists MAC keys */
                                if (macs && mac_digits_of_value(key_word_mac(d->keys[k]), &m) && union_add_mac(&u, &m))
                                        write_union_mac(o, &m);
                                continue;
                        }
                        const char *v = l ? l[k] : key_word_text(d->keys[k]);
                        if (i == dv->n) {
                                if (v[0] != key_prefix[0] || strncmp(v, key_prefix, plen) != 0)
                                        continue;
                                v += plen;
                        }
                        if (macs && union_mac_digits(v, &m)) {
                                if (union_add_mac(&u, &m))
                                        write_union_mac(o, &m);
                        } else if (union_add_string(&u, v))
                                jsonout_string(o, v);
                }
        }
        /* then the MACs of its window, in order */
        uint64_t base = (d->mac_window - 1) << MAC_BLOCK_SHIFT;
        for (uint64_t bits = macs ? d->mac_bits : 0; bits != 0 && u.n < UNION_MAX; bits &= bits - 1) {
                MacDigits m;
                if (mac_digits_of_value(base + (uint64_t) __builtin_ctzll(bits) + 1, &m) && union_add_mac(&u, &m))
                        write_union_mac(o, &m);
        }
        jsonout_array_end(o);
}

static void write_json_object(JsonOut *o, json_object *j) {
        size_t n;
        const char *s = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &n);
        jsonout_raw(o, s, n);
}

void device_write_json(JsonOut *o, const Device *d, bool detail) {
        DeviceViews dv;
        if (device_views(d, &dv) < 0) {
                device_views_done(&dv);
                o->oom = true;
                return;
        }
        const char *chassis = VIEWS_ATTR(&dv, chassis_id);
        uint8_t mac[6];
        char buf[18];

        jsonout_object_begin(o);
        jsonout_kv_string(o, "id", d->id);
        jsonout_kv_string(o, "kind", device_kind_to_string(d->kind));
        if (chassis && mac_parse(chassis, mac) >= 0)
                chassis = mac_format(mac, buf);
        jsonout_kv_string(o, "chassis_id", chassis);
        jsonout_kv_string(o, "chassis_subtype", VIEWS_ATTR(&dv, chassis_subtype));
        jsonout_kv_string(o, "sys_name", VIEWS_ATTR(&dv, sys_name));
        jsonout_kv_string(o, "sys_descr", VIEWS_ATTR(&dv, sys_descr));
        jsonout_kv_string(o, "sys_object_id", VIEWS_ATTR(&dv, sys_object_id));
        jsonout_kv_string(o, "port_id", VIEWS_ATTR(&dv, port_id));
        JSONOUT_KEY(o, "macs");
        write_union(o, d, &dv, offsetof(struct vw_observation, macs), offsetof(struct vw_observation, n_macs), true,
                    "mac:");
        JSONOUT_KEY(o, "addresses");
        write_union(o, d, &dv, offsetof(struct vw_observation, addresses),
                    offsetof(struct vw_observation, n_addresses), false, "addr:");
        JSONOUT_KEY(o, "sources");
        jsonout_array_begin(o);
        for (size_t i = 0; i < dv.n; i++)
                jsonout_string(o, dv.v[i].o.source ? dv.v[i].o.source : "unknown");
        jsonout_array_end(o);
        JSONOUT_KEY(o, "first_seen");
        write_time(o, d->first_seen);
        JSONOUT_KEY(o, "last_seen");
        write_time(o, d->last_seen);
        jsonout_kv_string(o, "state", d->stale ? "stale" : d->absent ? "absent" : "present");

        jsonout_kv_string(o, "vendor", d->vendor.vendor);
        jsonout_kv_string(o, "vendor_name", d->vendor.vendor_name);
        jsonout_kv_string(o, "made_by", d->vendor.made_by);
        JSONOUT_KEY(o, "confidence");
        if (d->vendor.vendor)
                jsonout_double(o, d->vendor.confidence);
        else
                jsonout_null(o);
        jsonout_kv_bool(o, "conflict", d->vendor.conflict);
        jsonout_kv_string(o, "role", d->role.role);
        jsonout_kv_string(o, "segment", d->role.segment);
        jsonout_kv_string(o, "role_rule", d->role.rule);
        jsonout_kv_bool(o, "violation", d->policy.violation);
        jsonout_kv_bool(o, "waived", d->policy.waived);

        if (detail) {
                json_object *v = vendor_verdict_to_json(&d->vendor);
                json_object *ev = NULL;
                if (v && json_object_object_get_ex(v, "evidence", &ev))
                {
                        JSONOUT_KEY(o, "evidence");
                        write_json_object(o, ev);
                }
                json_object_put(v);
                JSONOUT_KEY(o, "identifiers");
                jsonout_array_begin(o);
                for (size_t i = 0, n = device_n_keys(d); i < n; i++) {
                        char key[DEVICE_KEY_MAC_SIZE];
                        jsonout_string(o, device_key(d, i, key));
                }
                jsonout_array_end(o);
                JSONOUT_KEY(o, "observations");
                jsonout_array_begin(o);
                for (size_t i = 0; i < dv.n; i++) {
                        json_object *ob = observation_to_json(&dv.v[i].o);
                        if (!ob) {
                                o->oom = true;
                                continue;
                        }
                        char when[32];
                        const char *t = rfc3339(dv.v[i].o.time_usec, when);
                        json_object_object_add(ob, "time", t ? json_object_new_string(t) : NULL);
                        size_t n;
                        const char *s = json_object_to_json_string_length(ob, JSON_C_TO_STRING_PLAIN, &n);
                        jsonout_raw(o, s, n);
                        json_object_put(ob);
                }
                jsonout_array_end(o);
                jsonout_kv_string(o, "policy_rule", d->policy.rule);
        }
        jsonout_object_end(o);
        device_views_done(&dv);
}

json_object *device_to_json(const Device *d, bool detail) {
        _cleanup_(jsonout_done) JsonOut o = {};
        device_write_json(&o, d, detail);
        if (o.oom)
                return NULL;
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return NULL;
        json_object *j = json_tokener_parse_ex(tok, o.buf, (int) o.len);
        json_tokener_free(tok);
        return j;
}
