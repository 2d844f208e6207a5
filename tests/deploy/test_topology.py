"""The production topology on this machine: Debian's nginx running the project's gateway
configuration (only its addresses changed), two `newsroom serve` processes of each
service behind it, on the session's real broker and store. Everything a person or a
downstream site does goes through the gateway alone.

It proves: links (status_url, feeds, webhooks, the desk's links to the reviewers' console)
carry the public URLs; the console signs in, shows the queue and streams live updates
through nginx; the session cookie is Secure only when the client reached the gateway over
TLS, whatever a client claims in its own headers; operational endpoints are not public;
each event is produced once per change with two replicas of every producer; and after a
SIGKILL of one replica of each service nothing accepted is lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import ipaddress
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pymongo import MongoClient

from newsroom import stack
from services.auth import tokens
from services.contracts import Topic
from services.settings import ServiceName, Settings
from tests.deploy.gateway import Gateway
from tests.publish.servers import WebhookReceiver
from tests.support.desk import confirm_claim_list, publish_when_publishable, verify_every_claim
from tests.support.fleet import submit_reports
from tests.support.infra import Infra
from tests.support.kafka import read_topic
from tests.support.servers import ServiceProcess, settings_env, wait_for

SERVICES: tuple[ServiceName, ...] = ("ingest", "verify", "publish")
PUBLIC = {s: f"https://{s}.newsroom.test" for s in SERVICES}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def payload(n: int) -> dict[str, Any]:
    sentence = f"The harbour board approved {n + 3} new berths on Tuesday."
    return {
        "headline": f"Harbour berths {n}",
        "section": "local",
        "body": f"{sentence} The vote was held in the port office.",
        "claims": [{"text": sentence}],
    }


@dataclass
class Topology:
    root: Path
    infra: Infra
    settings: Settings = field(init=False)
    gateway: Gateway = field(init=False)
    replicas: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    receiver: WebhookReceiver = field(default_factory=WebhookReceiver)
    certificate: tuple[Path, Path] | None = None

    def start(self) -> None:
        ports = {s: [stack.free_port(), stack.free_port()] for s in SERVICES}
        self.gateway = Gateway(self.root / "nginx", ports)
        self.gateway.pick_ports(tls=True)
        self.settings = self.infra.settings(
            **{f"public_{s}_url": PUBLIC[s] for s in SERVICES},
            # Calls between services go to the gateway's ports, as in the compose file they
            # go to Docker's DNS name of the service: any live replica answers.
            **{f"{s}_url": self.gateway.url(s) for s in SERVICES},
            forwarded_allow_ips="127.0.0.1",  # nginx reaches the replicas from here
            service_token=tokens.generate().value,
            webhook_master_key="topology-webhook-key",
            session_secret="topology-session-secret",
            rate_limit_per_minute=100_000,
            # Receipts come within a second or two: a re-send would only be a duplicate.
            redeliver_after_seconds=60.0,
        )
        self.tokens["admin"] = bootstrap(self.settings, admin="ops-admin")
        for service, service_ports in ports.items():
            for n, port in enumerate(service_ports):
                # Each replica is reached at its own port; the others through the gateway.
                own = self.settings.model_copy(update={f"{service}_port": port,
                                                       f"{service}_url": ""})  # fmt: skip
                process = ServiceProcess(service, own, self.root / f"{service}-{n}.log")
                self.replicas.setdefault(service, []).append(process)
                process.start(wait=False)
        for process in (p for ps in self.replicas.values() for p in ps):
            if not stack.wait_until(
                lambda p=process: stack.http_ready(p.url), 120, process.process
            ):
                raise AssertionError(f"{process.log.name}:\n{stack.log_tail(process.log, 30)}")
        self.certificate = self_signed(self.root / "tls")
        self.gateway.start(tls=self.certificate)
        # The admin API is not public: an admin reaches a replica, as from an ops network.
        bearer = {"Authorization": f"Bearer {self.tokens['admin']}"}
        ingest = self.replicas["ingest"][0].url
        with httpx.Client(base_url=ingest, headers=bearer, timeout=30) as admin:
            for role in ("reporter", "reviewer", "editor"):
                made = admin.post("/v1/users", json={"name": f"{role}-one", "role": role})
                assert made.status_code == 201, made.text
                self.tokens[role] = made.json()["token"]

    def client(self, service: ServiceName, role: str | None = None) -> httpx.Client:
        """A client of the gateway: how everybody outside reaches the services."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.gateway.url(service), headers=headers, timeout=30)

    def via_gateway(self, public_url: str) -> str:
        """A public link, followed through the gateway (there is no DNS for the test)."""
        for service, base in PUBLIC.items():
            if public_url.startswith(base + "/"):
                return self.gateway.url(service) + public_url[len(base) :]
        raise AssertionError(f"{public_url} is not under a public URL")

    def stop(self) -> None:
        self.gateway.stop()
        for process in (p for ps in self.replicas.values() for p in ps):
            process.stop()
        self.receiver.stop()


