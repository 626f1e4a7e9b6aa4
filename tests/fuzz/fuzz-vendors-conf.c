/* SPDX-License-Identifier: MIT */
/* vendors.conf loading from memory: any text is refused with a message or
 * loaded, never a crash or a leak. */
#include <stdint.h>

#include "macro.h"
#include "vendor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 1 << 20)
                return 0;
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        VendorPaths p = { 0 };
        VendorDb *db = NULL;
        char *error = NULL;
        if (vendor_db_build(&p, "fuzz.conf", text, &db, &error) >= 0) {
                struct vw_observation o = VW_OBSERVATION_INIT;
                const struct vw_observation *list[1] = { &o };
                const char *macs[] = { "00:e0:fc:00:00:01" };
                const char *mfg[] = { text };
                o.sys_descr = text;
                o.entity_mfg = mfg;     /* the org patterns' automaton, on any text */
                o.n_entity_mfg = 1;
                o.sys_object_id = "1.3.6.1.4.1.2011.1";
                o.macs = macs;
                o.n_macs = 1;
                VendorVerdict v = VENDOR_VERDICT_INIT;
                if (vendor_classify(db, list, 1, &v) >= 0)
                        vendor_verdict_done(&v);
                json_object_put(vendor_db_status(db));
        } else if (!error)
                abort();        /* every refusal says why */
        vendor_db_free(db);
        free(error);
        free(text);
        return 0;
}
