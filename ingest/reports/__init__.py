"""Reports: submission, idempotency, revisions, the reporter's timeline."""
