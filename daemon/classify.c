/* SPDX-License-Identifier: MIT */
/* Placeholder until the vendor engine lands. */
#include <stdio.h>

#include "classify.h"

int classify_main(int argc, char **argv) {
        fprintf(stderr, "--classify: the vendor engine is not built into this vendorwatchd\n");
        return 1;
}
