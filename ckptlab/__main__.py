"""`python -m ckptlab` runs the command line."""

from ckptlab.cli import main

raise SystemExit(main())
