/* SPDX-License-Identifier: MIT */
#include "roles.h"
