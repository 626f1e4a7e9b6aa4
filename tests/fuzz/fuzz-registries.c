/* SPDX-License-Identifier: MIT */
/* The IEEE registry CSVs and the IANA enterprise numbers, parsed from memory
 * (not NUL-terminated): any text is loaded, or refused with "file:line:",
 * never a crash, an overread or a leak. */
#include <stdint.h>

#include "enterprises.h"
#include "macro.h"
#include "oui.h"

static void check_oui(const uint8_t *data, size_t size) {
        OuiDb *db = NULL;
        char *error = NULL;
        if (oui_db_new(&db) < 0)
                return;
        int r = oui_db_parse(db, "fuzz.csv", (const char *) data, size, &error);
        if (r == -EINVAL && (!error || strncmp(error, "fuzz.csv:", 9) != 0))
                abort();        /* every refusal says where */
        if (r >= 0 && oui_db_index(db) >= 0) {
                /* MACs made of the input's own bytes hit its blocks now and then */
                for (size_t i = 0; i + 6 <= size && i < 64; i++) {
                        unsigned bits = 0;
                        uint32_t org = oui_lookup(db, data + i, &bits);
                        if (org != OUI_NONE && (!oui_org_name(db, org) || (bits != 24 && bits != 28 && bits != 36)))
                                abort();
                }
        }
        free(error);
        oui_db_free(db);
}

static void check_enterprises(const uint8_t *data, size_t size) {
        EnterpriseDb *db = NULL;
        char *error = NULL;
        int r = enterprise_db_parse("fuzz.tsv", (const char *) data, size, &db, &error);
        if (r == -EINVAL && (!error || strncmp(error, "fuzz.tsv:", 9) != 0))
                abort();
        if (r >= 0)
                for (uint32_t pen = 0; pen < enterprise_max(db) && pen < 4096; pen++) {
                        const char *name = enterprise_name(db, pen);
                        if (name && strlen(name) > 255)
                                abort();
                }
        free(error);
        enterprise_db_free(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 1 << 20)
                return 0;
        check_oui(data, size);
        check_enterprises(data, size);
        return 0;
}
