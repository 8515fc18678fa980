"""Breakout 4: protecting critical infrastructure (voted; writing recommendations)."""

from __future__ import annotations

from facilitator.demo.model import DemoGroup, DemoRecommendation, idea

CRITICAL = "What counts as critical"
BASELINES = "Baselines and procurement"
OT = "Legacy OT and skills"
TRUST = "Operator trust"
RESILIENCE = "Resilience and recovery"

GROUP = DemoGroup(
    name="Protecting critical infrastructure",
    prompt=(
        "How can partner countries protect critical infrastructure that is privately owned "
        "and runs on imported technology?"
    ),
    description=(
        "Energy, telecoms, water, finance and health. Think about regulation, supply-chain "
        "security, public-private trust and what donors can realistically pay for."
    ),
    themes=(CRITICAL, BASELINES, OT, TRUST, RESILIENCE),
    silent=3,
    ideas=(
        idea(39, "Leila Haddad",
             "Start by helping governments decide what counts as critical. Without a "
             "designated list nobody knows which operators to regulate.", CRITICAL),
        idea(36, None,
             "Minimum security baselines for operators of essential services, phased in over "
             "three years, with support for the smaller operators", BASELINES),
        idea(33, "Rafael Mendoza",
             "Most grid operators in our region run OT systems that are 20+ years old. "
             "Replacing them isn't realistic, so fund network segmentation and monitoring "
             "instead.", OT),
        idea(31, None, "test", hidden="A test message from a phone"),
        idea(30, None,
             "Supply chain: who audits the vendor? Partners need help writing security "
             "requirements into procurement contracts.", BASELINES),
        idea(27, "Sina Tuilagi",
             "Submarine cables. One cable cut and a whole island nation is offline. Resilience "
             "and redundancy should count as cyber capacity building too.", RESILIENCE),
        idea(23, "Wanjiru Kamau",
             "A public-private information sharing forum for each sector, chaired by industry "
             "rather than the regulator, or companies won't admit to incidents.", TRUST),
        idea(20, None,
             "Mobile money is critical infrastructure in East Africa. Treat it that way",
             CRITICAL),
        idea(16, "Zhang Min",
             "OT skills are the bottleneck. There are IT security people, but very few who "
             "understand SCADA and safety systems.", OT),
        idea(12, None, "Procurement rules - write security requirments into tenders", BASELINES,
             repeats="Supply chain: who audits"),
        idea(8, "Beatriz Souza",
             "Water utilities are the weakest link: small municipal operators with no security "
             "staff at all. One shared regional service could cover dozens of them.", TRUST),
        idea(3, None,
             "Resilience, not just protection. Assume compromise and fund recovery plans, "
             "tested backups and manual fallback procedures.", RESILIENCE),
    ),
    # One per theme; the demo promotes those of the two themes with the most dots.
    recommendations=(
        DemoRecommendation(
            CRITICAL,
            "Help each partner name its critical operators",
            "Fund legal and policy support so every partner country has a designated list of "
            "critical sectors and operators within two years, including mobile money and "
            "submarine cable landing stations, reviewed every year.",
            "Regulation, baselines and incident reporting all start from knowing who is "
            "critical; most partners in the room have no such list.",
        ),
        DemoRecommendation(
            BASELINES,
            "Phase in minimum security baselines, with help for small operators",
            "Support regulators to set minimum security baselines for essential services, "
            "phased in over three years, and write security requirements into public "
            "procurement, with model clauses partners can reuse.",
            "Operators asked for clear, realistic requirements rather than audits they cannot "
            "pass; procurement is where governments have leverage today.",
        ),
        DemoRecommendation(
            OT,
            "Protect old control systems instead of replacing them",
            "Fund network segmentation, monitoring and OT security training for grid and "
            "water operators, with a regional pool of SCADA specialists partners can call on.",
            "Replacing 20-year-old control systems is not affordable; protecting them is, and "
            "OT skills are the bottleneck everyone named.",
        ),
        DemoRecommendation(
            TRUST,
            "Sector forums where operators can talk about incidents",
            "Set up an information-sharing forum for each critical sector, chaired by industry, "
            "and a shared security service for small municipal operators such as water "
            "utilities.",
            "Companies only report incidents where they trust the forum; small operators have "
            "no security staff of their own.",
        ),
        DemoRecommendation(
            RESILIENCE,
            "Plan for recovery, not only protection",
            "Fund tested recovery plans, offline backups and manual fallback procedures for "
            "essential services, and count cable and network redundancy as capacity building.",
            "Compromise will happen; what matters is how fast services come back, and island "
            "states depend on a single cable.",
        ),
    ),
)  # fmt: skip
