"""``python3 -m lockstep``: see lockstep._cli."""

import sys

from ._cli import main

sys.exit(main())
