"""A worker's coding against the trainer's, told as small stories of coded moments (times in ms)."""

import itertools
import random

import pytest
from sklearn.metrics import cohen_kappa_score

from vib.analysis.agreement import (
    NONE_LABEL,
    CodedMoment,
    Pair,
    Remark,
    Tally,
    grid_kappa,
    grid_labels,
    kappa_strength,
    match,
    remarks,
)

INITIATIVE = "bc.initiatief"
RECEPTION = "bc.ontvangen"


def moment(start, end=None, code=INITIATIVE, actor="client"):
    return CodedMoment(start, end, code, actor)


def initiative(start, end=None, actor="client"):
    return moment(start, end, INITIATIVE, actor)


def reception(start, end=None, actor="worker"):
    return moment(start, end, RECEPTION, actor)


def index_pairs(matching):
    return [(p.reference_index, p.attempt_index) for p in matching.pairs]


# --- event matching ------------------------------------------------------------------------


def test_perfect_agreement():
    trainer = [initiative(1_000), reception(2_000), initiative(10_000)]
    m = match(trainer, list(trainer))
    assert index_pairs(m) == [(0, 0), (1, 1), (2, 2)]
    assert (m.misses, m.extras) == ((), ())
    assert m.overall == Tally(None, None, 3, 3, 3)
    assert (m.overall.precision, m.overall.recall, m.overall.f1) == (1.0, 1.0, 1.0)
    assert m.by_code == (Tally(INITIATIVE, None, 2, 2, 2), Tally(RECEPTION, None, 1, 1, 1))


def test_within_tolerance_both_ways_and_the_edge_is_inclusive():
    m = match([initiative(10_000), initiative(20_000)], [initiative(11_000), initiative(19_000)])
    assert m.pairs == (Pair(0, 0, 1_000), Pair(1, 1, -1_000))


def test_shifted_beyond_tolerance_is_a_miss_and_an_extra():
    m = match([initiative(10_000), reception(12_000)], [initiative(11_001), reception(12_500)])
    assert m.pairs == (Pair(1, 1, 500),)
    assert (m.misses, m.extras) == ((0,), (0,))
    assert m.by_code[0] == Tally(INITIATIVE, None, 1, 1, 0)
    assert (m.by_code[0].precision, m.by_code[0].recall, m.by_code[0].f1) == (0.0, 0.0, 0.0)


def test_tolerance_is_a_parameter():
    assert match([initiative(10_000)], [initiative(12_000)], tolerance_ms=2_000).overall.matched == 1
    assert match([initiative(10_000)], [initiative(10_001)], tolerance_ms=0).overall.matched == 0
    with pytest.raises(ValueError, match="tolerance_ms"):
        match([], [], tolerance_ms=-1)


def test_a_different_code_at_the_same_time_does_not_match():
    m = match([initiative(10_000)], [reception(10_000, actor="client")])
    assert m.pairs == ()
    assert m.by_code == (Tally(INITIATIVE, None, 1, 0, 0), Tally(RECEPTION, None, 0, 1, 0))
    assert (m.by_code[0].precision, m.by_code[0].recall, m.by_code[0].f1) == (None, 0.0, 0.0)
    assert (m.by_code[1].precision, m.by_code[1].recall, m.by_code[1].f1) == (0.0, None, 0.0)


def test_a_different_actor_does_not_match_and_by_code_adds_up_the_actors():
    m = match([initiative(10_000, actor="client"), initiative(20_000)], [initiative(10_000, actor="other"), initiative(20_000)])
    assert index_pairs(m) == [(1, 1)]
    assert m.by_code_and_actor == (Tally(INITIATIVE, "client", 2, 1, 1), Tally(INITIATIVE, "other", 0, 1, 0))
    assert m.by_code == (Tally(INITIATIVE, None, 2, 2, 1),)
    assert m.by_code[0].f1 == 0.5


def test_optimal_matching_keeps_a_pair_that_greedy_by_nearest_would_lose():
    # The worker's 1_300 is nearest to the trainer's 1_000 (300 ms), but pairing those two leaves the
    # trainer's 1_800 alone (300 is too far from it). Greedy "nearest first" finds one; optimal finds
    # both: 1_000-300 (700 ms) and 1_800-1_300 (500 ms).
    m = match([initiative(1_000), initiative(1_800)], [initiative(300), initiative(1_300)])
    assert m.pairs == (Pair(0, 0, -700), Pair(1, 1, -500))


