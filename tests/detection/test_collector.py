"""The cycle collector waits while a story is analysed (verify.detection.collector),
which is sound only while detection builds no reference cycles; and the collector is
always put back as it was.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify.detection import analyse_span, collector, detect_claims, detect_headline

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# In a child process of its own: the test process's other work would make cycles of its
# own while the collector is off. Detection loads there as it does here (compiled when
# the build matches the sources).
CYCLES = """
import gc, sys
from pathlib import Path
from verify.detection import analyse_span, detect_claims, detect_headline
from verify.detection.detector import analyse_story
paths = sorted(Path(sys.argv[1]).rglob("*.txt"))
bodies = [p.read_text(encoding="utf-8") for p in paths]
detect_claims(bodies[0])  # loads the modules and compiles the patterns first
analyse_story.cache_clear()
gc.collect()
gc.disable()
gc.set_debug(gc.DEBUG_SAVEALL)
for body in bodies:
    for claim in detect_claims(body):
        analyse_span(body, claim.start, claim.end)
    detect_headline(body.splitlines()[0])
analyse_story.cache_clear()
gc.collect()
print(len(bodies), len(gc.garbage))
print(sorted({type(o).__name__ for o in gc.garbage})[:20])
"""


def test_detection_builds_no_reference_cycles() -> None:
    child = subprocess.run(
        [sys.executable, "-c", CYCLES, str(FIXTURES)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    counts, kinds = child.stdout.splitlines()
    stories, garbage = map(int, counts.split())
    assert stories >= 50, child.stdout
    assert garbage == 0, f"detection left {garbage} objects in cycles: {kinds}"


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_back_after_an_analysis_and_after_one_that_fails() -> None:
    detect_claims("Police said the bridge was closed on Monday.")
    assert gc.isenabled()
    with pytest.raises(TypeError):
        detect_claims(None)  # type: ignore[arg-type]  # fails inside the analysis
    assert gc.isenabled()
    with pytest.raises(ValueError, match="not inside"):
        analyse_span("Short.", 0, 99)
    assert gc.isenabled()
    assert detect_headline("Minister denies bribery claims") is not None
    assert gc.isenabled()


def test_a_collector_switched_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        detect_claims("Officials said the dam may fail after heavy rain on Friday.")
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_resumes_when_the_last_analysis_ends() -> None:
    collector.pause()  # two threads' analyses overlapping
    collector.pause()
    assert not gc.isenabled()
    collector.resume()
    assert not gc.isenabled(), "resumed while another analysis was still running"
    collector.resume()
    assert gc.isenabled()
