"""The HTTP edge shared by the services."""

from services.http.app import build_app
from services.http.deps import get_runtime, require
from services.http.problems import PROBLEM_JSON, ProblemResponse, problem_response

__all__ = [
    "PROBLEM_JSON",
    "ProblemResponse",
    "build_app",
    "get_runtime",
    "problem_response",
    "require",
]
