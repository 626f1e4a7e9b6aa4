/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hugeheap.h"

#define HUGEHEAP_STEP (8 << 20)
#define HUGEHEAP_MMAP_THRESHOLD (32 << 20)      /* glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit */

static bool started;
static HugeHeapRange range;

static uintptr_t round_down(uintptr_t a) {
        return a & ~(HUGEHEAP_PAGE - 1);
}

static uintptr_t round_up(uintptr_t a) {
        return round_down(a + HUGEHEAP_PAGE - 1);
}

bool hugeheap_next(HugeHeapRange *h, uintptr_t brk, uintptr_t *ret_from, size_t *ret_len) {
        if (h->floor == 0) {
                /* what lies below (start-up's heap) is not advised */
                h->floor = h->advised = round_up(brk);
                return false;
        }
        if (brk < h->advised) {
                /* trimmed: what grows back is advised again, from the
                 * first whole huge page past the break, never below the
                 * floor */
                uintptr_t a = round_up(brk);
                h->advised = a > h->floor ? a : h->floor;
                return false;
        }
        uintptr_t end = round_down(brk);
        if (end <= h->advised)
                return false;
        *ret_from = h->advised;
        *ret_len = end - h->advised;
        h->advised = end;
        return true;
}

void hugeheap_start(void) {
        started = true;
}

void hugeheap_follow(void) {
        if (!started)
                return;
        if (range.floor == 0) {
                /* from the first observations on: what start-up laid out
                 * (registries, tables) is touched already */
                (void) mallopt(M_TOP_PAD, HUGEHEAP_STEP);
                /* setting the pad stops glibc raising its mmap threshold as
                 * large blocks come and go (up to 32 MiB); set it there, so
                 * that tables (memo, MAC index, a plugin's neighbours) come
                 * from this heap too, on huge pages, rather than from 4 KiB
                 * mappings of their own */
                (void) mallopt(M_MMAP_THRESHOLD, HUGEHEAP_MMAP_THRESHOLD);
        }
        uintptr_t from;
        size_t len;
        if (hugeheap_next(&range, (uintptr_t) sbrk(0), &from, &len))
                (void) madvise((void *) from, len, MADV_HUGEPAGE);
}
