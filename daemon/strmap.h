/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* An open-addressing hash map from borrowed NUL-terminated keys to values.
 * The caller keeps every key alive while it is in the map. */
typedef struct StrMap {
        struct strmap_slot *slots;
        size_t size;            /* power of two */
        size_t used;            /* live entries */
        size_t filled;          /* live + tombstones */
} StrMap;

void strmap_done(StrMap *m);
void *strmap_get(const StrMap *m, const char *key);
/* Insert or replace; returns 0 or -ENOMEM. */
int strmap_put(StrMap *m, const char *key, void *value);
/* Returns the removed value or NULL. */
void *strmap_remove(StrMap *m, const char *key);
size_t strmap_size(const StrMap *m);
