"""Storage: engines, the write path and its writer process, statements, the event log,
migrations and copies of a database. Knows nothing of users, groups or HTTP."""
