"""The compose file as Compose renders it (`docker-compose config`, as CI runs it): the
start-up is gated on readiness, the replica set is made by a one-shot job and the
services' users by another, the public URLs and secrets are required, only the gateway
is reachable from outside and only the gateway's forwarded headers are believed. And the
image's inputs: hashed pins, nothing local in the build context."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
REQUIRED = {
    "NEWSROOM_PUBLIC_INGEST_URL": "https://ingest.example.org",
    "NEWSROOM_PUBLIC_VERIFY_URL": "https://verify.example.org",
    "NEWSROOM_PUBLIC_PUBLISH_URL": "https://publish.example.org",
    "NEWSROOM_SERVICE_TOKEN": "nr_0123456789abcdef_" + "a" * 43,
    "NEWSROOM_WEBHOOK_MASTER_KEY": "placeholder",
    "NEWSROOM_SESSION_SECRET": "placeholder",
}
SERVICES = ("ingest", "verify", "publish")
LONG_RUNNING = (*SERVICES, "kafka", "mongo", "gateway")


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        raise AssertionError("docker-compose is missing: `make test` installs it (apt-get)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    return subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    rendered = compose_config(REQUIRED)
    assert rendered.returncode == 0, rendered.stderr
    loaded: dict[str, Any] = yaml.safe_load(rendered.stdout)
    return loaded


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_a_missing_public_url_or_secret_stops_compose_with_its_name(name: str) -> None:
    rendered = compose_config({k: v for k, v in REQUIRED.items() if k != name})
    assert rendered.returncode != 0
    assert f"set {name}" in rendered.stderr


def test_every_long_running_part_has_a_healthcheck_with_a_start_period(
    config: dict[str, Any],
) -> None:
    for name in LONG_RUNNING:
        check = config["services"][name].get("healthcheck", {})
        assert check.get("test"), name
        assert check.get("start_period"), name
    for name in SERVICES:
        assert "/readyz" in " ".join(config["services"][name]["healthcheck"]["test"])


def test_mongo_is_healthy_as_a_writable_primary_and_a_one_shot_job_makes_the_set(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    health = " ".join(services["mongo"]["healthcheck"]["test"])
    assert "isWritablePrimary" in health
    assert "initiate" not in health.lower()
    init = services["mongo-init"]
    assert init["restart"] == "no"
    assert init["depends_on"]["mongo"]["condition"] == "service_started"
    assert any("mongo-init.js" in part for part in init["command"])
    script = (DEPLOY / "mongo-init.js").read_text()
    assert "replSetInitiate" in script
    assert "isWritablePrimary" in script
    assert "deadline" in script


def test_the_services_start_only_after_the_store_broker_and_bootstrap(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    boot = services["bootstrap"]
    assert boot["entrypoint"] == ["newsroom", "bootstrap"]
    assert boot["depends_on"] == {"mongo-init": {"condition": "service_completed_successfully"}}
    for name in SERVICES:
        assert services[name]["depends_on"] == {
            "kafka": {"condition": "service_healthy"},
            "mongo": {"condition": "service_healthy"},
            "mongo-init": {"condition": "service_completed_successfully"},
            "bootstrap": {"condition": "service_completed_successfully"},
        }
        assert services[name]["deploy"]["replicas"] >= 2
    gateway = services["gateway"]["depends_on"]
    assert gateway == {name: {"condition": "service_healthy"} for name in SERVICES}


def test_links_use_the_public_urls_and_calls_the_internal_ones(config: dict[str, Any]) -> None:
    for name in (*SERVICES, "bootstrap"):
        env = config["services"][name]["environment"]
        for service in SERVICES:
            public = env[f"NEWSROOM_PUBLIC_{service.upper()}_URL"]
            assert public == REQUIRED[f"NEWSROOM_PUBLIC_{service.upper()}_URL"]
            assert env[f"NEWSROOM_{service.upper()}_URL"] == (
                f"http://{service}:{ {'ingest': 8001, 'verify': 8002, 'publish': 8003}[service] }"
            )


def test_topics_are_made_for_the_one_broker_and_the_producer_stays_as_tested(
    config: dict[str, Any],
) -> None:
    kafka = config["services"]["kafka"]["environment"]
    brokers = len(kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
    for name in (*SERVICES, "bootstrap"):
        env = config["services"][name]["environment"]
        assert int(env["NEWSROOM_TOPIC_REPLICATION_FACTOR"]) == brokers
        assert int(kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == brokers
        assert int(env["NEWSROOM_DLQ_RETENTION_DAYS"]) >= 30
        assert env["NEWSROOM_KAFKA_IDEMPOTENCE"] == "false"


def test_every_container_rotates_its_log_and_the_services_run_locked_down(
    config: dict[str, Any],
) -> None:
    for name, service in config["services"].items():
        logging = service.get("logging", {})
        assert logging.get("driver") == "json-file", name
        assert logging["options"]["max-size"], name
        assert int(logging["options"]["max-file"]) >= 2, name
    for name in (*SERVICES, "bootstrap"):
        service = config["services"][name]
        assert service["read_only"] is True, name
        assert any(str(t).startswith("/tmp") for t in service["tmpfs"]), name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_the_store_is_the_replica_set_with_majority_writes(config: dict[str, Any]) -> None:
    from pymongo.uri_parser import parse_uri

    for name in (*SERVICES, "bootstrap"):
        options = parse_uri(config["services"][name]["environment"]["NEWSROOM_MONGO_URL"])
        assert options["options"]["replicaSet"] == "rs0", name  # transactions need one
        assert options["options"]["w"] == "majority", name


def test_only_the_gateway_is_reachable_and_only_its_forwarded_headers_are_believed(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    exposed = sorted(name for name, s in services.items() if s.get("ports"))
    assert exposed == ["gateway"]
    address = services["gateway"]["networks"]["backend"]["ipv4_address"]
    subnet = config["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    for name in SERVICES:
        assert services[name]["environment"]["NEWSROOM_FORWARDED_ALLOW_IPS"] == address
    mounted = " ".join(services["gateway"]["volumes"])
    for part in ("gateway.conf", "proxy.conf", "ops.conf", "trusted-proxies.conf"):
        assert f"deploy/{part}:" in mounted, part


def _active_lines(path: Path) -> list[str]:
    return [
        line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]


def test_operational_endpoints_and_forwarded_schemes_trust_nobody_by_default() -> None:
    assert _active_lines(DEPLOY / "ops.conf") == []
    assert _active_lines(DEPLOY / "trusted-proxies.conf") == []
    gateway = (DEPLOY / "gateway.conf").read_text()
    for path in ("metrics", "readyz", "docs", "redoc", r"openapi\.json"):
        assert path in gateway
    proxy = (DEPLOY / "proxy.conf").read_text()
    assert "X-Forwarded-Proto $forwarded_proto" in proxy
    assert "$scheme" not in proxy
    assert "proxy_buffering off" in proxy


def test_the_gateway_waits_for_a_client_no_longer_than_the_services_would() -> None:
    """nginx reads a request's body before the services see it, so their header and body
    timeouts (README "HTTP") only hold behind the gateway if it keeps them too."""
    from services.settings import Settings

    gateway = (DEPLOY / "gateway.conf").read_text()

    def seconds(directive: str) -> float:
        found = re.search(rf"^{directive} (\d+)s;", gateway, flags=re.M)
        assert found, f"no {directive} in gateway.conf"
        return float(found.group(1))

    fields = Settings.model_fields
    assert seconds("client_header_timeout") <= fields["header_timeout_seconds"].default
    assert seconds("client_body_timeout") <= fields["body_timeout_seconds"].default
    assert re.search(r"^server_tokens off;", gateway, flags=re.M)


def test_the_image_installs_hashed_pins_from_a_context_without_local_state() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile
    assert "deploy/requirements.lock" in dockerfile
    lock = (DEPLOY / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\\n(?:\s+--hash=sha256:[0-9a-f]{64}.*\n)+", lock,
                      flags=re.M)  # fmt: skip
    names = re.findall(r"^([A-Za-z0-9_.-]+)==", lock, flags=re.M)
    assert names
    assert pins == names  # every pin carries at least one hash
    for needed in ("fastapi", "uvicorn", "kafka-python", "mongoengine", "setuptools"):
        assert needed in {n.lower() for n in names}, needed
    ignored = set(_active_lines(ROOT / ".dockerignore"))
    assert {".venv", ".newsroom", ".git", ".env"} <= ignored


def test_ci_validates_the_file_with_placeholders_for_every_required_value() -> None:
    binary = shutil.which("docker-compose")
    assert binary is not None
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    checked = subprocess.run(
        [binary, "-f", "docker-compose.yml", "--env-file", "deploy/placeholders.env",
         "config", "-q"],
        env=clean, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "deploy/placeholders.env" in (ROOT / ".ci" / "run").read_text()
