"""The collector steward: freeze as sockets grow, collect once when most have gone."""

from __future__ import annotations

from facilitator.collector import Freezer


def steward() -> tuple[Freezer, list[str]]:
    calls: list[str] = []
    freezer = Freezer(
        freeze=lambda: calls.append("freeze"),
        unfreeze=lambda: calls.append("unfreeze"),
        collect=lambda: calls.append("collect"),
    )
    return freezer, calls


def test_it_freezes_as_sockets_grow_by_a_quarter_and_not_for_small_changes() -> None:
    freezer, calls = steward()
    for sockets in (10, 40, 60, 70, 100, 120, 176, 200):
        freezer.look(sockets)
    # 60: first past the slack; 176 >= 60 * 1.25 + 50 = 125; 200 < 176 * 1.25 + 50.
    assert calls == ["freeze", "freeze"]
    assert freezer.frozen_at == 176


def test_when_most_sockets_go_what_was_frozen_is_collected_once_then_frozen_again() -> None:
    freezer, calls = steward()
    freezer.look(5000)
    freezer.look(4000)  # a few left: nothing
    freezer.look(100)  # the Wi-Fi went
    freezer.look(90)
    assert calls == ["freeze", "unfreeze", "collect", "freeze"]
    assert freezer.frozen_at == 100
    freezer.look(5000)  # they are back
    assert calls[-1] == "freeze" and freezer.frozen_at == 5000


def test_the_real_collector_is_used_by_default() -> None:
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        Freezer().look(1000)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