def test_of_two_partners_within_tolerance_the_nearer_is_taken():
    # Greedy "earliest in the window" would take 500 (500 ms off) instead of 1_000 (exact).
    m = match([initiative(1_000)], [initiative(500), initiative(1_000)])
    assert m.pairs == (Pair(0, 1, 0),)
    assert m.extras == (0,)


def test_with_equal_counts_the_smaller_total_time_difference_wins():
    # Within 2 s both pairings match twice; 1_000-1_400 + 2_000-2_400 (800 ms) beats the crossed one
    # 1_000-2_400 + 2_000-1_400 (2_000 ms).
    m = match([initiative(1_000), initiative(2_000)], [initiative(2_400), initiative(1_400)], tolerance_ms=2_000)
    assert m.pairs == (Pair(0, 1, 400), Pair(1, 0, 400))


def test_duplicates_each_find_one_partner():
    m = match([initiative(5_000)] * 3, [initiative(5_000)] * 2)
    assert len(m.pairs) == 2
    assert len(m.misses) == 1 and m.extras == ()
    assert {p.reference_index for p in m.pairs} | set(m.misses) == {0, 1, 2}


def test_pairs_point_at_the_moments_as_given_in_any_order():
    trainer = [reception(30_000), initiative(20_000), initiative(10_000)]
    worker = [initiative(10_300), reception(29_500), initiative(19_900)]
    m = match(trainer, worker)
    assert m.pairs == (Pair(0, 1, -500), Pair(1, 2, -100), Pair(2, 0, 300))


def test_spans_are_matched_on_their_start():
    assert match([initiative(10_000, 20_000)], [initiative(10_500, 12_000)]).overall.matched == 1


@pytest.mark.parametrize(
    ("trainer", "worker", "expected"),
    [
        ([], [], (None, None, None)),
        ([initiative(1_000)], [], (None, 0.0, 0.0)),
        ([], [initiative(1_000)], (0.0, None, 0.0)),
    ],
)
def test_empty_codings_give_none_where_a_figure_would_divide_by_zero(trainer, worker, expected):
    m = match(trainer, worker)
    assert (m.overall.precision, m.overall.recall, m.overall.f1) == expected
    assert m.pairs == ()
    assert (len(m.misses), len(m.extras)) == (len(trainer), len(worker))


def test_precision_recall_f1_per_code_by_hand():
    # Trainer marks 4 initiatives; the worker finds 3 of them and adds 2 of their own.
    trainer = [initiative(t) for t in (10_000, 20_000, 30_000, 40_000)]
    worker = [initiative(t) for t in (10_200, 19_900, 30_500, 50_000, 60_000)]
    t = match(trainer, worker).by_code[0]
    assert (t.reference, t.attempt, t.matched, t.missed, t.extra) == (4, 5, 3, 1, 2)
    assert (t.precision, t.recall) == (0.6, 0.75)
    assert t.f1 == pytest.approx(2 * 0.6 * 0.75 / (0.6 + 0.75))  # = 6 / 9
    assert t.as_dict()["f1"] == 0.667


def best_by_brute_force(trainer, worker, tolerance_ms):
    """(matches, total |difference|) of the best of every one-to-one matching."""
    allowed = [
        (r, a)
        for r, a in itertools.product(range(len(trainer)), range(len(worker)))
        if (trainer[r].code, trainer[r].actor) == (worker[a].code, worker[a].actor)
        and abs(trainer[r].start_ms - worker[a].start_ms) <= tolerance_ms
    ]
    best = (0, 0)
    for size in range(1, min(len(trainer), len(worker)) + 1):
        for chosen in itertools.combinations(allowed, size):
            if len({r for r, _ in chosen}) == size and len({a for _, a in chosen}) == size:
                cost = sum(abs(trainer[r].start_ms - worker[a].start_ms) for r, a in chosen)
                best = max(best, (size, -cost))
    return best[0], -best[1]


