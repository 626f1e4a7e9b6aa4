/* SPDX-License-Identifier: MIT */
#pragma once

/* vendorwatchd's command line: the daemon and its one-shot modes. */
int daemon_main(int argc, char **argv);
