"""``python -m wegwijzer.cli``."""

import sys

from . import main

sys.exit(main())
