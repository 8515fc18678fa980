from __future__ import annotations

from facilitator.cli import main

main()
