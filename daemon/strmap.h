/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* An open-addressing hash map from borrowed NUL-terminated keys to non-zero
 * 32-bit values (an index + 1, typically): 16 bytes a slot.  The caller keeps
 * every key alive while it is in the map. */
typedef struct StrMap {
        struct strmap_slot *slots;
        size_t size;            /* power of two */
        size_t used;            /* live entries */
        size_t filled;          /* live + tombstones */
} StrMap;

/* calloc() for a hash table: one of several MiB, probed at random, asks for
 * huge pages (fewer TLB misses); free() it as usual. */
void *table_calloc(size_t n, size_t size);

/* The map's hash of a string (FNV-1a, its bits mixed): for small sets of
 * strings that need no map of their own. */
uint32_t strmap_hash(const char *s);

void strmap_done(StrMap *m);
/* The value, or 0 when the key is not there. */
uint32_t strmap_get(const StrMap *m, const char *key);
/* Insert or replace (the key pointer too); value ≠ 0.  Returns 0 or -ENOMEM. */
int strmap_put(StrMap *m, const char *key, uint32_t value);
/* Returns the removed value or 0. */
uint32_t strmap_remove(StrMap *m, const char *key);
size_t strmap_size(const StrMap *m);

/* The same for 64-bit keys (≠ 0): 12 bytes a slot, key and value side by
 * side (one cache line a lookup, mostly), no strings to compare.  Removal
 * shifts the probe chain back, so no tombstones build up. */
struct u64map_slot {
        uint64_t key;           /* 0 = empty */
        uint32_t value;
} __attribute__((packed));

typedef struct U64Map {
        struct u64map_slot *slots;
        size_t size;            /* power of two */
        size_t used;
} U64Map;

void u64map_done(U64Map *m);
uint32_t u64map_get(const U64Map *m, uint64_t key);
int u64map_put(U64Map *m, uint64_t key, uint32_t value);
uint32_t u64map_remove(U64Map *m, uint64_t key);
/* Start loading the slot where `key` would be (a hint, nothing more). */
void u64map_prefetch(const U64Map *m, uint64_t key);
