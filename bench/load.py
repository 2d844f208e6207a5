"""Closed-loop load with wrk: a fixed number of connections, each sending as soon as the
last answer came. Every run is a separate wrk process over loopback; its Lua ``done()``
prints one JSON line that is parsed here (counts, and latency percentiles in µs).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"mean":%f,"max":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    latency.max))
end
"""

# POST a body from a file with a bearer token taken in turn from a file (one a line), and
# an Idempotency-Key new for every request: a random prefix per thread and a counter.
POST = """
local tokens = {}
for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
local f = assert(io.open("%(body)s", "rb")); local body = f:read("*a"); f:close()
local counter = 0
local prefix = ""
local auth = %(auth)s

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  prefix = string.format("%%08x%%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function request()
  counter = counter + 1
  local headers = {["Content-Type"] = "application/json",
                   ["Idempotency-Key"] = prefix .. "-" .. counter}
  if auth then headers["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1] end
  return wrk.format("POST", "%(path)s", headers, body)
end
"""


@dataclass(frozen=True)
class Result:
    command: str
    requests: int
    seconds: float
    failed: int  # non-2xx/3xx answers and socket errors
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @property
    def ok_per_second(self) -> float:
        return (self.requests - self.failed) / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed: `apt-get install -y wrk` (make bench does it)")
    return found


def post_script(workdir: Path, name: str, path: str, body: bytes, tokens: list[str]) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    body_file = workdir / f"{name}.body.json"
    body_file.write_bytes(body)
    tokens_file = workdir / f"{name}.tokens"
    tokens_file.write_text("".join(f"{t}\n" for t in tokens) or "none\n")
    script = workdir / f"{name}.lua"
    values = {
        "tokens": tokens_file,
        "body": body_file,
        "auth": "true" if tokens else "false",
        "path": path,
    }
    script.write_text(POST % values + DONE)
    return script


def done_script(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "done.lua"
    script.write_text(DONE)
    return script


def wrk(
    url: str,
    connections: int,
    seconds: float,
    script: Path,
    headers: dict[str, str] | None = None,
) -> Result:
    argv = [
        wrk_binary(),
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    failed = sum(data[k] for k in ("status_errors", "connect", "read", "write", "timeout"))
    shown = [a if not a.startswith(("Authorization", "If-None-Match")) else a.split(":")[0] + ": …"
             for a in argv[1:]]  # fmt: skip
    return Result(
        command="wrk " + " ".join(shlex.quote(a) for a in shown),
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        failed=failed,
        p50_ms=data["p50"] / 1000,
        p90_ms=data["p90"] / 1000,
        p99_ms=data["p99"] / 1000,
        mean_ms=data["mean"] / 1000,
        max_ms=data["max"] / 1000,
    )
