/* SPDX-License-Identifier: MIT */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hugeheap.h"

#define HUGE_PAGE ((uintptr_t) 2 << 20)
#define HUGEHEAP_STEP (8 << 20)
#define HUGEHEAP_MMAP_THRESHOLD (32 << 20)      /* glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit */

static bool started;
static uintptr_t advised;       /* the heap up to here (a huge page boundary) is advised; 0 = not yet */

static uintptr_t heap_end(void) {
        return (uintptr_t) sbrk(0) & ~(HUGE_PAGE - 1);
}

void hugeheap_start(void) {
        started = true;
}

void hugeheap_follow(void) {
        if (!started)
                return;
        if (advised == 0) {
                /* from the first observations on: what start-up laid out
                 * (registries, tables) is touched already */
                (void) mallopt(M_TOP_PAD, HUGEHEAP_STEP);
                /* setting the pad stops glibc raising its mmap threshold as
                 * large blocks come and go (up to 32 MiB); set it there, so
                 * that tables (memo, MAC index, a plugin's neighbours) come
                 * from this heap too, on huge pages, rather than from 4 KiB
                 * mappings of their own */
                (void) mallopt(M_MMAP_THRESHOLD, HUGEHEAP_MMAP_THRESHOLD);
                advised = ((uintptr_t) sbrk(0) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
                return;
        }
        uintptr_t end = heap_end();
        if (end < advised)
                advised = end;          /* trimmed: what grows back is advised again */
        else if (end > advised) {
                (void) madvise((void *) advised, end - advised, MADV_HUGEPAGE);
                advised = end;
        }
}
