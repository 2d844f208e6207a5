"""The verify service's app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.http import build_app
from services.runtime import Runtime
from services.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, "verify")
    return build_app(runtime, title="Newsroom verify", description="The verify service.")
