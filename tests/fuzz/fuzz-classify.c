/* SPDX-License-Identifier: MIT */
/* --classify input: JSON lines of observations through the parser and the
 * vendor engine (shipped catalogue, Debian registries when installed). */
#include <stdint.h>
#include <unistd.h>

#include "macro.h"
#include "observation.h"
#include "vendor.h"
#include "vw-config.h"

static VendorDb *db;

static VendorDb *get_db(void) {
        if (db)
                return db;
        VendorPaths p = {
                .catalogue = VW_SOURCE_ROOT "/conf/vendors.conf",
                .oui_dir = access(VW_OUI_DIR "/oui.csv", R_OK) == 0 ? VW_OUI_DIR : NULL,
                .enterprises = access(VW_ENTERPRISES_FILE, R_OK) == 0 ? VW_ENTERPRISES_FILE : NULL,
        };
        char *error = NULL;
        if (vendor_db_build(&p, NULL, NULL, &db, &error) < 0) {
                fprintf(stderr, "fuzz-classify: %s\n", error);
                abort();
        }
        return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const VendorDb *d = get_db();
        const char *p = (const char *) data, *end = p + size;
        if (size > 1 << 20)
                return 0;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = (size_t) ((nl ? nl : end) - p);
                Observation *o = NULL;
                char *id = NULL, *error = NULL;
                if (observation_from_json(p, len, &o, &id, &error) >= 0) {
                        const struct vw_observation *list[2] = { &o->o, &o->o };
                        VendorVerdict v = VENDOR_VERDICT_INIT;
                        if (vendor_classify(d, list, 2, &v) >= 0) {
                                json_object_put(vendor_verdict_to_json(&v));
                                vendor_verdict_done(&v);
                        }
                        observation_free(o);
                }
                free(id);
                free(error);
                p += len + (nl ? 1 : 0);
        }
        return 0;
}
