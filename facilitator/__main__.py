from __future__ import annotations

from facilitator.cli.main import main

main()
