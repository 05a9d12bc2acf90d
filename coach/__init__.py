"""coach: call scripts, live guidance and post-call scoring for sales teams.

The core is plain Python; the Textual apps live in ``coach.tui`` only.
"""

__version__ = "0.1.0"

from coach.compiled import guard as _guard

_guard()  # compiled analysis modules only while they match their sources (coach.compiled)
