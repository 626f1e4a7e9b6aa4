/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The heap on transparent huge pages.  A frame touches a dozen cache lines
 * of per-device state last touched thousands of frames earlier, spread over
 * tens of MiB; with 4 KiB pages each of those loads also walks the page
 * tables.  After hugeheap_start(), the first hugeheap_follow() asks glibc to
 * grow its main heap (brk) by HUGEHEAP_STEP at a time, and to serve blocks
 * up to 32 MiB (hash tables) from it rather than from mappings of their own;
 * each call after, where the heap grows (a batch of observations), advises
 * the whole 2 MiB ranges it grew by MADV_HUGEPAGE before most of them are
 * touched.  A hint: where THP is off, or the allocator is another one (a
 * sanitizer's), nothing changes. */
void hugeheap_start(void);
void hugeheap_follow(void);

#define HUGEHEAP_PAGE ((uintptr_t) 2 << 20)

/* What has been advised of the heap: whole huge pages from `floor` (the
 * first boundary past the heap when following began) to `advised`. */
typedef struct HugeHeapRange {
        uintptr_t floor;        /* 0 = not following yet */
        uintptr_t advised;
} HugeHeapRange;

/* The heap's break is now `brk`: true with the range to advise (whole huge
 * pages above what was, below the break), false for none.  The first call
 * only sets the floor; a break below what was advised (trimmed) moves it
 * back, never under the floor.  hugeheap_follow()'s arithmetic, for tests. */
bool hugeheap_next(HugeHeapRange *h, uintptr_t brk, uintptr_t *ret_from, size_t *ret_len);
