/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A string-keyed hash map (keys copied, values borrowed) for the policy,
 * alert and store modules: open alerts by key, pending store writes by id. */

typedef struct StrMap StrMap;

int strmap_new(StrMap **ret);
StrMap *strmap_free(StrMap *m);

/* Insert or replace; *ret_old (optional) receives the replaced value or NULL. */
int strmap_put(StrMap *m, const char *key, void *value, void **ret_old);
void *strmap_get(const StrMap *m, const char *key);
/* Remove and return the value (NULL when absent). */
void *strmap_remove(StrMap *m, const char *key);
size_t strmap_size(const StrMap *m);

/* Iterate: start with *cursor = 0; false at the end.  Not stable under
 * insertion or removal: collect first, then modify. */
bool strmap_next(const StrMap *m, size_t *cursor, const char **ret_key, void **ret_value);

static inline void strmap_freep(StrMap **m) { strmap_free(*m); }
