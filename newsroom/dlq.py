"""``newsroom dlq``: see what a topic's DLQ holds, and send it back once the cause is fixed."""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated

import typer

from newsroom.terminal import fail, used_settings
from services.settings import Settings

dlq_app = typer.Typer(
    help="A topic's dead-letter queue: show its records, replay them to the topic.",
    no_args_is_help=True,
)

TOPIC_HELP = (
    "reports.submitted, reports.submitted.large, reports.received, stories.reviewed or "
    "stories.published (or its .dlq)"
)
MAX_SHOW = 1000
MAX_REPLAY = 100_000
PROGRESS_SECONDS = 2.0


def _settings() -> Settings:
    settings = used_settings()
    # kafka-python logs every refused connection; the command says once what failed.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    return settings


def _cell(text: str | None, width: int) -> str:
    text = (text or "-").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _detail(detail: str, replayed_from: str | None) -> str:
    return f"(again, replayed from {replayed_from}) {detail}" if replayed_from else detail


@dlq_app.command("show")
def show(
    topic: Annotated[str, typer.Argument(help=TOPIC_HELP)],
    limit: Annotated[
        int, typer.Option(help=f"Records to list (1-{MAX_SHOW})", min=1, max=MAX_SHOW)
    ] = 20,
    start: Annotated[
        int, typer.Option("--from", help="First DLQ offset to list", min=0, max=2**62)
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line")] = False,
) -> None:
    """List a DLQ's records, oldest first: offset, time, reason, detail, key, event type
    and id (when the value is an event), size, and whether replay already sent it."""
    from services.bus.dlq import DeadLetters, DlqError, logical_topic

    settings = _settings()
    letters = None
    try:
        letters = DeadLetters(settings, logical_topic(topic))
        shown = 0
        last = None
        more = False
        for letter in letters.read(start):
            if shown == limit:
                more = True
                break
            if shown == 0 and not as_json:
                typer.echo(
                    f"{'offset':>7}  {'at (UTC)':<19}  {'reason':<18} {'event type':<30} "
                    f"{'key':<36} {'size':>7}  replayed  detail"
                )
            replayed = letters.replayed(letter)
            detail = _detail(letter.detail, letter.replayed_from)
            if as_json:
                typer.echo(json.dumps({**letter.summary(), "replayed": replayed}))
            else:
                typer.echo(
                    f"{letter.offset:>7}  {letter.at.strftime('%Y-%m-%d %H:%M:%S'):<19}  "
                    f"{_cell(letter.reason, 18):<18} {_cell(letter.event_type, 30):<30} "
                    f"{_cell(letter.key, 36):<36} {letter.size:>7}  "
                    f"{'yes' if replayed else 'no':<8}  {_cell(detail, 80)}"
                )
            shown += 1
            last = letter.offset
        summary = f"{shown} record(s) of {letters.dlq} from offset {start}"
        if more and last is not None:
            summary += f"; more after: --from {last + 1}"
        typer.echo(summary, err=True)
    except DlqError as exc:
        fail(str(exc), exc.exit_code)
    finally:
        if letters is not None:
            letters.close()


@dlq_app.command("replay")
def replay(
    topic: Annotated[str, typer.Argument(help=TOPIC_HELP)],
    reason: Annotated[
        str | None, typer.Option(help="Only the records refused for this reason (dlq.reason)")
    ] = None,
    limit: Annotated[
        int, typer.Option(help=f"At most this many records (1-{MAX_REPLAY})", min=1, max=MAX_REPLAY)
    ] = 1000,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be sent; send and record nothing")
    ] = False,
) -> None:
    """Send a DLQ's records back to their topic (original key and headers, in DLQ order),
    each once: what was sent is recorded once the broker acknowledged it. A record that
    fails again goes back to the DLQ as a new record."""
    from services.bus import EventProducer, TopicAdmin
    from services.bus.dlq import (
        DeadLetters,
        DlqError,
        ReplayResult,
        check_reason,
        logical_topic,
    )

    settings = _settings()
    letters = None
    admin = TopicAdmin(settings)
    producer = EventProducer(settings, "/newsroom/dlq-replay", admin)

    shown_at = [time.monotonic()]

    def progress(result: ReplayResult) -> None:
        if time.monotonic() - shown_at[0] < PROGRESS_SECONDS:  # long work only
            return
        shown_at[0] = time.monotonic()
        typer.echo(
            f"  ... read {result.read}, {'would send' if dry_run else 'sent'} {result.sent} "
            f"(next offset {result.next_offset})",
            err=True,
        )

    name = ""
    try:
        letters = DeadLetters(settings, logical_topic(topic))
        name = letters.dlq
        result = letters.replay(
            producer,
            reason=check_reason(reason) if reason is not None else None,
            limit=limit,
            dry_run=dry_run,
            progress=progress,
        )
    except DlqError as exc:
        fail(str(exc), exc.exit_code)
    finally:
        if letters is not None:
            letters.close()
        producer.close()
        admin.close()
    target = name.removesuffix(".dlq")
    for letter in result.letters if dry_run else ():
        typer.echo(
            f"would send offset {letter.offset} ({letter.reason}, "
            f"{letter.event_type or 'not an event'}, key {letter.key or '-'})"
        )
    verb = "Would send" if dry_run else "Sent"
    typer.echo(
        f"{verb} {result.sent} record(s) from {name} to {target}; passed over: "
        f"{result.already} replayed before, {result.skipped_reason} of other reasons, "
        f"{result.unreplayable} kept truncated (not replayable)."
    )
    if result.more:
        typer.echo(f"Stopped at --limit {limit}; run again for the rest.")
