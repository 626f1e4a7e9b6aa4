/* SPDX-License-Identifier: MIT */
#include "classify.h"
#include "macro.h"

int main(int argc, char **argv) {
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--classify"))
                        return classify_main(argc, argv);
        return 0;
}
