"""``python -m bot [--base-url URL] [--config FILE] [--log-level DEBUG]``: run the bot (same as ``briefbot bot``)."""

import sys

from .cli import main

sys.exit(main())
