/* SPDX-License-Identifier: MIT */
/* placeholder: filled in by its issue */
#include "macro.h"
extern int vw_placeholder_inventory;
