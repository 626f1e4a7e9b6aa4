/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "namemap.h"

/* Open addressing with linear probing and backward-shift deletion, so there
 * are no tombstones and the table never degrades under churn. */

struct entry {
        char *key;
        void *value;
        uint32_t hash;
};

struct NameMap {
        struct entry *e;
        size_t cap;             /* power of two, or 0 */
        size_t n;
};

static uint32_t hash_str(const char *s) {
        uint32_t h = 2166136261u;       /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 16777619u;
        return h;
}

int namemap_new(NameMap **ret) {
        NameMap *m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        *ret = m;
        return 0;
}

NameMap *namemap_free(NameMap *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->cap; i++)
                free(m->e[i].key);
        free(m->e);
        free(m);
        return NULL;
}

static size_t find_slot(const NameMap *m, const char *key, uint32_t h) {
        size_t mask = m->cap - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask)
                if (!m->e[i].key || (m->e[i].hash == h && strcmp(m->e[i].key, key) == 0))
                        return i;
}

static int grow(NameMap *m) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct entry *e = calloc(cap, sizeof *e);
        if (!e)
                return -ENOMEM;
        struct entry *old = m->e;
        size_t old_cap = m->cap;
        m->e = e;
        m->cap = cap;
        for (size_t i = 0; i < old_cap; i++)
                if (old[i].key)
                        m->e[find_slot(m, old[i].key, old[i].hash)] = old[i];
        free(old);
        return 0;
}

int namemap_put(NameMap *m, const char *key, void *value, void **ret_old) {
        if ((m->n + 1) * 4 > m->cap * 3) {
                int r = grow(m);
                if (r < 0)
                        return r;
        }
        uint32_t h = hash_str(key);
        size_t i = find_slot(m, key, h);
        if (m->e[i].key) {
                if (ret_old)
                        *ret_old = m->e[i].value;
                m->e[i].value = value;
                return 0;
        }
        char *k = strdup(key);
        if (!k)
                return -ENOMEM;
        m->e[i] = (struct entry) { .key = k, .value = value, .hash = h };
        m->n++;
        if (ret_old)
                *ret_old = NULL;
        return 1;
}

void *namemap_get(const NameMap *m, const char *key) {
        if (!m || m->n == 0)
                return NULL;
        size_t i = find_slot(m, key, hash_str(key));
        return m->e[i].key ? m->e[i].value : NULL;
}

void *namemap_remove(NameMap *m, const char *key) {
        if (!m || m->n == 0)
                return NULL;
        size_t mask = m->cap - 1;
        size_t i = find_slot(m, key, hash_str(key));
        if (!m->e[i].key)
                return NULL;
        void *v = m->e[i].value;
        free(m->e[i].key);
        m->e[i] = (struct entry) {};
        m->n--;
        /* shift back the entries of the probe chain that follows */
        for (size_t j = (i + 1) & mask; m->e[j].key; j = (j + 1) & mask) {
                size_t home = m->e[j].hash & mask;
                bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
                if (movable) {
                        m->e[i] = m->e[j];
                        m->e[j] = (struct entry) {};
                        i = j;
                }
        }
        return v;
}

size_t namemap_size(const NameMap *m) {
        return m ? m->n : 0;
}

bool namemap_next(const NameMap *m, size_t *cursor, const char **ret_key, void **ret_value) {
        if (!m)
                return false;
        for (; *cursor < m->cap; (*cursor)++)
                if (m->e[*cursor].key) {
                        if (ret_key)
                                *ret_key = m->e[*cursor].key;
                        if (ret_value)
                                *ret_value = m->e[*cursor].value;
                        (*cursor)++;
                        return true;
                }
        return false;
}
