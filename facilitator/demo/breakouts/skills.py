"""Breakout 2: skills pipelines and keeping the people trained (sorting into themes)."""

from __future__ import annotations

from facilitator.demo.model import DemoGroup, idea

TRAINERS = "Local teaching capacity"
RETENTION = "Retention"
TALENT = "Finding talent early"
ACCESS = "Cost and language"

GROUP = DemoGroup(
    name="Skills and workforce",
    prompt=(
        "How do we build cyber skills pipelines in partner countries, and keep the people "
        "we train?"
    ),
    description=(
        "A common complaint from partner agencies: staff trained on donor programmes leave "
        "for the private sector or abroad within a couple of years. Think pipelines, "
        "retention and who pays."
    ),
    themes=(RETENTION, TRAINERS, TALENT, ACCESS),
    silent=2,
    ideas=(
        idea(40, "Grace Banda",
             "Train-the-trainer models so partner universities own the curriculum after year "
             "two.", TRAINERS),
        idea(38, None,
             "Retention is the real problem. We trained 30 analysts in 2021 and 6 are still in "
             "government.", RETENTION),
        idea(36, "Joseph Mwangi",
             "Work with the civil service commission on a special pay scale for cyber roles, "
             "otherwise the banks will always win.", RETENTION),
        idea(33, "Ana Lúcia Ferreira",
             "Use local languages! Most free online courses are english only and that excludes "
             "a lot of very capable technical people.", ACCESS),
        idea(31, None,
             "Bonding agreements: if the government pays for your certification you stay 2-3 "
             "years", RETENTION),
        idea(27, "Nguyen Thi Lan",
             "Accept that people move to the private sector. If they stay in the country it is "
             "still a win. Measure national capacity, not headcount in one ministry.",
             RETENTION),
        idea(24, None,
             "Capture-the-flag competitions at universities are cheap and find talent early",
             TALENT),
        idea(21, "Rashid Karimov",
             "Co-funded apprenticeships with local telcos and banks, so graduates get real SOC "
             "experience and not only theory.", TALENT),
        idea(17, None, "train the trainers so unis own the course", TRAINERS,
             repeats="Train-the-trainer models"),
        idea(13, "Dr Ngozi Eze",
             "Support the lecturers, not just the students. Many teach cyber security with no "
             "lab equipment and no budget to keep their own skills current.", TRAINERS),
        idea(9, "Mateo Gómez",
             "Certification exams are very expensive in local currency. Exam vouchers would go "
             "further than another week-long course.", ACCESS),
        idea(6, "Joseph Mwangi",
             "Also: clear career paths inside government. Junior analysts leave when they can't "
             "see a senior technical role to grow into.", RETENTION),
        # Arrived after the facilitator sorted the board: not in a theme yet.
        idea(4, None,
             "Mentoring that pairs junior analysts with practitioners in partner and UK teams, "
             "sustained over a year rather than a single visit."),
    ),
)  # fmt: skip
