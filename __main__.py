"""`python -m citydiplo`: the same as the `citydiplo` command."""

from citydiplo.cli import main

main()
