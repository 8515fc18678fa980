"""The collector steward: freeze as sockets grow; when most have gone, start again from there."""

from __future__ import annotations

from facilitator.live.collector import Freezer


def steward() -> tuple[Freezer, list[str]]:
    calls: list[str] = []
    freezer = Freezer(freeze=lambda: calls.append("freeze"))
    return freezer, calls


def test_it_freezes_as_sockets_grow_by_a_quarter_and_not_for_small_changes() -> None:
    freezer, calls = steward()
    for sockets in (10, 40, 60, 70, 100, 120, 176, 200):
        freezer.look(sockets)
    # 60: first past the slack; 176 >= 60 * 1.25 + 50 = 125; 200 < 176 * 1.25 + 50.
    assert calls == ["freeze", "freeze"]
    assert freezer.frozen_at == 176


def test_when_most_sockets_go_the_ones_that_come_back_are_frozen_as_they_come() -> None:
    freezer, calls = steward()
    freezer.look(5000)
    freezer.look(4000)  # a few left: nothing
    freezer.look(100)  # the Wi-Fi went: no collection (closed sockets leave no cycles)
    freezer.look(90)
    assert calls == ["freeze"]
    assert freezer.frozen_at == 100
    freezer.look(1000)  # they are coming back: frozen as they come, not only past 5,000
    assert calls == ["freeze", "freeze"] and freezer.frozen_at == 1000


def test_the_real_collector_is_used_by_default() -> None:
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        Freezer().look(1000)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
