"""Metric history: bounded rings, 1 s points for 15 minutes, 10 s means up to an hour, gaps, copies."""

from __future__ import annotations

import math
import sys
from array import array
from itertools import pairwise

import pytest

from gui.core.monitor import timeseries
from gui.core.monitor.keys import HOST, ContainerKey, GpuKey
from gui.core.monitor.timeseries import BASE_BLOCK, COARSE_POINTS, FINE_POINTS, WINDOWS, Series, SeriesBook

T0 = 1_700_000_000.0  # a round epoch time: 10 s spans start on multiples of 10


def filled(seconds: int, start: float = T0, value=lambda i: float(i)) -> Series:
    series = Series()
    for i in range(seconds):
        series.append(start + i, value(i))
    return series


def test_the_charts_offer_four_windows_from_a_minute_to_an_hour():
    assert WINDOWS == {"1 min": 60, "5 min": 300, "15 min": 900, "60 min": 3600}


def test_empty_series():
    series = Series()
    times, values = series.window(60, now=T0)
    assert len(times) == 0 and len(values) == 0
    assert series.last() is None
    assert series.recent(60) == []
    assert series.last_time is None


def test_one_minute_window_holds_the_last_sixty_one_second_points():
    series = filled(120)
    now = T0 + 119
    times, values = series.window(60, now=now)
    # Points at now-60 ... now, both ends included
    assert times[0] == now - 60 and times[-1] == now
    assert values.tolist() == [float(i) for i in range(59, 120)]
    assert series.last() == 119.0


def test_window_ignores_points_after_now():
    series = filled(100)
    times, values = series.window(10, now=T0 + 50)
    assert times[-1] == T0 + 50
    assert values.tolist() == [float(i) for i in range(40, 51)]


def test_samples_within_one_second_become_their_mean():
    series = Series()
    series.append(T0 + 0.1, 10.0)
    series.append(T0 + 0.6, 20.0)
    series.append(T0 + 1.1, 5.0)
    times, values = series.window(10, now=T0 + 2)
    assert times.tolist() == pytest.approx([T0 + 0.1, T0 + 1.1], abs=0.004)  # single precision
    assert values.tolist() == [15.0, 5.0]


def test_none_is_a_gap_kept_as_nan():
    series = Series()
    series.append(T0, 1.0)
    series.append(T0 + 1, None)
    series.append(T0 + 2, 3.0)
    _, values = series.window(60, now=T0 + 2)
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == 3.0
    assert series.last() == 3.0
    series.append(T0 + 3, None)
    assert series.last() is None  # the newest point is a gap


def test_a_gap_and_a_value_in_the_same_second_keep_the_value():
    series = Series()
    series.append(T0 + 0.2, None)
    series.append(T0 + 0.7, 4.0)
    assert series.window(5, now=T0 + 1)[1].tolist() == [4.0]


def test_a_gap_after_a_value_in_the_same_second_still_breaks_the_line():
    series = Series()
    series.append(T0 + 0.2, 4.0)
    series.append(T0 + 0.7, None)  # the container stopped just after its last sample
    times, values = series.window(5, now=T0 + 1)
    assert times.tolist() == pytest.approx([T0 + 0.2, T0 + 0.7], abs=0.004)
    assert values[0] == 4.0 and math.isnan(values[1])
    assert series.last() is None


def test_fine_ring_is_bounded_to_fifteen_minutes_of_points():
    series = filled(FINE_POINTS + 500)
    now = T0 + FINE_POINTS + 499
    times, values = series.window(900, now=now)
    assert len(times) == FINE_POINTS  # the window starts one second before the oldest point held
    assert values[-1] == FINE_POINTS + 499
    assert series._fine.size == FINE_POINTS
    assert len(series._fine.times) == FINE_POINTS


def test_sixty_minutes_splices_ten_second_means_before_the_fine_points():
    series = filled(3600)
    now = T0 + 3599
    times, values = series.window(3600, now=now)
    fine_start = now - FINE_POINTS + 1  # the oldest 1 s point still held
    coarse = [value for t, value in zip(times, values) if t < fine_start]
    fine = [value for t, value in zip(times, values) if t >= fine_start]
    # 10 s means from the start of the hour up to the fine points: 2700 s -> 270 means
    assert len(coarse) == 270
    assert all(earlier < later for earlier, later in pairwise(times))
    # First span: samples 0..9 at T0..T0+9: mean time T0+4.5, mean value 4.5
    assert times[0] == pytest.approx(T0 + 4.5) and values[0] == pytest.approx(4.5)
    assert coarse[-1] == pytest.approx(sum(range(2690, 2700)) / 10)
    # Then the 1 s points unchanged
    assert fine == [float(i) for i in range(2700, 3600)]


