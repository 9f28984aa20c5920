"""Per-clip interaction figures, told as small stories of coded moments (times in ms)."""

import random

import pytest

from vib.analysis.stats import DEFAULT_WINDOW_MS, ClipStats, CodeCount, MomentFacts, clip_stats

MINUTE = 60_000


def initiative(start, end=None, actor="client", code="bc.initiatief"):
    return MomentFacts(start, end, code, actor, "initiative")


def missed(start, actor="client"):
    return MomentFacts(start, None, "bc.gemist", actor, "missed_initiative")


def reception(start, end=None, actor="worker"):
    return MomentFacts(start, end, "bc.ontvangen", actor, "reception")


def other(start, end=None, code="bc.aandacht", actor="worker", tags=()):
    return MomentFacts(start, end, code, actor, None, frozenset(tags))


def stats(*moments, duration_ms=10 * MINUTE, window_ms=DEFAULT_WINDOW_MS):
    return clip_stats(moments, duration_ms, window_ms)


# --- receiving an initiative ---------------------------------------------------------------


def test_initiative_received_within_window():
    s = stats(initiative(10_000), reception(11_200))
    assert (s.initiatives, s.received_initiatives) == (1, 1)
    assert s.reception_ratio == 1.0
    assert s.median_reception_latency_ms == 1200


def test_window_edge_is_inclusive():
    assert stats(initiative(10_000), reception(13_000)).received_initiatives == 1


def test_just_past_the_window_is_not_received():
    s = stats(initiative(10_000), reception(13_001))
    assert (s.initiatives, s.received_initiatives, s.reception_ratio) == (1, 0, 0.0)
    assert s.median_reception_latency_ms is None


def test_reception_before_the_initiative_does_not_count():
    assert stats(reception(9_999), initiative(10_000)).received_initiatives == 0


def test_one_reception_cannot_receive_two_initiatives():
    # One nod after two quick initiatives: only the first is received.
    s = stats(initiative(10_000), initiative(10_500), reception(11_000))
    assert (s.initiatives, s.received_initiatives, s.reception_ratio) == (2, 1, 0.5)
    assert s.median_reception_latency_ms == 1000


def test_two_receptions_receive_two_close_initiatives_in_order():
    s = stats(initiative(10_000), initiative(10_500), reception(11_000), reception(12_500))
    assert s.received_initiatives == 2
    # 10_000 -> 11_000 (1000) and 10_500 -> 12_500 (2000)
    assert s.median_reception_latency_ms == 1500


def test_span_initiative_is_received_during_the_span_and_up_to_window_after_its_end():
    span = (10_000, 20_000)  # the child tells a story for ten seconds
    assert stats(initiative(*span), reception(15_000)).received_initiatives == 1
    assert stats(initiative(*span), reception(23_000)).received_initiatives == 1
    assert stats(initiative(*span), reception(23_001)).received_initiatives == 0
    assert stats(initiative(*span), reception(15_000)).median_reception_latency_ms == 5000


def test_window_zero_needs_a_reception_at_the_very_same_ms():
    assert stats(initiative(10_000), reception(10_000), window_ms=0).received_initiatives == 1
    assert stats(initiative(10_000), reception(10_001), window_ms=0).received_initiatives == 0


# --- who counts ----------------------------------------------------------------------------


def test_workers_own_initiative_is_not_counted():
    s = stats(initiative(10_000, actor="worker"), reception(11_000))
    assert s.initiatives == 0
    assert s.reception_ratio is None


def test_initiatives_by_other_participants_and_both_count():
    s = stats(initiative(10_000, actor="other"), initiative(20_000, actor="both"))
    assert s.initiatives == 2


def test_missed_initiative_counts_in_denominator_and_is_never_received():
    s = stats(initiative(10_000), missed(20_000), reception(20_500))
    assert (s.initiatives, s.received_initiatives, s.reception_ratio) == (2, 0, 0.0)


def test_missed_initiative_counts_whoever_is_the_actor():
    assert stats(missed(10_000, actor="worker")).initiatives == 1


def test_missed_initiative_does_not_use_up_a_reception():
    s = stats(missed(10_000), initiative(10_500), reception(11_000))
    assert (s.initiatives, s.received_initiatives) == (2, 1)


def test_reception_by_client_does_not_count():
    assert stats(initiative(10_000), reception(11_000, actor="client")).received_initiatives == 0


def test_reception_by_both_counts():
    assert stats(initiative(10_000), reception(11_000, actor="both")).received_initiatives == 1


def test_without_initiatives_ratio_and_latency_are_none():
    s = stats(reception(11_000), other(12_000))
    assert (s.initiatives, s.received_initiatives) == (0, 0)
    assert s.reception_ratio is None
    assert s.median_reception_latency_ms is None


