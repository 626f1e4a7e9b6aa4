/* SPDX-License-Identifier: MIT */
/* A shared object that is not a vendorwatch plugin at all. */
__attribute__((visibility("default"))) int nosymbol_answer(void);
int nosymbol_answer(void) {
        return 42;
}
