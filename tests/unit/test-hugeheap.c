/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hugeheap.h"

#define MIB ((uintptr_t) 1 << 20)

/* One call: whether it advised, and what. */
static bool step(HugeHeapRange *h, uintptr_t brk, uintptr_t *from, size_t *len) {
        *from = 0, *len = 0;
        return hugeheap_next(h, brk, from, len);
}

static void test_growth(void **state) {
        HugeHeapRange h = {};
        uintptr_t from;
        size_t len;
        const uintptr_t base = 0x55e1c1c00000;  /* a huge page boundary */

        /* the first call sets the floor at the boundary past the break */
        assert_false(step(&h, base + 3 * MIB / 2, &from, &len));
        assert_int_equal(h.floor, base + 2 * MIB);
        /* no growth, or growth within that page: nothing, and nothing moves
         * below the floor (a second call once took "not grown" for
         * "trimmed" and advised the start-up heap on the next growth) */
        assert_false(step(&h, base + 3 * MIB / 2, &from, &len));
        assert_false(step(&h, base + 2 * MIB - 1, &from, &len));
        assert_int_equal(h.advised, base + 2 * MIB);
        /* past a boundary: the whole pages between, from the floor */
        assert_false(step(&h, base + 3 * MIB, &from, &len));   /* the next page is not whole yet */
        assert_true(step(&h, base + 9 * MIB, &from, &len));
        assert_int_equal(from, base + 2 * MIB);
        assert_int_equal(len, 6 * MIB);
        assert_true(step(&h, base + 10 * MIB, &from, &len));
        assert_int_equal(from, base + 8 * MIB);
        assert_int_equal(len, 2 * MIB);
        assert_false(step(&h, base + 11 * MIB, &from, &len));
}

static void test_trim(void **state) {
        HugeHeapRange h = {};
        uintptr_t from;
        size_t len;
        const uintptr_t base = 0x7f0000000000;

        assert_false(step(&h, base + MIB, &from, &len));
        assert_true(step(&h, base + 16 * MIB, &from, &len));
        assert_int_equal(from, base + 2 * MIB);
        assert_int_equal(h.advised, base + 16 * MIB);
        /* trimmed to the middle of a page: what grows back starts at the
         * next boundary (that page itself was advised before) */
        assert_false(step(&h, base + 7 * MIB, &from, &len));
        assert_int_equal(h.advised, base + 8 * MIB);
        assert_true(step(&h, base + 12 * MIB, &from, &len));
        assert_int_equal(from, base + 8 * MIB);
        assert_int_equal(len, 4 * MIB);
        /* trimmed below the floor: never advised under it */
        assert_false(step(&h, base + MIB / 2, &from, &len));
        assert_int_equal(h.advised, h.floor);
        assert_true(step(&h, base + 4 * MIB, &from, &len));
        assert_int_equal(from, base + 2 * MIB);
        assert_int_equal(len, 2 * MIB);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_growth),
                cmocka_unit_test(test_trim),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
