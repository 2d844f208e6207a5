"""Serves, on the port given, an app behind the services' own HTTP protocol and body
middleware whose body deadline is one second: the request never gets past the 408."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

from services.http.middleware import BodyLimitMiddleware
from services.http.serving import server_options
from services.settings import Settings


async def never_reached(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the body never arrives: the middleware answers 408")


def main() -> None:
    app = BodyLimitMiddleware(never_reached, limit=1 << 31, timeout=1.0)
    options = {**server_options(Settings(_env_file=None)), "lifespan": "off"}
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), **options)


if __name__ == "__main__":
    main()
