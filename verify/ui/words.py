"""The reviewers' console's words and labels: source kinds and channels as the forms name
them, the keys that mark a status, and the notice each finished action leaves on the page."""

from __future__ import annotations

from services.contracts import ReviewStatus

KIND_LABELS = {
    "person": "Person",
    "organisation": "Organisation",
    "document": "Document",
    "media": "Media outlet",
    "social_post": "Social post",
    "anonymous": "Anonymous",
}
VIA_LABELS = {
    "interview": "Interview",
    "statement": "Statement",
    "press_conference": "Press conference",
    "post": "Post",
    "report": "Report",
    "document": "Document",
}
# What "How obtained" starts at for each kind of source (the reviewer can change it).
DEFAULT_VIA = {
    "person": "interview",
    "organisation": "statement",
    "document": "document",
    "media": "report",
    "social_post": "post",
    "anonymous": "interview",
}
STATUS_KEYS = (
    (ReviewStatus.VERIFIED, "v"),
    (ReviewStatus.CONTESTED, "c"),
    (ReviewStatus.UNVERIFIABLE, "u"),
    (ReviewStatus.FALSE, "f"),
    (ReviewStatus.NOT_A_CLAIM, "n"),
)
NOTICES = {
    "leased": "The claim is yours to review.",
    "leased-end": "No free claim is left in this story.",
    "reviewed-end": "Status saved. That was the last free claim of this story.",
    "none-free": "No claim is free to take: every waiting claim is held by a reviewer.",
    "released": "You gave the claim back to the queue.",
    "reviewed": "Status saved; the lease is given back. Here is the story's next free claim.",
    "added": "Attribution added.",
    "removed": "Attribution removed.",
    "applied": "Review applied: the earlier claim's status and attributions are this claim's now.",
    "kept": "Marked as not the same claim. It will not be offered for this claim again.",
}
