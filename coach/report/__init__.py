"""Reports for team leads: a period report per rep or team, and a one-call report.

``data`` computes what to show, ``charts`` draws inline SVG, ``render`` writes
Markdown, self-contained HTML, CSV and JSON.
"""