@pytest.mark.parametrize("seed", range(40))
def test_matching_is_as_good_as_trying_every_matching(seed):
    rng = random.Random(seed)

    def coding(n):
        return [moment(rng.randrange(0, 6_000, 100), code=rng.choice("ab"), actor=rng.choice(["client", "worker"])) for _ in range(n)]

    trainer, worker = coding(rng.randint(0, 6)), coding(rng.randint(0, 6))
    m = match(trainer, worker, tolerance_ms=1_000)
    for p in m.pairs:
        r, a = trainer[p.reference_index], worker[p.attempt_index]
        assert (r.code, r.actor) == (a.code, a.actor)
        assert p.offset_ms == a.start_ms - r.start_ms and abs(p.offset_ms) <= 1_000
    assert sorted([p.reference_index for p in m.pairs] + list(m.misses)) == list(range(len(trainer)))
    assert sorted([p.attempt_index for p in m.pairs] + list(m.extras)) == list(range(len(worker)))
    assert (len(m.pairs), sum(abs(p.offset_ms) for p in m.pairs)) == best_by_brute_force(trainer, worker, 1_000)


def test_two_thousand_moments_a_side():
    # An hour coded densely: the matching took 0.006 s here, the grid kappa (7_200 cells) as long.
    # The worst case is every moment of one (code, actor) within tolerance of every other: n * m steps,
    # 2 s for 2_000 identical moments a side. No timing is asserted.
    rng = random.Random(7)
    codes, actors = ["a", "b", "c", "d"], ["client", "worker"]
    trainer = [moment(rng.randrange(3_600_000), code=rng.choice(codes), actor=rng.choice(actors)) for _ in range(2_000)]
    worker = [moment(max(0, r.start_ms + rng.randint(-1_500, 1_500)), code=r.code, actor=r.actor) for r in trainer]
    m = match(trainer, worker)
    assert 1_000 < m.overall.matched <= 2_000
    assert grid_kappa(trainer, worker, 3_600_000).kappa > 0


# --- the grid ------------------------------------------------------------------------------


def test_cells_of_a_span_a_point_and_nothing():
    # 500 ms cells on 3 s: a span [0, 1_000) covers cells 0 and 1; a point at 2_250 covers cell 4.
    assert grid_labels([initiative(0, 1_000), reception(2_250)], 3_000) == [
        f"{INITIATIVE}/client",
        f"{INITIATIVE}/client",
        NONE_LABEL,
        NONE_LABEL,
        f"{RECEPTION}/worker",
        NONE_LABEL,
    ]


def test_a_span_covers_every_cell_it_overlaps():
    assert grid_labels([initiative(400, 600)], 1_500) == [f"{INITIATIVE}/client"] * 2 + [NONE_LABEL]


def test_the_moment_that_started_last_labels_the_cell():
    story = [initiative(0, 3_000), reception(1_000)]
    assert grid_labels(story, 3_000, grid_ms=1_000) == [f"{INITIATIVE}/client", f"{RECEPTION}/worker", f"{INITIATIVE}/client"]
    # Started together: the later one in the list.
    assert grid_labels([initiative(0, 1_000), reception(0, 1_000)], 1_000, grid_ms=1_000) == [f"{RECEPTION}/worker"]


def test_moments_outside_the_clip_are_cut_off_and_the_last_cell_may_be_short():
    labels = grid_labels([initiative(-500, 500), reception(1_100, 5_000), initiative(1_200)], 1_200, grid_ms=500)
    assert labels == [f"{INITIATIVE}/client", NONE_LABEL, f"{RECEPTION}/worker"]


def test_bad_grid_or_duration_raises():
    with pytest.raises(ValueError, match="grid_ms"):
        grid_kappa([], [], 1_000, grid_ms=0)
    with pytest.raises(ValueError, match="duration_ms"):
        grid_kappa([], [], 0)


# --- Cohen's kappa -------------------------------------------------------------------------


def test_kappa_of_a_two_by_two_table_by_hand():
    # 10 cells of 1 s. Trainer: initiative in cells 0-5. Worker: cells 0-3 and 8-9.
    #                 worker: initiative  none
    # trainer: initiative       4          2
    #          none             2          2
    # observed = 6/10; expected = 0.6*0.6 + 0.4*0.4 = 0.52; kappa = 0.08 / 0.48 = 1/6
    g = grid_kappa([initiative(0, 6_000)], [initiative(0, 4_000), initiative(8_000, 10_000)], 10_000, grid_ms=1_000)
    assert g.labels == (NONE_LABEL, f"{INITIATIVE}/client")
    assert g.confusion == ((2, 2), (2, 4))
    assert g.observed == pytest.approx(0.6)
    assert g.expected == pytest.approx(0.52)
    assert g.kappa == pytest.approx(1 / 6)
    assert g.as_dict()["kappa"] == 0.167


