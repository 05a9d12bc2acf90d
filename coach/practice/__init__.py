"""Role-play practice: a simulated client (a model, or the script itself) and a scored transcript.

Plain Python with no Textual: ``coach.tui.practice_app`` is the screen over it.
"""