def test_coarse_ring_is_bounded_to_an_hour():
    series = filled(3 * 3600, value=lambda i: 1.0)
    assert series._coarse.size == COARSE_POINTS
    times, _ = series.window(3 * 3600, now=T0 + 3 * 3600)
    assert times[0] >= T0 + 3 * 3600 - 3600 - timeseries.COARSE_STEP
    assert len(series) == FINE_POINTS + COARSE_POINTS


def test_coarse_mean_skips_gaps_and_a_span_of_only_gaps_is_nan():
    series = Series()
    for i in range(10):
        series.append(T0 + i, None if i % 2 else 2.0)
    for i in range(10, 20):
        series.append(T0 + i, None)
    series.append(T0 + 20, 1.0)  # closes the second span
    for i in range(21, 1000):
        series.append(T0 + i, 1.0)
    _, coarse_values = series._coarse.between(-math.inf, math.inf)
    assert coarse_values[0] == 2.0
    assert math.isnan(coarse_values[1])


def test_long_pause_breaks_the_coarse_line():
    series = Series()
    for i in range(600):
        series.append(T0 + i, 1.0)
    for i in range(600):  # 20 minutes later
        series.append(T0 + 1800 + i, 2.0)
    for i in range(900):
        series.append(T0 + 2400 + i, 3.0)
    times, values = series.window(3600, now=T0 + 3299)
    coarse = [value for t, value in zip(times, values) if t < T0 + 2400]
    assert sum(math.isnan(value) for value in coarse) == 1
    nan_at = next(i for i, value in enumerate(values) if math.isnan(value))
    assert times[nan_at - 1] < T0 + 600 and times[nan_at + 1] >= T0 + 1800


def overwrite(values: array, value: float) -> None:
    values[:] = array("d", [value]) * len(values)


def test_window_returns_copies_that_recording_does_not_change():
    series = filled(100)
    times, values = series.window(60, now=T0 + 99)
    assert isinstance(times, array) and isinstance(values, array) and values.typecode == times.typecode == "d"
    saved = values.tolist()
    for i in range(100, 2000):
        series.append(T0 + i, -1.0)
    assert values.tolist() == saved
    overwrite(times, 0.0)  # a chart may do what it likes with its arrays
    overwrite(values, 0.0)
    assert series.window(1, now=T0 + 1999) == (array("d", [T0 + 1998, T0 + 1999]), array("d", [-1.0, -1.0]))


def test_short_history_window_returns_copies_too():
    series = filled(5)
    times, values = series.window(60, now=T0 + 4)
    overwrite(times, 99.0)
    overwrite(values, 99.0)
    assert series.window(60, now=T0 + 4) == (array("d", [T0 + i for i in range(5)]), array("d", [0, 1, 2, 3, 4]))


def test_an_hour_window_returns_copies_too():
    series = filled(3600)
    times, values = series.window(3600, now=T0 + 3599)
    overwrite(times, 99.0)
    overwrite(values, 99.0)
    assert series.window(3600, now=T0 + 3599)[1][-1] == 3599.0
    assert series.window(3600, now=T0 + 3599)[1][0] == pytest.approx(4.5)


def test_recent_values_for_sparklines():
    series = filled(2000)
    assert series.recent(3) == [1997.0, 1998.0, 1999.0]
    assert len(series.recent(60)) == 60
    assert filled(2).recent(60) == [0.0, 1.0]
    assert series.recent(0) == []


def test_clock_a_little_back_joins_the_last_point():
    series = filled(10)
    series.append(T0 + 8.5, 100.0)
    times, values = series.window(60, now=T0 + 20)
    assert len(times) == 10
    assert values[-1] == pytest.approx((9.0 + 100.0) / 2)


def test_clock_far_back_starts_afresh():
    series = filled(10)
    series.append(T0 - 3600, 5.0)
    assert series.window(60, now=T0 - 3600)[1].tolist() == [5.0]
    assert series.window(60, now=T0 + 10)[1].tolist() == []


def test_book_records_several_metrics_per_key():
    book = SeriesBook()
    book.record(HOST, T0, {"cpu": 10.0, "memory_percent": 50.0})
    book.record(HOST, T0 + 1, {"cpu": 20.0, "memory_percent": None})
    assert book.series(HOST, "cpu").last() == 20.0
    assert book.series(HOST, "memory_percent").last() is None
    assert book.keys() == [HOST]
    assert sorted(book.metrics(HOST)) == ["cpu", "memory_percent"]
    assert book.last_time == T0 + 1
    assert book.get(HOST, "swap") is None and book.get(GpuKey(0), "util") is None
    assert GpuKey(0) not in book


