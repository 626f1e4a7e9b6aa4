/* SPDX-License-Identifier: MIT */
/* placeholder: filled in by its issue */
#include "macro.h"
extern int vw_placeholder_vendor;

/* Minimal stand-ins until the vendor engine lands. */
#include "vendor.h"

struct VendorDb {
        int unused;
};

int vendor_db_load(const VendorPaths *paths, VendorDb **ret, char **ret_error) {
        *ret = calloc(1, sizeof(VendorDb));
        return *ret ? 0 : -ENOMEM;
}

VendorDb *vendor_db_free(VendorDb *db) {
        free(db);
        return NULL;
}

int vendor_classify(const VendorDb *db, const struct vw_observation *const *obs, size_t n, VendorVerdict *ret) {
        vendor_verdict_done(ret);
        return 0;
}

void vendor_verdict_done(VendorVerdict *v) {
        free(v->vendor);
        free(v->vendor_name);
        free(v->made_by);
        for (size_t i = 0; i < v->n_evidence; i++) {
                free(v->evidence[i].source);
                free(v->evidence[i].value);
                free(v->evidence[i].vendor);
                free(v->evidence[i].note);
        }
        free(v->evidence);
        *v = (VendorVerdict) {};
}

json_object *vendor_verdict_to_json(const VendorVerdict *v) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "vendor", v->vendor ? json_object_new_string(v->vendor) : NULL);
        json_object_object_add(j, "evidence", json_object_new_array());
        return j;
}

json_object *vendor_db_status(const VendorDb *db) {
        return json_object_new_object();
}

bool vendor_related(const VendorDb *db, const char *slug, const char *other) {
        return false;
}
