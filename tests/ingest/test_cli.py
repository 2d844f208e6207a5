"""`newsroom submit` and `newsroom report` against the running ingest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.servers import settings_env
from tests.support.stack import Stack

STORY = """---
headline: Water authority restricts use after dry spring
section: local
claims:
  - text: Reservoirs stand at 41 percent of capacity.
    sources: [the regional water authority]
---
Reservoirs stand at 41 percent of capacity. Hosepipe use is banned from Friday,
according to the regional water authority.
"""


def newsroom(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **settings_env(stack.settings), "NEWSROOM_TOKEN": stack.tokens["reporter"]}
    return subprocess.run(
        [sys.executable, "-m", "newsroom", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_submit_a_markdown_file_and_follow_the_report(stack: Stack, tmp_path: Path) -> None:
    story = tmp_path / "water.md"
    story.write_text(STORY)
    first = newsroom(stack, "submit", str(story))
    assert first.returncode == 0, first.stderr
    assert "Accepted: report r_" in first.stdout
    report_id = first.stdout.split("report ")[1].split()[0]

    # Submitting the same file again is a retry, not a second report.
    again = newsroom(stack, "submit", str(story))
    assert f"report {report_id}" in again.stdout

    shown = newsroom(stack, "report", report_id)
    assert shown.returncode == 0, shown.stderr
    assert "Water authority restricts use" in shown.stdout
    assert "accepted" in shown.stdout


def test_submit_explains_what_is_wrong(stack: Stack, tmp_path: Path) -> None:
    story = tmp_path / "bad.md"
    story.write_text(STORY.replace("section: local", "section: gossip"))
    result = newsroom(stack, "submit", str(story))
    assert result.returncode == 1
    assert "Unknown section 'gossip'" in result.stderr
    plain = tmp_path / "plain.md"
    plain.write_text("No front matter here.")
    assert "no front matter" in newsroom(stack, "submit", str(plain)).stderr


def test_submit_says_the_storys_language_by_option_or_front_matter(
    stack: Stack, tmp_path: Path
) -> None:
    story = tmp_path / "water.md"
    story.write_text(STORY.replace("section: local", "section: local\nlanguage: fr"))
    by_file = newsroom(stack, "submit", str(story))
    assert by_file.returncode == 0, by_file.stderr
    shown = newsroom(stack, "report", by_file.stdout.split("report ")[1].split()[0])
    assert "[local, fr]" in shown.stdout
    by_option = newsroom(stack, "submit", str(story), "--language", "PT-br")  # wins
    assert by_option.returncode == 0, by_option.stderr
    shown = newsroom(stack, "report", by_option.stdout.split("report ")[1].split()[0])
    assert "[local, pt-BR]" in shown.stdout
    refused = newsroom(stack, "submit", str(story), "--language", "en_US")
    assert refused.returncode == 1
    assert "language" in refused.stderr


def test_a_refused_field_is_named_as_the_reporter_wrote_it(stack: Stack, tmp_path: Path) -> None:
    """The problem's ``loc`` starts with "body" (the request's): the CLI names the field,
    so a bad story body reads "body: ...", not "body.body: ..."."""
    story = tmp_path / "bell.md"
    story.write_text(STORY.replace("Hosepipe use", "Hosepipe \a use"))
    result = newsroom(stack, "submit", str(story))
    assert result.returncode == 1
    assert "  - body: control characters are not allowed" in result.stderr, result.stderr
    assert "body.body" not in result.stderr
    assert "Traceback" not in result.stderr
