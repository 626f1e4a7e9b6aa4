/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "strmap.h"

struct strmap_slot {
        const char *key;        /* NULL = empty; TOMBSTONE = deleted */
        uint32_t value;
        uint32_t hash;
};

static const char tombstone[1];
#define TOMBSTONE tombstone

uint32_t strmap_hash(const char *s) {
        /* FNV-1a: short keys, good enough spread, no seed needed for our use
         * (keys come from devices; the table grows, it is not an attack surface
         * larger than the device cap). */
        uint32_t h = 2166136261u;
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 16777619u;
        /* FNV's multiply only carries upward, so its low bits (the ones the
         * mask keeps) barely depend on the input's high bits: avalanche them. */
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        return h;
}

#define HUGE_PAGE (UINT64_C(2) << 20)

void *table_calloc(size_t n, size_t size) {
        if (size != 0 && n > SIZE_MAX / size)
                return NULL;
        size_t bytes = n * size;
        if (bytes < 2 * HUGE_PAGE) {
                /* on cache lines: an entry of a line's size takes one */
                void *p = aligned_alloc(64, (bytes + 63) & ~(size_t) 63);
                return p ? memset(p, 0, bytes) : NULL;
        }
        size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        void *p = aligned_alloc(HUGE_PAGE, rounded);
        if (!p)
                return NULL;
        (void) madvise(p, rounded, MADV_HUGEPAGE);      /* a hint: refused is fine */
        return memset(p, 0, bytes);
}

void strmap_done(StrMap *m) {
        free(m->slots);
        *m = (StrMap) {};
}

size_t strmap_size(const StrMap *m) {
        return m->used;
}

static struct strmap_slot *find(const StrMap *m, const char *key, uint32_t h) {
        if (!m->slots)
                return NULL;
        size_t mask = m->size - 1;
        for (size_t i = h & mask, n = 0; n < m->size; i = (i + 1) & mask, n++) {
                struct strmap_slot *s = &m->slots[i];
                if (!s->key)
                        return NULL;
                if (s->key != TOMBSTONE && s->hash == h && strcmp(s->key, key) == 0)
                        return s;
        }
        return NULL;
}

uint32_t strmap_get(const StrMap *m, const char *key) {
        struct strmap_slot *s = find(m, key, strmap_hash(key));
        return s ? s->value : 0;
}

static int resize(StrMap *m, size_t size) {
        struct strmap_slot *slots = table_calloc(size, sizeof(struct strmap_slot));
        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < m->size; i++) {
                struct strmap_slot *s = &m->slots[i];
                if (!s->key || s->key == TOMBSTONE)
                        continue;
                size_t j = s->hash & (size - 1);
                while (slots[j].key)
                        j = (j + 1) & (size - 1);
                slots[j] = *s;
        }
        free(m->slots);
        m->slots = slots;
        m->size = size;
        m->filled = m->used;
        return 0;
}

int strmap_put(StrMap *m, const char *key, uint32_t value) {
        uint32_t h = strmap_hash(key);
        struct strmap_slot *s = find(m, key, h);
        if (s) {
                s->key = key;
                s->value = value;
                return 0;
        }
        if ((m->filled + 1) * 4 >= m->size * 3) {
                size_t size = m->size ? m->size : 16;
                while ((m->used + 1) * 2 >= size)
                        size *= 2;
                if (resize(m, size < 16 ? 16 : size) < 0)
                        return -ENOMEM;
        }
        size_t mask = m->size - 1;
        size_t i = h & mask;
        while (m->slots[i].key && m->slots[i].key != TOMBSTONE)
                i = (i + 1) & mask;
        if (!m->slots[i].key)
                m->filled++;
        m->slots[i] = (struct strmap_slot) { .key = key, .value = value, .hash = h };
        m->used++;
        return 0;
}

uint32_t strmap_remove(StrMap *m, const char *key) {
        struct strmap_slot *s = find(m, key, strmap_hash(key));
        if (!s)
                return 0;
        uint32_t v = s->value;
        s->key = TOMBSTONE;
        s->value = 0;
        m->used--;
        return v;
}

/* ---- 64-bit keys ---- */

static size_t u64_home(const U64Map *m, uint64_t key) {
        uint64_t h = key * 0x9e3779b97f4a7c15ull;
        return (size_t) (h ^ h >> 32) & (m->size - 1);
}

void u64map_done(U64Map *m) {
        free(m->slots);
        *m = (U64Map) {};
}

/* The slot holding `key`, or the empty one that ends its chain. */
static size_t u64_find(const U64Map *m, uint64_t key) {
        size_t mask = m->size - 1, i = u64_home(m, key);
        while (m->slots[i].key != 0 && m->slots[i].key != key)
                i = (i + 1) & mask;
        return i;
}

void u64map_prefetch(const U64Map *m, uint64_t key) {
        if (m->size == 0)
                return;
        /* a 12-byte slot may cross a line, and a chain goes on to the next */
        const char *home = (const char *) &m->slots[u64_home(m, key)];
        __builtin_prefetch(home);
        __builtin_prefetch(home + 2 * sizeof(struct u64map_slot) - 1);
}

uint32_t u64map_get(const U64Map *m, uint64_t key) {
        if (m->size == 0 || key == 0)
                return 0;
        size_t i = u64_find(m, key);
        return m->slots[i].key == key ? m->slots[i].value : 0;
}

static int u64_resize(U64Map *m, size_t size) {
        U64Map n = { .slots = table_calloc(size, sizeof(struct u64map_slot)), .size = size, .used = m->used };
        if (!n.slots)
                return -ENOMEM;
        for (size_t i = 0; i < m->size; i++)
                if (m->slots[i].key != 0)
                        n.slots[u64_find(&n, m->slots[i].key)] = m->slots[i];
        u64map_done(m);
        *m = n;
        return 0;
}

int u64map_put(U64Map *m, uint64_t key, uint32_t value) {
        if (key == 0)
                return -EINVAL;
        if ((m->used + 1) * 2 > m->size && u64_resize(m, m->size ? m->size * 2 : 16) < 0)
                return -ENOMEM;
        size_t i = u64_find(m, key);
        if (m->slots[i].key == 0) {
                m->slots[i].key = key;
                m->used++;
        }
        m->slots[i].value = value;
        return 0;
}

uint32_t u64map_remove(U64Map *m, uint64_t key) {
        if (m->size == 0 || key == 0)
                return 0;
        size_t mask = m->size - 1, i = u64_find(m, key);
        if (m->slots[i].key != key)
                return 0;
        uint32_t v = m->slots[i].value;
        /* shift back every later entry of the chain that may sit at i */
        for (size_t j = (i + 1) & mask; m->slots[j].key != 0; j = (j + 1) & mask) {
                size_t home = u64_home(m, m->slots[j].key);
                /* j's entry may move to i when its home is not in (i, j] */
                if (((j - home) & mask) >= ((j - i) & mask)) {
                        m->slots[i] = m->slots[j];
                        i = j;
                }
        }
        m->slots[i].key = 0;
        m->used--;
        return v;
}
