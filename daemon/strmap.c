/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

struct strmap_slot {
        const char *key;        /* NULL = empty; TOMBSTONE = deleted */
        uint32_t value;
        uint32_t hash;
};

static const char tombstone[1];
#define TOMBSTONE tombstone

static uint32_t hash_str(const char *s) {
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
        struct strmap_slot *s = find(m, key, hash_str(key));
        return s ? s->value : 0;
}

static int resize(StrMap *m, size_t size) {
        struct strmap_slot *slots = calloc(size, sizeof(struct strmap_slot));
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
        uint32_t h = hash_str(key);
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
        struct strmap_slot *s = find(m, key, hash_str(key));
        if (!s)
                return 0;
        uint32_t v = s->value;
        s->key = TOMBSTONE;
        s->value = 0;
        m->used--;
        return v;
}
