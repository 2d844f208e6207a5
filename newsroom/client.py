"""What `newsroom submit` and `newsroom report` do over ingest's HTTP API."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml


class ClientError(RuntimeError):
    """The API refused, or a file could not be read; the message says why in words."""


# A story file's front matter: a first line of `---`, YAML, then a line of `---` alone (a
# `---` inside a headline or a later horizontal rule in the body does not end it).
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*(?:\n|\Z)(.*)\Z", re.S | re.M)
# The largest story file read: ingest's largest body is 256 KiB (NEWSROOM_MAX_BODY_BYTES at
# most), and front matter and declared claims add to it.
MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StoryFile:
    payload: dict[str, Any]
    idempotency_key: str


def read_story(
    path: Path,
    story_id: str | None,
    publish_when_cleared: bool | None,
    language: str | None = None,
    revises: int | None = None,
) -> StoryFile:
    """A Markdown file with YAML front matter (headline, section, optional claims,
    story_id, publish_when_cleared, language) between `---` lines, then the body. An
    option given (``story_id``, ``publish_when_cleared``, ``language``) wins over the
    file's."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ClientError(
                f"{path} is {size} bytes; a story file is at most {MAX_FILE_BYTES} bytes "
                "(ingest takes a body of at most 256 KiB). Is it the right file?"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ClientError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        # utf-8-sig: a byte order mark (Notepad writes one) is not part of the story.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClientError(
            f"{path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}): "
            "save it as UTF-8 and submit it again."
        ) from exc
    # Windows (CRLF) and old Mac (CR) line endings read as one newline each.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ClientError(
            f"{path} has no front matter: start it with a '---' line, then "
            "'headline: ...' and 'section: ...', then a '---' line and the body."
        )
    front, body = match.group(1), match.group(2)
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        raise ClientError(f"The front matter of {path} is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ClientError(f"The front matter of {path} must be 'key: value' lines.")
    known = {"headline", "section", "claims", "story_id", "publish_when_cleared", "language"}
    unknown = set(meta) - known
    if unknown:
        raise ClientError(f"Unknown front matter in {path}: {', '.join(sorted(unknown))}.")
    for name in ("headline", "section"):
        if meta.get(name) is None or not str(meta[name]).strip():
            # Not str(None): an empty `headline:` would be filed as the headline "None".
            raise ClientError(f"The front matter of {path} has no {name}: add '{name}: ...'.")
    for name in ("headline", "section", "story_id", "language"):
        value = meta.get(name)
        if value is not None and not isinstance(value, str):
            # YAML reads `headline: No` as false, `2026` as a number, `1:30` as 90: filed
            # as written they would be "False", "2026" or "90". Quoting keeps the text.
            raise ClientError(
                f"The front matter of {path} gives {name} as {type(value).__name__} "
                f'{value!r}, not text: put the value in quotes ({name}: "...").'
            )
    payload: dict[str, Any] = {
        "headline": str(meta["headline"]),
        "section": str(meta["section"]),
        "body": body.strip("\n"),
        "claims": meta.get("claims") or [],
    }
    story = story_id or meta.get("story_id")
    if story:
        payload["story_id"] = str(story)
    pwc = (
        publish_when_cleared
        if publish_when_cleared is not None
        else meta.get("publish_when_cleared")
    )
    if pwc is not None:
        payload["publish_when_cleared"] = bool(pwc)
    tag = language or meta.get("language")
    if tag:
        # As written: ingest checks the tag and says what is wrong with it.
        payload["language"] = str(tag)
    if revises is not None:
        payload["revises"] = revises
    # The same file submitted twice is the same report: a retry can never queue it twice.
    key = hashlib.sha256(repr(sorted(payload.items())).encode()).hexdigest()[:48]
    return StoryFile(payload, key)


def _problem(response: httpx.Response) -> ClientError:
    """The API's refusal in words, with the URL that refused."""
    where = f"{response.request.method} {response.request.url}"
    try:
        problem = response.json()
    except ValueError:
        return ClientError(f"{where}: HTTP {response.status_code}: {response.text[:300]}")
    if not isinstance(problem, dict):
        return ClientError(f"{where}: HTTP {response.status_code}: {response.text[:300]}")
    title, detail = problem.get("title", "Error"), problem.get("detail", "")
    lines = [f"{where}: {title} (HTTP {response.status_code}): {detail}"]
    for error in problem.get("errors", [])[:10]:
        loc = [str(part) for part in error.get("loc", [])]
        if loc[:1] == ["body"] and len(loc) > 1:
            loc = loc[1:]  # "body" is where in the request; the field is what follows
        lines.append(f"  - {'.'.join(loc)}: {error.get('msg')}")
    if response.headers.get("retry-after"):
        lines.append(f"  Retry after {response.headers['retry-after']} s.")
    return ClientError("\n".join(lines))


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def submit(url: str, token: str, story: StoryFile) -> dict[str, Any]:
    try:
        with _client(url, token) as client:
            response = client.post(
                "/v1/reports",
                json=story.payload,
                headers={"Idempotency-Key": story.idempotency_key},
            )
    except httpx.HTTPError as exc:
        raise ClientError(
            f"Cannot reach ingest at {url}/v1/reports: {exc}. Is it running "
            "(`.venv/bin/newsroom status`), and on that port?"
        ) from exc
    if response.status_code != 202:
        raise _problem(response)
    result: dict[str, Any] = response.json()
    return result


def report(url: str, token: str, report_id: str) -> dict[str, Any]:
    try:
        with _client(url, token) as client:
            response = client.get(f"/v1/reports/{report_id}")
    except httpx.HTTPError as exc:
        raise ClientError(
            f"Cannot reach ingest at {url}/v1/reports/{report_id}: {exc}. Is it running "
            "(`.venv/bin/newsroom status`), and on that port?"
        ) from exc
    if response.status_code != 200:
        raise _problem(response)
    result: dict[str, Any] = response.json()
    return result


def redeliver(url: str, token: str, subscription_id: str, delivery_id: str) -> dict[str, Any]:
    path = f"/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver"
    try:
        with _client(url, token) as client:
            response = client.post(path)
    except httpx.HTTPError as exc:
        raise ClientError(f"Cannot reach publish at {url}: {exc}") from exc
    if response.status_code != 202:
        raise _problem(response)
    result: dict[str, Any] = response.json()
    return result