def bootstrap(settings: Settings, admin: str) -> str:
    """`newsroom bootstrap --admin NAME`, as the compose file's one-shot runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "newsroom", "bootstrap", "--admin", admin, "--wait", "60"],
        env={**os.environ, **settings_env(settings)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for the three public names, as tls-params.conf expects one."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsroom.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(f"{s}.example.org") for s in SERVICES]
                + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]  # the test dials this
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def topology(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    running = Topology(tmp_path_factory.mktemp("topology"), infra)
    try:
        running.start()
        yield running
    finally:
        running.stop()


# --- the steps ---------------------------------------------------------------------------


def submit(topology: Topology, n: int) -> dict[str, Any]:
    with topology.client("ingest", "reporter") as ingest:
        answer = ingest.post("/v1/reports", json=payload(n),
                             headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    assert answer.status_code == 202, answer.text
    found: dict[str, Any] = answer.json()
    return found


def release(topology: Topology, story_id: str) -> None:
    with topology.client("verify", "reviewer") as verify:
        verify_every_claim(verify, story_id)
        confirm_claim_list(verify, story_id)
    with topology.client("publish", "editor") as publish:
        publish_when_publishable(publish, story_id, timeout=90)


def sign_in(client: httpx.Client, token: str) -> None:
    page = client.get("/ui/sign-in")
    answer = client.post(
        "/ui/sign-in", data={"csrf_token": CSRF.search(page.text).group(1), "token": token}
    )
    assert answer.status_code == 303, answer.text


def feed_items(topology: Topology) -> dict[str, dict[str, Any]]:
    with topology.client("publish") as publish:
        feed = publish.get("/feeds/all.json")
    assert feed.status_code == 200, feed.text
    assert "127.0.0.1" not in feed.text  # no internal address leaks into a public document
    prefix = "urn:newsroom:story:"
    return {item["id"].removeprefix(prefix): item for item in feed.json()["items"]}


def delivered(topology: Topology, story_id: str) -> list[dict[str, Any]]:
    """The CloudEvents (structured mode) the receiver got about ``story_id``."""
    return [r.json for r in topology.receiver.at("/hook") if r.json["subject"] == story_id]


def events(topology: Topology, topic: Topic, field: str, expected: set[str]) -> list[Any]:
    """The data of every record on ``topic``, once each of ``expected`` is in the field
    ``field`` of one."""

    def seen(records: list[Any]) -> set[str]:
        return {json.loads(r.value)["data"][field] for r in records}

    records = read_topic(
        topology.settings.kafka_bootstrap,
        topology.settings.topic(topic.value),
        until=lambda rs: expected <= seen(rs),
        timeout=60,
    )
    return [json.loads(r.value)["data"] for r in records]


def once_per_change(topology: Topology, reports: dict[str, str]) -> None:
    """Each event of these reports (report id -> story id) is on its topic exactly once:
    one per report on reports.*, one per story version on stories.*."""
    ids, stories = set(reports), set(reports.values())
    for topic in (Topic.REPORTS_SUBMITTED, Topic.REPORTS_RECEIVED):
        counts = Counter(d["report_id"] for d in events(topology, topic, "report_id", ids))
        assert {r: counts[r] for r in ids} == dict.fromkeys(ids, 1), topic
    for topic in (Topic.STORIES_REVIEWED, Topic.STORIES_PUBLISHED):
        sent = Counter(
            (d["story_id"], d["version"], d.get("action"))
            for d in events(topology, topic, "story_id", stories)
            if d["story_id"] in stories
        )
        assert {story for story, _, _ in sent} == stories, topic
        twice = {change: n for change, n in sent.items() if n != 1}
        assert twice == {}, topic


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Names the step of the test in whatever fails inside it (an assertion, an HTTP
    error, a timeout), so a failure says where it happened."""
    try:
        yield
    except BaseException as exc:
        exc.add_note(f"topology test, failed in step: {name}")
        raise


def data_line(lines: Iterator[str], seen: list[str], other_than: str | None = None) -> str:
    """The next `data:` line of an event stream (not ``other_than``); every line read is
    kept in ``seen`` so that a stream that ends first says what it did send."""
    for line in lines:
        seen.append(line)
        if line.startswith("data:") and line != other_than:
            return line
    raise AssertionError(f"the event stream ended without a new data line; it sent {seen!r}")


