/* SPDX-License-Identifier: MIT */
#pragma once

/* vendorwatchd --classify FILE|- : one-shot, no config needed. */
int classify_main(int argc, char **argv);
