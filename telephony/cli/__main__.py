"""``python -m telephony.cli``: the ``telephony`` command without the console script."""

import sys

from telephony.cli import main

sys.exit(main())