# --- the test ----------------------------------------------------------------------------


def test_a_story_goes_through_the_gateway_once_and_survives_a_replica_of_each_killed(
    topology: Topology,
) -> None:
    gateway = topology.gateway
    with step("subscribe a webhook receiver"), topology.client("publish", "editor") as publish:
        made = publish.post("/v1/subscriptions", json={"url": topology.receiver.url("/hook")})
        assert made.status_code == 201, made.text

    # A reporter submits through the gateway; the status link is public and works.
    with step("submit the first report and follow its status link"):
        first = submit(topology, 0)
        assert first["status_url"] == f"{PUBLIC['ingest']}/v1/reports/{first['report_id']}"
        with topology.client("ingest", "reporter") as ingest:
            status = ingest.get(topology.via_gateway(first["status_url"]))
            assert status.status_code == 200, status.text

    # The reviewers' console through the gateway: sign in, the claim is in the queue, and
    # the live stream delivers a change while it is open, through nginx.
    with step("the console's queue and its live stream"), topology.client("verify") as console:
        sign_in(console, topology.tokens["reviewer"])
        wait_for(lambda: "Harbour berths 0" in console.get("/ui/").text, timeout=60,
                 what="the first story in the console's queue")  # fmt: skip
        with console.stream("GET", "/ui/events") as stream:
            assert stream.status_code == 200, stream.read()
            assert stream.headers["content-type"].startswith("text/event-stream"), stream.headers
            lines, seen = stream.iter_lines(), []
            before = data_line(lines, seen)
            second = submit(topology, 1)  # only after the first event came through
            # The stream may repeat the version it started with; the change must come
            # while the stream is still open (25 s), not only when the stream ends.
            data_line(lines, seen, other_than=before)

    # Reviewed and published through the gateway: the feed, the webhook and the desk
    # carry public links only.
    with step("release both stories; the feed and the webhooks carry public links"):
        for answer in (first, second):
            release(topology, answer["story_id"])
        items = wait_for(lambda: (found := feed_items(topology)) and
                         {first["story_id"], second["story_id"]} <= set(found) and found,
                         timeout=60, what="both stories in the feed")  # fmt: skip
        for answer in (first, second):
            item = items[answer["story_id"]]
            assert item["url"].startswith(f"{PUBLIC['publish']}/"), item["url"]
            sent = wait_for(lambda a=answer: delivered(topology, a["story_id"]), timeout=60,
                            what="the webhook delivery")  # fmt: skip
            assert len(sent) == 1, sent
            assert sent[0]["data"]["item"]["url"] == item["url"]
            assert sent[0]["source"].startswith(PUBLIC["publish"]), sent[0]["source"]
    with (
        step("the desk's claim link goes through the hand-off"),
        topology.client("publish") as desk,
    ):
        sign_in(desk, topology.tokens["editor"])
        page = desk.get(f"/ui/stories/{first['story_id']}")
        assert page.status_code == 200, page.text
        assert "127.0.0.1" not in page.text
        # Claim links go through the desk's hand-off (one sign-in), which sends the
        # editor on to verify's public address, never to an internal one.
        link = re.search(r'href="(/ui/go/verify\?next=%2Fui%2Fclaims%2F[^"]+)"', page.text)
        assert link is not None, "no claim link through the hand-off on the desk"
        onward = desk.get(html.unescape(link.group(1)), follow_redirects=False)
        assert onward.status_code == 303, onward.text
        # First to verify's public address, which marks the browser for the hand-off.
        location = onward.headers["location"]
        assert location.startswith(f"{PUBLIC['verify']}/ui/hand-off/begin?"), location

    # The session cookie is Secure only when the client reached the gateway over TLS.
    with step("the session cookie is Secure only over TLS"):
        assert "secure" not in _cookie(gateway.url("verify")).lower()
        spoofed = _cookie(gateway.url("verify"), headers={"X-Forwarded-Proto": "https"})
        assert "secure" not in spoofed.lower()  # a client's own claim is not believed
        replica = topology.replicas["verify"][0].url
        direct = _cookie(replica, headers={"X-Forwarded-Proto": "https"}, source="127.0.0.3")
        assert "secure" not in direct.lower()  # nor by a replica, from anybody but nginx
        assert topology.certificate is not None
        over_tls = _cookie(
            f"https://127.0.0.1:{gateway.tls_port}",
            headers={"Host": "verify.example.org"},
            ca=topology.certificate[0],
        )
        assert "; secure" in over_tls.lower()
        # Over TLS the server's own headers (HSTS) do not drop the gateway's nosniff.
        with httpx.Client(verify=ssl.create_default_context(cafile=str(topology.certificate[0])),
                          timeout=30) as tls:  # fmt: skip
            feed = tls.get(f"https://127.0.0.1:{gateway.tls_port}/feeds/all.json",
                           headers={"Host": "publish.example.org"})  # fmt: skip
        assert feed.headers["strict-transport-security"].startswith("max-age="), feed.headers
        assert feed.headers.get_list("x-content-type-options") == ["nosniff"], feed.headers

    # Operational endpoints answer on the replicas, not through the gateway.
    with step("operational endpoints only on the replicas"):
        paths = ("/metrics", "/readyz", "/docs", "/redoc", "/openapi.json", "/metric%73", "//docs")
        for path in paths:
            for service in SERVICES:
                hidden = httpx.get(gateway.url(service) + path, timeout=30)
                assert hidden.status_code == 404, (service, path, hidden.status_code)
        for path in ("/metrics", "/readyz"):
            direct = httpx.get(f"{replica}{path}", timeout=30)
            assert direct.status_code == 200, direct.text[:300]
        with topology.client("ingest", "admin") as admin:
            for path in ("/v1/users", "/v1/users/ops-admin", "//v1/users", "/v1/user%73"):
                assert admin.get(path).status_code == 404, path
            made = admin.post("/v1/users", json={"name": "outsider", "role": "admin"})
            assert made.status_code == 404, made.text
        health = httpx.get(f"{gateway.url('verify')}/healthz", timeout=30)
        assert health.status_code == 200, health.text

    # Every answer through the gateway, the services' and nginx's own, carries one nosniff
    # and no nginx version.
    with step("the gateway's headers on every answer"):
        answers = [httpx.get(gateway.url("publish") + "/feeds/all.json", timeout=30),
                   httpx.get(gateway.url("verify") + "/ui/sign-in", timeout=30),
                   httpx.get(gateway.url("ingest") + "/v1/reports/r_x", timeout=30),
                   httpx.get(gateway.url("ingest") + "/metrics", timeout=30)]  # fmt: skip
        for answer in answers:
            where = (str(answer.request.url), answer.status_code)
            assert answer.headers.get_list("x-content-type-options") == ["nosniff"], where
            assert re.fullmatch(r"[a-z]+", answer.headers.get("server", "")), where

    # Two replicas of every producer, and each event went out once.
    with step("each event produced once by two replicas"):
        once_per_change(topology, {a["report_id"]: a["story_id"] for a in (first, second)})

    # SIGKILL one replica of each service while reports come in; nothing is lost.
    with step("reports submitted while one replica of each service is killed"):
        killer = threading.Timer(1.0, lambda: [ps[0].kill() for ps in topology.replicas.values()])
        killer.start()
        try:
            load = submit_reports(gateway.url("ingest"), topology.tokens["reporter"], 8,
                                  lambda n: payload(100 + n), concurrency=4)  # fmt: skip
        finally:
            killer.join()
        assert load.refused == []
        assert len(load.accepted) == 8, load
        killed = [p.process for p in (ps[0] for ps in topology.replicas.values())]
        assert all(p is None for p in killed), killed
    verify_db = MongoClient(topology.settings.mongo_url)[topology.settings.database("verify")]

    def received() -> Counter[str]:
        found = Counter(d["report_id"] for d in verify_db.revisions.find({}, {"report_id": 1}))
        return found if set(load.accepted) <= set(found) else Counter()

    with step("every report accepted during the kills reaches verify once"):
        revisions = wait_for(received, timeout=90, interval=0.5, what="every report in verify")
        assert {r: revisions[r] for r in load.accepted} == dict.fromkeys(load.accepted, 1)
    stories = {a["story_id"] for a in load.accepted.values()}
    with step("the stories of the kill phase released to the feed and the webhook"):
        for story_id in stories:
            release(topology, story_id)
        wait_for(lambda: stories <= set(feed_items(topology)), timeout=90,
                 what="every story in the feed after the kills")  # fmt: skip
        wait_for(lambda: all(delivered(topology, s) for s in stories), timeout=90,
                 what="a webhook delivery of every story after the kills")  # fmt: skip


def _cookie(base: str, headers: dict[str, str] | None = None, source: str | None = None,
            ca: Path | None = None) -> str:  # fmt: skip
    """The session cookie /ui/sign-in sets, asked from ``source`` (a loopback address)."""
    trust = ssl.create_default_context(cafile=str(ca)) if ca else True
    transport = httpx.HTTPTransport(local_address=source) if source else None
    with httpx.Client(base_url=base, timeout=30, verify=trust, transport=transport) as client:
        page = client.get("/ui/sign-in", headers=headers or {})
    assert page.status_code == 200, page.text
    return page.headers["set-cookie"]
