"""Allow ``python -m interview_coach``."""

from interview_coach.cli import main

main()
