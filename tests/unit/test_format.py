from gui.core.format import human_bytes, human_duration, relative_time, short_id


def test_human_bytes():
    assert human_bytes(0) == "0 B"
    assert human_bytes(1023) == "1023 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(5 * 1024**3) == "5.0 GiB"
    assert human_bytes(None) == "n/a"


def test_relative_time_reads_like_the_cli():
    assert relative_time(1000, now=1001) == "just now"
    assert relative_time(1000, now=1000 + 59) == "59 seconds ago"
    assert relative_time(1000, now=1000 + 60) == "1 minute ago"
    assert relative_time(1000, now=1000 + 3 * 3600) == "3 hours ago"
    assert relative_time(2000, now=1000) == "just now"  # clock skew never shows negative times


def test_short_id():
    assert short_id("sha256:0123456789abcdef") == "0123456789ab"


def test_human_duration():
    assert human_duration(0.4) == "0 s"
    assert human_duration(42) == "42 s"
    assert human_duration(185) == "3 min 05 s"
    assert human_duration(3720) == "1 h 02 min"
