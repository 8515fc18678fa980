"""The demo workshop: its content, and seeding it into a database."""
