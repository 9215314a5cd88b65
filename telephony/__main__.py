"""``python -m telephony``: the ``telephony`` command without the console script."""

import sys

from telephony.cli import main

sys.exit(main())
