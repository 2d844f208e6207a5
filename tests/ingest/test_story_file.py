"""`newsroom submit`'s story file as reporters write them: saved by Windows editors (a
byte order mark, CRLF), in another encoding, with a headline left empty, too big."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.client import MAX_FILE_BYTES, ClientError, read_story

FRONT = "---\nheadline: Council votes to close the pool\nsection: local\n---\n"
BODY = "The council voted on Monday to close the pool, the mayor said.\n\nMore follows."


def story(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "story.md"
    path.write_bytes(data)
    return path


def test_a_byte_order_mark_and_crlf_read_as_the_plain_file(tmp_path: Path) -> None:
    plain = read_story(story(tmp_path, (FRONT + BODY).encode()), None, None)
    windows = (FRONT + BODY).replace("\n", "\r\n").encode("utf-8-sig")
    read = read_story(story(tmp_path, windows), None, None)
    assert read.payload == plain.payload
    assert read.payload["headline"] == "Council votes to close the pool"
    assert "\r" not in read.payload["body"]
    # The same story is the same report, however the editor saved it.
    assert read.idempotency_key == plain.idempotency_key


def test_a_file_not_in_utf8_is_named_as_such(tmp_path: Path) -> None:
    path = story(tmp_path, (FRONT + "Le café a fermé.").encode("latin-1"))
    with pytest.raises(ClientError, match=r"is not UTF-8 text \(byte 0xe9 .*save it as UTF-8"):
        read_story(path, None, None)


@pytest.mark.parametrize("line", ["headline:", "headline: ''", "headline: '  '"])
def test_an_empty_headline_is_refused_not_filed_as_none(tmp_path: Path, line: str) -> None:
    path = story(tmp_path, (FRONT.replace("headline: Council votes to close the pool", line)
                            + BODY).encode())  # fmt: skip
    with pytest.raises(ClientError, match=r"has no headline: add 'headline: \.\.\.'"):
        read_story(path, None, None)


def test_a_missing_section_is_named(tmp_path: Path) -> None:
    path = story(tmp_path, (FRONT.replace("section: local\n", "") + BODY).encode())
    with pytest.raises(ClientError, match="has no section"):
        read_story(path, None, None)


def test_three_dashes_in_a_headline_or_the_body_do_not_end_the_front_matter(
    tmp_path: Path,
) -> None:
    text = FRONT.replace("close the pool", "close the pool --- for now") + BODY + "\n---\nEnd."
    read = read_story(story(tmp_path, text.encode()), None, None)
    assert read.payload["headline"] == "Council votes to close the pool --- for now"
    assert read.payload["body"].endswith("More follows.\n---\nEnd.")


def test_a_file_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = story(tmp_path, (FRONT + "a" * (MAX_FILE_BYTES + 1)).encode())
    with pytest.raises(ClientError, match="a story file is at most"):
        read_story(path, None, None)


def test_a_missing_file_says_so_in_words(tmp_path: Path) -> None:
    with pytest.raises(ClientError, match=r"Cannot read .*: No such file or directory$"):
        read_story(tmp_path / "nowhere.md", None, None)


@pytest.mark.parametrize(
    ("line", "read_as"),
    [("headline: No", "bool False"), ("headline: 2026", "int 2026"), ("section: 1:30", "int 90")],
)
def test_a_value_yaml_reads_as_no_text_is_refused_not_filed_changed(
    tmp_path: Path, line: str, read_as: str
) -> None:
    name = line.split(":")[0]
    original = (
        "headline: Council votes to close the pool" if name == "headline" else "section: local"
    )
    path = story(tmp_path, (FRONT.replace(original, line) + BODY).encode())
    with pytest.raises(
        ClientError, match=rf"gives {name} as {read_as}, not text: put the value in quotes"
    ):
        read_story(path, None, None)
    quoted = line.replace(": ", ': "', 1) + '"'
    read = read_story(
        story(tmp_path, (FRONT.replace(original, quoted) + BODY).encode()), None, None
    )
    assert read.payload[name] == line.split(": ", 1)[1]