def test_book_forgets_a_key():
    book = SeriesBook()
    book.record(ContainerKey("a"), T0, {"cpu": 1.0})
    book.record(ContainerKey("b"), T0, {"cpu": 1.0})
    book.forget(ContainerKey("a"))
    book.forget(ContainerKey("missing"))
    assert book.keys() == [ContainerKey("b")]
    for key in book:  # iterating a copy of the keys: forgetting on the way is fine
        book.forget(key)
    assert book.keys() == []


def test_book_drops_keys_not_updated_for_an_hour():
    book = SeriesBook()
    book.record(ContainerKey("gone"), T0, {"cpu": 1.0})
    for i in range(0, 3700, 5):
        book.record(HOST, T0 + i, {"cpu": 1.0})
    assert book.keys() == [HOST]


def test_book_series_asked_for_but_never_fed_are_dropped_too():
    book = SeriesBook()
    book.record(HOST, T0, {"cpu": 1.0})
    assert len(book.series(ContainerKey("x"), "cpu")) == 0
    for i in range(0, 3700, 5):
        book.record(HOST, T0 + i, {"cpu": 1.0})
    assert ContainerKey("x") not in book


def allocated(*rings) -> int:
    """Bytes of floats the rings' arrays hold room for."""
    arrays = [column for ring in rings for column in (ring.times, ring.values)]
    return sum(sys.getsizeof(column) - sys.getsizeof(array(column.typecode)) for column in arrays)


FIXED_BYTES = (FINE_POINTS + COARSE_POINTS) * 8  # a time and a value, 4 bytes each, for every point the rings hold


def test_memory_per_series_is_fixed_from_the_first_point():
    """The app's memory stays flat while the history fills: nothing is allocated after the first point."""
    assert allocated(filled(1)._fine, filled(1)._coarse) == FIXED_BYTES
    assert allocated(filled(60)._fine, filled(60)._coarse) == FIXED_BYTES
    series = filled(3 * 3600)
    assert allocated(series._fine, series._coarse) == FIXED_BYTES


def test_times_and_values_keep_what_a_chart_shows():
    """Single precision: times within 4 ms, values within 7 significant digits."""
    start = T0 + 0.123456
    series = filled(10, start=start, value=lambda i: 123_456_789.0 + i)
    times, values = series.window(60, now=start + 9)
    assert times.tolist() == pytest.approx([start + i for i in range(10)], abs=0.004)
    assert values.tolist() == pytest.approx([123_456_789.0 + i for i in range(10)], rel=1e-7)
    assert series.last() == pytest.approx(123_456_798.0, rel=1e-7)


def test_times_keep_their_precision_across_days():
    """The base follows the newest point, so a series fed for days is as precise as a new one."""
    start = T0 + 0.25
    series = Series()
    for i in range(0, 3 * 86_400, 7):
        series.append(start + i + 0.5, 1.0)
    last = start + (3 * 86_400 - 1) // 7 * 7 + 0.5
    times, _values = series.window(60, now=last)
    assert times[-1] == pytest.approx(last, abs=0.004)
    assert [b - a for a, b in pairwise(times)] == pytest.approx([7.0] * (len(times) - 1), abs=0.008)


def test_points_on_both_sides_of_a_base_block_stay_in_order_and_place():
    boundary = (T0 // BASE_BLOCK + 1) * BASE_BLOCK
    series = filled(200, start=boundary - 100.3)
    times, values = series.window(300, now=boundary + 100)
    assert times.tolist() == pytest.approx([boundary - 100.3 + i for i in range(200)], abs=0.004)
    assert values.tolist() == [float(i) for i in range(200)]
    assert all(a < b for a, b in pairwise(times))


def test_two_series_given_the_same_time_return_the_same_time():
    """The GPU timeline finds an owner's points on the total's times by equality."""
    total = filled(100, start=T0 + 0.377)
    owner = Series()
    for i in range(40, 100):
        owner.append(T0 + 0.377 + i, 5.0)
    total_times, _ = total.window(60, now=T0 + 100)
    owner_times, _ = owner.window(60, now=T0 + 100)
    assert owner_times.tolist() == total_times.tolist()


def test_clock_set_forward_by_hours_keeps_the_old_points():
    series = filled(10)
    series.append(T0 + 5 * 3600, 7.0)
    times, values = series.window(6 * 3600, now=T0 + 5 * 3600)
    assert values.tolist()[-1] == 7.0
    assert times.tolist()[:10] == pytest.approx([T0 + i for i in range(10)], abs=0.01)
