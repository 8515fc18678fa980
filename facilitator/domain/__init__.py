"""Commands and queries, by subject. No HTTP and no templates here (DESIGN rule 1)."""

# The modules that hold write jobs, for SQLite's writer process to import once at its start
# (a job from a module not named here is imported at its first run). Not `suggestions`: it
# only reads, and imports scikit-learn (a second and some 90 MB per process).
from __future__ import annotations

JOB_MODULES = tuple(
    f"facilitator.domain.{name}"
    for name in (
        "accounts",
        "answers",
        "broadcast",
        "chatham_house",
        "clusters",
        "follow_up",
        "follow_up_links",
        "gallery",
        "idea_vectors",
        "ideas",
        "moderation",
        "participants",
        "phases",
        "plenary",
        "questions",
        "recommendations",
        "restore",
        "round_setup",
        "rounds",
        "setup_file",
        "support",
        "synthesis",
        "tags",
        "votes",
        "workshops",
    )
)
