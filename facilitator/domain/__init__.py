"""Commands and queries, by subject. No HTTP and no templates here (DESIGN rule 1)."""
