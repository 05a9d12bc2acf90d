"""coach: call scripts, live guidance and post-call scoring for sales teams.

The core is plain Python; the Textual apps live in ``coach.tui`` only.
"""

__version__ = "0.1.0"
