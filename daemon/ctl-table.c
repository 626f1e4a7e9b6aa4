/* SPDX-License-Identifier: MIT */
#include "macro.h"
extern int vw_placeholder_ctl_table;
