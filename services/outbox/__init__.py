"""One outbox for every service: rows kept on the owner's documents, one worker to send them."""

from services.outbox.rows import DUE, INDEX, OutboxRows, due_now, new_row
from services.outbox.worker import OutboxWorker, Rendered, Source, render_each

__all__ = [
    "DUE",
    "INDEX",
    "OutboxRows",
    "OutboxWorker",
    "Rendered",
    "Source",
    "due_now",
    "new_row",
    "render_each",
]
