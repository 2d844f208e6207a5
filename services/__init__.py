"""Newsroom's shared core: settings, logging, errors, event contracts, the bus, the store,
auth and the HTTP edge. It never imports a service; the services import it.

Modules, each with one job:

- ``services.settings``   Settings (pydantic-settings, ``NEWSROOM_`` prefix)
- ``services.log``        structlog set-up and trace ids
- ``services.errors``     the error tree (HTTP problems and message errors)
- ``services.contracts``  CloudEvents envelope, event payloads, topics
- ``services.bus``        topic admin, producer, consumer loop with DLQ
- ``services.store``      mongoengine aliases, indexes, transactions
- ``services.auth``       users, roles, hashed tokens
- ``services.runtime``    store + bus + background workers of one service process
- ``services.http``       the FastAPI app, problem+json, health, role dependencies
"""

from services.settings import Settings

__all__ = ["Settings"]
