"""A story with its claims and their audit, in one package.

records (typed, pure) -> documents + repository (the store) -> unit_of_work (the
transactions) -> one module per use case: intake (a report arrives), review (one claim's
rules), restructure (add, split, merge), snapshot (what publish and ingest are sent) ->
routes + schemas (HTTP). The Kafka handler is ``verify/consumer.py``.
"""