def test_identical_codings_have_kappa_one():
    story = [initiative(0, 2_000), reception(2_500), initiative(4_000, 6_000, actor="other")]
    g = grid_kappa(story, story, 8_000)
    assert (g.observed, g.kappa) == (1.0, 1.0)


def test_two_empty_codings_agree_fully_though_chance_explains_it_all():
    g = grid_kappa([], [], 5_000)
    assert (g.observed, g.expected, g.kappa) == (1.0, 1.0, 1.0)
    assert g.labels == (NONE_LABEL,) and g.confusion == ((10,),)


def test_the_same_label_all_through_on_both_sides_is_full_agreement():
    assert grid_kappa([initiative(0, 5_000)], [initiative(0, 2_000), initiative(2_000, 5_000)], 5_000).kappa == 1.0


def test_an_empty_attempt_against_a_coded_clip_has_kappa_zero():
    g = grid_kappa([initiative(0, 2_000)], [], 5_000)
    assert (g.observed, g.kappa) == (0.6, 0.0)


@pytest.mark.parametrize("seed", range(8))
def test_kappa_agrees_with_sklearn(seed):
    rng = random.Random(seed)
    duration = 120_000

    def coding():
        moments = []
        for _ in range(rng.randint(5, 40)):
            start = rng.randrange(-1_000, duration)
            end = None if rng.random() < 0.3 else start + rng.randint(0, 8_000)
            moments.append(moment(start, end, code=rng.choice(["a", "b", "c"]), actor=rng.choice(["client", "worker"])))
        return moments

    trainer, worker = coding(), coding()
    g = grid_kappa(trainer, worker, duration, grid_ms=rng.choice([250, 500, 1_000]))
    assert list(g.reference_cells) == grid_labels(trainer, duration, g.grid_ms)
    assert g.kappa == pytest.approx(cohen_kappa_score(g.reference_cells, g.attempt_cells))
    assert sum(map(sum, g.confusion)) == len(g.reference_cells) == -(-duration // g.grid_ms)


# --- plain words ---------------------------------------------------------------------------


def test_remarks_say_what_was_found_and_what_was_extra_per_code():
    trainer = [initiative(t) for t in range(0, 90_000, 10_000)] + [reception(5_000)]
    worker = [initiative(t + 300) for t in range(0, 70_000, 10_000)] + [
        initiative(95_000),
        moment(1_000, code="bc.aandacht", actor="worker"),
    ]
    said = remarks(match(trainer, worker).by_code)
    assert said == [
        Remark("extra", "bc.aandacht", None, 1, 0),
        Remark("found_some", INITIATIVE, None, 7, 9),
        Remark("extra", INITIATIVE, None, 1, 0),
        Remark("found_none", RECEPTION, None, 0, 1),
    ]
    assert said[1].in_english() == f"You found 7 of the 9 {INITIATIVE} moments the trainer marked."


def test_remark_when_everything_was_found_and_per_actor():
    said = remarks(match([initiative(0), reception(1_000)], [initiative(0), reception(1_000)]).by_code_and_actor)
    assert said == [Remark("found_all", INITIATIVE, "client", 1, 1), Remark("found_all", RECEPTION, "worker", 1, 1)]
    assert said[0].in_english() == f"You found all 1 {INITIATIVE} moments the trainer marked."


def test_remarks_leave_out_the_overall_tally():
    assert remarks([match([initiative(0)], []).overall]) == []


@pytest.mark.parametrize(
    "kappa, band",
    [
        (-0.3, "poor"),
        (-0.004, "slight"),  # shown as 0.00: no worse than chance
        (0.0, "slight"),
        (0.2, "slight"),
        (0.204, "slight"),  # shown as 0.20
        (0.21, "fair"),
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost_perfect"),
        (1.0, "almost_perfect"),
    ],
)
def test_kappa_strength_names_landis_and_kochs_band_of_the_kappa_as_shown(kappa, band):
    assert kappa_strength(kappa) == band
