#!/usr/bin/env python3
"""Print the files of a folder matching a glob, one per line (for meson)."""
import glob
import os
import sys

os.chdir(sys.argv[1])
for name in sorted(glob.glob(sys.argv[2])):
    print(name)
