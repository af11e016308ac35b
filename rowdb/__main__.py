"""`python -m rowdb` runs the command line."""

import sys

from rowdb.cli import main

sys.exit(main())
