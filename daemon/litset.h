/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A set of literals, all found in one pass over a text (an Aho-Corasick
 * automaton): every occurrence of every literal, overlapping ones included,
 * for about one table read per byte.  Bytes that start no literal share one
 * class, so a row holds only as many entries as the literals use distinct
 * bytes.  The automaton's size is bounded: adding a literal that would pass
 * the bounds is refused, so a caller can say which one.  Pure: no logging,
 * no globals. */

typedef struct LitSet LitSet;

/* At most this many states (the empty prefix included). */
#define LITSET_MAX_STATES 65535u

/* max_states: at most LITSET_MAX_STATES; max_cells: at most states times
 * byte classes in the table.  fold_case: ASCII letters match either case
 * (literals are stored lowercase). */
int litset_new(size_t max_states, size_t max_cells, bool fold_case, LitSet **ret);
LitSet *litset_free(LitSet *s);

/* Add a literal (at least one byte) reported as `item`.  -E2BIG when the
 * automaton would pass its bounds (the set is unchanged), -EINVAL when
 * empty or after litset_build(). */
int litset_add(LitSet *s, const char *literal, size_t n, uint32_t item);

/* Complete the automaton; no litset_add() after it. */
int litset_build(LitSet *s);

/* Called for each occurrence: the literal's item and where it starts. */
typedef void (*litset_match_fn)(uint32_t item, size_t start, void *userdata);

/* Every occurrence in text[0..n), in order of their end (for one end, in no
 * set order).  Nothing before litset_build(). */
void litset_scan(const LitSet *s, const char *text, size_t n, litset_match_fn fn, void *userdata);

size_t litset_states(const LitSet *s);
size_t litset_classes(const LitSet *s);
