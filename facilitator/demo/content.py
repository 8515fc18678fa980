"""Content for the demo workshop: a conference that looks like it is in progress.

Pure data plus one loader. Six breakout groups are written for the demo; a seventh
holds real comments from a public Pol.is conversation, read from the sample packaged
in ``facilitator/demo_data`` (see ``demo_data/ATTRIBUTION.md``). Within each group,
ideas are listed in submission order, oldest first.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from importlib.resources import files


@dataclass(frozen=True)
class DemoIdea:
    text: str
    author: str | None  # display name, or None for an anonymous participant
    minutes_ago: int  # when it was submitted, relative to "now" (0..120)


@dataclass(frozen=True)
class DemoGroup:
    name: str  # e.g. "Skills and workforce"
    prompt: str  # the breakout question shown on phones
    description: str  # context shown under the question; may hold an attribution
    ideas: tuple[DemoIdea, ...]


@dataclass(frozen=True)
class DemoWorkshop:
    title: str
    description: str
    groups: tuple[DemoGroup, ...]


_TITLE = "International Cyber Security Capacity Building Conference"

_DESCRIPTION = (
    "A one-day conference at Lancaster House, London, bringing together government, "
    "industry, civil society and academic delegations from partner countries to "
    "advise on what the next national cyber strategy should fund abroad. Each "
    "breakout group takes one question, from skills pipelines and CERT maturity to "
    "critical infrastructure, cybercrime cooperation and inclusion, and brings up to "
    "three recommendations back to the closing plenary."
)

_MAX_IDEA_CHARS = 500
_POLIS_WINDOW_MINUTES = 120
_POLIS_SAMPLE = "polis_bowling_green.csv"
_POLIS_NAME = "Open data sample: Bowling Green 2018"
_POLIS_PROMPT = (
    "What do you believe should change in Bowling Green/Warren County in order to "
    "make it a better place to live, work and spend time?"
)
_POLIS_ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is "
    "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy "
    "Project. Case study: https://compdemocracy.org/case-studies/2018-kentucky"
)


def _idea(minutes_ago: int, author: str | None, text: str) -> DemoIdea:
    return DemoIdea(text=text, author=author, minutes_ago=minutes_ago)


# The written groups. Typos, near-duplicates and terse entries are deliberate:
# they give the facilitator something to merge and tidy during a demo.
_GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup(
        name="Funding priorities abroad",
        prompt="What should the next national cyber strategy fund abroad?",
        description=(
            "Think about the next five years of international cyber programmes: "
            "where does capacity-building money do the most good, and what should "
            "we stop funding?"
        ),
        ideas=(
            _idea(
                41,
                "Amara Okafor",
                "Multi-year funding. Three to five year programmes, not 12-month "
                "projects that end just as the partner team is trained.",
            ),
            _idea(39, None, "Longer funding cycles - annual grants kill continuity"),
            _idea(
                37,
                "Tomás Rivera",
                "Fund the boring basics: asset inventories, patching and offline "
                "backups for government ministries. Not everything needs to be a "
                "flagship centre with a ribbon to cut.",
            ),
            _idea(
                35,
                None,
                "Regional hubs rather than forty bilateral projects that don't talk to each other",
            ),
            _idea(
                33,
                "Siosaia Taufa",
                "Small island states get left out because we can't absorb big "
                "grants. Fund shared services for the Pacific: one regional CERT, "
                "shared SOC tooling, shared legal drafting support.",
            ),
            _idea(
                30,
                "Priya Raman",
                "Start every partnership with a national maturity assessment (the "
                "Oxford CMM or similar) so funding follows the country's own gaps "
                "instead of donor guesswork.",
            ),
            _idea(28, None, "Stop funding one-off conferences and study tours"),
            _idea(
                25,
                "Kwame Mensah",
                "Co-funding with the partner goverment, even a small share. When "
                "the ministry has its own budget line the project survives the "
                "next election.",
            ),
            _idea(
                22,
                "Olena Kovalenko",
                "Keep funding exchanges on wartime lessons learned. Ukraine's "
                "experience of defending networks under sustained attack is "
                "useful to every delegation in this room.",
            ),
            _idea(
                18,
                None,
                "Coordinate with other donors through the GFCE so we're not the "
                "third country funding the same CERT training in the same month",
            ),
            _idea(
                14,
                "Daniel Hughes",
                "A small rapid-response fund for partners hit by a major "
                "incident. Today help arrives six months later, when the window "
                "has closed.",
            ),
            _idea(11, None, "multi year funding!!"),
            _idea(
                7,
                "Mei Lin Tan",
                "Budget for evaluation. We count outputs (people trained, "
                "workshops held) but almost never measure outcomes two years "
                "later.",
            ),
            _idea(
                3,
                "Fatima Al-Hassan",
                "Fund civil society and academia too, not only "
                "government-to-government work. They hold the institutional "
                "memory when officials rotate.",
            ),
        ),
    ),
    DemoGroup(
        name="Skills and workforce",
        prompt=(
            "How do we build cyber skills pipelines in partner countries, and keep "
            "the people we train?"
        ),
        description=(
            "A common complaint from partner agencies: staff trained on donor "
            "programmes leave for the private sector or abroad within a couple of "
            "years. Think pipelines, retention and who pays."
        ),
        ideas=(
            _idea(
                40,
                "Grace Banda",
                "Train-the-trainer models so partner universities own the "
                "curriculum after year two.",
            ),
            _idea(
                38,
                None,
                "Retention is the real problem. We trained 30 analysts in 2021 "
                "and 6 are still in government.",
            ),
            _idea(
                36,
                "Joseph Mwangi",
                "Work with the civil service commission on a special pay scale for "
                "cyber roles, otherwise the banks will always win.",
            ),
            _idea(
                33,
                "Ana Lúcia Ferreira",
                "Use local languages! Most free online courses are english only "
                "and that excludes a lot of very capable technical people.",
            ),
            _idea(
                31,
                None,
                "Bonding agreements: if the government pays for your "
                "certification you stay 2-3 years",
            ),
            _idea(
                27,
                "Nguyen Thi Lan",
                "Accept that people move to the private sector. If they stay in "
                "the country it is still a win. Measure national capacity, not "
                "headcount in one ministry.",
            ),
            _idea(
                24,
                None,
                "Capture-the-flag competitions at universities are cheap and find talent early",
            ),
            _idea(
                21,
                "Rashid Karimov",
                "Co-funded apprenticeships with local telcos and banks, so "
                "graduates get real SOC experience and not only theory.",
            ),
            _idea(17, None, "train the trainers so unis own the course"),
            _idea(
                13,
                "Dr Ngozi Eze",
                "Support the lecturers, not just the students. Many teach cyber "
                "security with no lab equipment and no budget to keep their own "
                "skills current.",
            ),
            _idea(
                9,
                "Mateo Gómez",
                "Certification exams are very expensive in local currency. Exam "
                "vouchers would go further than another week-long course.",
            ),
            _idea(
                6,
                "Joseph Mwangi",
                "Also: clear career paths inside government. Junior analysts "
                "leave when they can't see a senior technical role to grow into.",
            ),
            _idea(
                4,
                None,
                "Mentoring that pairs junior analysts with practitioners in "
                "partner and UK teams, sustained over a year rather than a single "
                "visit.",
            ),
        ),
    ),
    DemoGroup(
        name="Incident response and CERT maturity",
        prompt=(
            "What would most help national CERTs in partner countries move from "
            "firefighting to mature incident response?"
        ),
        description=(
            "Many national CERTs are only a few years old. Consider people, "
            "processes, tools, legal mandate and international ties such as FIRST "
            "membership and maturity models like SIM3."
        ),
        ideas=(
            _idea(
                42,
                "Hamid Nouri",
                "A clear legal mandate. Half the CERTs in our region can't require "
                "anyone to report an incident, so they hear about it from the "
                "press.",
            ),
            _idea(
                40,
                None,
                "Peer review against SIM3 with a mentor CERT, then a funded plan "
                "for the gaps. Better than an assessment report nobody reads.",
            ),
            _idea(
                37,
                "Ingrid Solberg",
                "Sponsor FIRST membership and travel for the first few years. "
                "During a real incident the relationships matter more than the "
                "tools.",
            ),
            _idea(34, None, "Tabletop exercises with banks, telcos and energy together"),
            _idea(
                31,
                "Chen Wei",
                "Stop donating expensive SIEM licences that expire after one year. "
                "Give open-source stacks the team can actually run and maintain.",
            ),
            _idea(29, None, "dont donate tools that expire after a year"),
            _idea(
                26,
                "Ayesha Siddiqui",
                "Basics first: a 24/7 on-call rota, a ticketing system, a public "
                "contact point and a PGP key that works.",
            ),
            _idea(
                22,
                "Kofi Asante",
                "Regional exercises where neighbouring CERTs handle a simulated "
                "cross-border incident in real time, with the actual people who "
                "would call each other.",
            ),
            _idea(
                19,
                None,
                "Threat intel sharing is one-way today. Partners send indicators "
                "and get nothing back. Make it reciprocal or the trust goes.",
            ),
            _idea(
                15,
                "Marta Nowak",
                "A sector CERT for health. Hospitals are hit by ransomware all the "
                "time and the national CERT can't cover them as well as "
                "everything else.",
            ),
            _idea(10, None, "Exercises, exercises, exercises"),
            _idea(
                6,
                "Ingrid Solberg",
                "Write up every major incident and share anonymised case studies "
                "across the region. The same mistakes repeat from country to "
                "country.",
            ),
            _idea(
                2,
                None,
                "Secondments in both directions. Our analysts learn as much from "
                "partner teams as they learn from us.",
            ),
        ),
    ),
    DemoGroup(
        name="Protecting critical infrastructure",
        prompt=(
            "How can partner countries protect critical infrastructure that is "
            "privately owned and runs on imported technology?"
        ),
        description=(
            "Energy, telecoms, water, finance and health. Think about regulation, "
            "supply-chain security, public-private trust and what donors can "
            "realistically pay for."
        ),
        ideas=(
            _idea(
                39,
                "Leila Haddad",
                "Start by helping governments decide what counts as critical. "
                "Without a designated list nobody knows which operators to "
                "regulate.",
            ),
            _idea(
                36,
                None,
                "Minimum security baselines for operators of essential services, "
                "phased in over three years, with support for the smaller "
                "operators",
            ),
            _idea(
                33,
                "Rafael Mendoza",
                "Most grid operators in our region run OT systems that are 20+ "
                "years old. Replacing them isn't realistic, so fund network "
                "segmentation and monitoring instead.",
            ),
            _idea(
                30,
                None,
                "Supply chain: who audits the vendor? Partners need help writing "
                "security requirements into procurement contracts.",
            ),
            _idea(
                27,
                "Sina Tuilagi",
                "Submarine cables. One cable cut and a whole island nation is "
                "offline. Resilience and redundancy should count as cyber capacity "
                "building too.",
            ),
            _idea(
                23,
                "Wanjiru Kamau",
                "A public-private information sharing forum for each sector, "
                "chaired by industry rather than the regulator, or companies won't "
                "admit to incidents.",
            ),
            _idea(
                20,
                None,
                "Mobile money is critical infrastructure in East Africa. Treat it that way",
            ),
            _idea(
                16,
                "Zhang Min",
                "OT skills are the bottleneck. There are IT security people, but "
                "very few who understand SCADA and safety systems.",
            ),
            _idea(12, None, "Procurement rules - write security requirments into tenders"),
            _idea(
                8,
                "Beatriz Souza",
                "Water utilities are the weakest link: small municipal operators "
                "with no security staff at all. One shared regional service could "
                "cover dozens of them.",
            ),
            _idea(
                3,
                None,
                "Resilience, not just protection. Assume compromise and fund "
                "recovery plans, tested backups and manual fallback procedures.",
            ),
        ),
    ),
    DemoGroup(
        name="Cybercrime and law enforcement",
        prompt=(
            "What would make cross-border cooperation on cybercrime work in "
            "practice, from legislation to prosecution?"
        ),
        description=(
            "Consider cybercrime laws and their human rights safeguards, electronic "
            "evidence, mutual legal assistance, the Budapest Convention and the new "
            "UN convention, and training for police, prosecutors and judges."
        ),
        ideas=(
            _idea(
                38,
                "Dilnoza Yusupova",
                "Mutual legal assistance requests take a year or more in practice. "
                "By then the logs are gone. Fund the fast channels for preserving "
                "data, like the 24/7 points of contact.",
            ),
            _idea(
                35,
                None,
                "Train judges and prosecutors, not only police. Cases collapse in "
                "court because nobody understands the electronic evidence.",
            ),
            _idea(
                32,
                "Emeka Nwosu",
                "Any cybercrime law we help draft must have human rights "
                "safeguards built in. We have seen 'cybercrime' laws used against "
                "journalists and activists.",
            ),
            _idea(29, None, "Digital forensics labs WITH maintenance budgets and accreditation"),
            _idea(
                26,
                "Sofía Herrera",
                "Help countries that want to join the Budapest Convention with "
                "legislative drafting. The gap analysis is the easy part; getting "
                "a bill through parliament is the hard part.",
            ),
            _idea(
                22,
                None,
                "Judges need training too - e-evidence gets thrown out bc no one understands it",
            ),
            _idea(
                18,
                "Thabo Dlamini",
                "Joint investigation teams for romance scams and business email "
                "compromise: victims in one country, money mules in another, "
                "organisers in a third.",
            ),
            _idea(
                14,
                "Kristjan Tamm",
                "Victim reporting. Most people don't know where to report online "
                "fraud. One national reporting portal, with feedback to the "
                "victim on what happened next.",
            ),
            _idea(
                9,
                None,
                "Relationships between investigators across borders matter more "
                "than treaties. Fund exchanges and joint training.",
            ),
            _idea(
                5,
                "Emeka Nwosu",
                "Cooperation with platforms and crypto exchanges. Partner police "
                "often don't know how to make a valid data request to a provider "
                "based overseas.",
            ),
            _idea(
                1,
                None,
                "Scam compounds are human trafficking AND cybercrime. need a "
                "joined up response, not two separate programmes",
            ),
        ),
    ),
    DemoGroup(
        name="Inclusion in cyber careers",
        prompt=(
            "How do we get more women and under-represented groups into cyber "
            "careers in partner countries, and keep them there?"
        ),
        description=(
            "Think about the whole journey: schools, universities, hiring, "
            "workplace culture and progression to senior roles, and about "
            "disability, rural and low-income candidates as well as gender."
        ),
        ideas=(
            _idea(
                4,
                "Aiko Tanaka",
                "Visible role models. Most girls in our schools have never met a "
                "woman who works in cyber security.",
            ),
            _idea(
                2,
                None,
                "Scholarships should come with childcare support, or they miss "
                "the women returning to study who need them most",
            ),
            _idea(
                0,
                "Mariam Diallo",
                "Set a target for every course we fund: at least 40% women "
                "participants, and report on it.",
            ),
        ),
    ),
)


def clean_comment(text: str) -> str | None:
    """Collapse whitespace; None if the text is empty, too long or has control characters."""
    # Tabs and line breaks are ordinary in typed comments; any other control
    # character means the text is damaged, so the comment is skipped.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        return None
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > _MAX_IDEA_CHARS:
        return None
    return cleaned


def _polis_ideas() -> tuple[DemoIdea, ...]:
    """Ideas from the packaged Pol.is sample, its timeline squeezed into 120 minutes."""
    raw = (files("facilitator") / "demo_data" / _POLIS_SAMPLE).read_bytes().decode("utf-8")
    comments: list[tuple[int, int, str]] = []
    # newline="" hands line endings to the csv module untouched, as it expects.
    for row in csv.DictReader(io.StringIO(raw, newline="")):
        text = clean_comment(row["comment-body"])
        if text is not None:
            comments.append((int(row["timestamp"]), int(row["comment-id"]), text))
    if not comments:
        return ()
    comments.sort(key=lambda c: (c[0], c[1]))
    oldest, newest = comments[0][0], comments[-1][0]
    span = newest - oldest
    ideas = []
    for timestamp, _comment_id, text in comments:
        # Integer rounding keeps the mapping exact and monotonic: oldest -> 120, newest -> 0.
        if span:
            minutes_ago = (_POLIS_WINDOW_MINUTES * (newest - timestamp) + span // 2) // span
        else:
            minutes_ago = 0
        ideas.append(DemoIdea(text=text, author=None, minutes_ago=minutes_ago))
    return tuple(ideas)


def demo_workshop() -> DemoWorkshop:
    """The demo workshop: six written breakout groups plus one of real Pol.is comments."""
    polis = DemoGroup(
        name=_POLIS_NAME,
        prompt=_POLIS_PROMPT,
        description=_POLIS_ATTRIBUTION,
        ideas=_polis_ideas(),
    )
    return DemoWorkshop(title=_TITLE, description=_DESCRIPTION, groups=(*_GROUPS, polis))
