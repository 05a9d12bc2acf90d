"""`python -m coach` runs the same command as the `coach` console script."""

from coach.cli import main

main()