# --- figures -------------------------------------------------------------------------------


def test_median_latency_with_odd_count():
    s = stats(
        initiative(10_000),
        reception(10_400),
        initiative(20_000),
        reception(22_000),
        initiative(30_000),
        reception(30_900),
    )
    assert s.median_reception_latency_ms == 900  # of 400, 900, 2000


def test_median_latency_with_even_count_is_mean_of_middle_two_rounded():
    s = stats(
        initiative(10_000),
        reception(10_400),
        initiative(20_000),
        reception(20_701),
        initiative(30_000),
        reception(30_900),
        initiative(40_000),
        reception(42_000),
    )
    assert s.median_reception_latency_ms == 800  # (701 + 900) / 2 = 800.5, rounded


def test_initiatives_per_10min_on_a_five_minute_clip():
    s = stats(*(initiative(t * 10_000) for t in range(6)), duration_ms=5 * MINUTE)
    assert s.initiatives_per_10min == 12.0


def test_initiatives_per_10min_is_none_without_duration():
    assert stats(initiative(0), duration_ms=0).initiatives_per_10min is None


def test_by_code_counts_every_moment_sums_spans_per_code_and_actor_and_sorts():
    s = stats(
        other(0, 2_000, code="bc.beurt", actor="both"),
        other(5_000, 5_500, code="bc.aandacht"),
        missed(6_000),
        other(8_000, 9_000, code="bc.beurt", actor="both"),
        other(9_000, code="bc.beurt", actor="worker"),  # a point adds 0 ms
        other(10_000, 10_500, code="bc.aandacht"),
    )
    assert s.by_code == [
        CodeCount("bc.aandacht", "worker", 2, 1_000),
        CodeCount("bc.beurt", "both", 2, 3_000),
        CodeCount("bc.beurt", "worker", 1, 0),
        CodeCount("bc.gemist", "client", 1, 0),
    ]


def test_tags_are_counted():
    s = stats(
        other(1_000, tags={"better_than_usual", "learning_question"}),
        other(2_000, tags={"better_than_usual"}),
        other(3_000, tags={"use_as_still"}),
    )
    assert (s.strength_moments, s.learning_question_moments) == (2, 1)


@pytest.mark.parametrize("window_ms", [-1, 60_001])
def test_invalid_window_raises(window_ms):
    with pytest.raises(ValueError, match="window_ms"):
        stats(initiative(0), window_ms=window_ms)


def test_window_limits_are_allowed():
    assert stats(window_ms=0).window_ms == 0
    assert stats(window_ms=60_000).window_ms == 60_000


def test_as_dict_keys_and_rounding():
    s = stats(
        initiative(10_000),
        reception(11_000),
        initiative(20_000),
        initiative(30_000),
        other(0, 1_500, code="bc.aandacht"),
        duration_ms=7 * MINUTE,
    )
    assert s.as_dict() == {
        "by_code": [
            {"code": "bc.aandacht", "actor": "worker", "count": 1, "total_ms": 1_500},
            {"code": "bc.initiatief", "actor": "client", "count": 3, "total_ms": 0},
            {"code": "bc.ontvangen", "actor": "worker", "count": 1, "total_ms": 0},
        ],
        "reception_ratio": 0.333,
        "initiatives_per_10min": 4.29,
        "median_reception_latency_ms": 1000,
        "strength_moments": 0,
        "learning_question_moments": 0,
        "initiatives": 3,
        "received_initiatives": 1,
        "window_ms": 3000,
    }


def test_as_dict_keeps_none():
    d = stats(duration_ms=0).as_dict()
    assert d["reception_ratio"] is None
    assert d["initiatives_per_10min"] is None
    assert d["median_reception_latency_ms"] is None


def test_order_of_input_does_not_matter():
    story = [
        initiative(10_000),
        initiative(10_500),
        reception(11_000),
        reception(12_500),
        initiative(20_000, 25_000),
        reception(27_000),
        missed(30_000),
        initiative(40_000),
        reception(43_001),
        reception(5_000),
        other(1_000, 3_000, tags={"better_than_usual"}),
    ]
    expected = clip_stats(story, 5 * MINUTE)
    assert (expected.initiatives, expected.received_initiatives) == (5, 3)
    rng = random.Random(7)
    for _ in range(20):
        shuffled = story[:]
        rng.shuffle(shuffled)
        assert clip_stats(shuffled, 5 * MINUTE) == expected


def test_accepts_any_iterable():
    assert isinstance(clip_stats(iter([initiative(0)]), MINUTE), ClipStats)
