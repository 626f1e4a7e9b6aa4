/* SPDX-License-Identifier: MIT */
#pragma once

/* Parsers report why they refused something as text the caller shows: set
 * *ret_error (when ret_error is not NULL) to a malloc'd message and return
 * -EINVAL. */
int errorf(char **ret_error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
