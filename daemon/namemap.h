/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A string-keyed hash map (keys copied, values borrowed, iterable) for the policy,
 * alert and store modules: open alerts by key, pending store writes by id. */

typedef struct NameMap NameMap;

int namemap_new(NameMap **ret);
NameMap *namemap_free(NameMap *m);

/* Insert or replace; *ret_old (optional) receives the replaced value or NULL. */
int namemap_put(NameMap *m, const char *key, void *value, void **ret_old);
void *namemap_get(const NameMap *m, const char *key);
/* Remove and return the value (NULL when absent). */
void *namemap_remove(NameMap *m, const char *key);
size_t namemap_size(const NameMap *m);

/* Iterate: start with *cursor = 0; false at the end.  Not stable under
 * insertion or removal: collect first, then modify. */
bool namemap_next(const NameMap *m, size_t *cursor, const char **ret_key, void **ret_value);

static inline void namemap_freep(NameMap **m) { namemap_free(*m); }
