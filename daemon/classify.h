/* SPDX-License-Identifier: MIT */
#pragma once

/* `vendorwatchd --classify FILE|- [--vendors FILE] [--oui-dir DIR]
 * [--enterprises FILE]`: one-shot, no daemon and no config file.  Reads JSON
 * lines of observations, writes one verdict line per input line with the
 * "id" echoed.  Exit status 0, 2 when a line was malformed (reported on
 * stdout and stderr, processing goes on), 1 when the data cannot load. */
int classify_main(int argc, char **argv);
