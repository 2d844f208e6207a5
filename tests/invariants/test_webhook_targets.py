"""Webhook targets: a name is resolved once, every address it resolves to is checked,
and the delivery goes to the address checked; redirects are not followed.

The resolver is the one thing injected (a name's DNS answer, which a test cannot
change otherwise); the HTTP client, the receivers and the addresses are real.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from publish.webhooks.model import Delivery, DeliveryStatus
from publish.webhooks.service import check_url
from publish.webhooks.targets import TargetRefused, pin
from publish.webhooks.worker import DeliveryWorker
from services.errors import ValidationFailed
from tests.support.stack import Stack

NAME = "hooks.newsroom-test.invalid"  # no real resolver answers for it
PUBLIC = "93.184.216.34"

# (form, address, refused even when private targets are allowed for development)
SPECIAL: list[tuple[str, str, bool]] = [
    ("loopback", "127.0.0.1", False),
    ("loopback v6", "::1", False),
    ("private 10/8", "10.1.2.3", False),
    ("private 192.168/16", "192.168.1.1", False),
    ("link-local (cloud metadata)", "169.254.169.254", False),
    ("link-local v6", "fe80::1", False),
    ("unique-local v6", "fd00::1", False),
    ("CGNAT 100.64/10", "100.64.0.1", False),
    ("v4-mapped loopback", "::ffff:127.0.0.1", False),
    ("v4-mapped private", "::ffff:10.0.0.1", False),
    ("NAT64 of loopback", "64:ff9b::7f00:1", False),
    ("NAT64 local-use", "64:ff9b:1::1", False),
    ("6to4 of loopback", "2002:7f00:1::1", False),
    ("6to4 of private", "2002:a00:1::1", False),
    ("Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2", True),
    ("v4-compatible loopback", "::127.0.0.1", True),
    ("v4-compatible public", "::8.8.8.8", True),
    ("unspecified", "0.0.0.0", True),
    ("unspecified v6", "::", True),
    ("this network", "0.1.2.3", True),
    ("multicast", "224.0.0.1", True),
    ("multicast v6", "ff02::1", True),
    ("broadcast", "255.255.255.255", True),
    ("reserved 240/4", "240.0.0.1", True),
    ("benchmarking", "198.18.0.1", True),
    ("documentation", "192.0.2.10", True),
    ("documentation v6", "2001:db8::1", True),
]
ALLOWED = ["8.8.8.8", "2606:4700::1111", "64:ff9b::808:808", "::ffff:8.8.8.8"]


class Resolver:
    """A DNS whose answers a test sets, and changes: ``answers[name]`` for each lookup in
    turn (the last one repeats)."""

    def __init__(self, **answers: Sequence[Sequence[str]]) -> None:
        self.answers = {k.replace("_", "."): list(v) for k, v in answers.items()}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        turns = self.answers.get(host)
        if not turns:
            raise OSError(f"{host} does not resolve")
        return list(turns.pop(0) if len(turns) > 1 else turns[0])


def resolving(*addresses: str) -> Resolver:
    resolver = Resolver()
    resolver.answers[NAME] = [list(addresses)]
    return resolver


# --- at subscription time ----------------------------------------------------------------


@pytest.mark.parametrize(("form", "address", "always"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_each_special_address_is_refused_at_subscription(
    form: str, address: str, always: bool
) -> None:
    literal = f"[{address}]" if ":" in address else address
    for url, resolver in [
        (f"https://{literal}/hook", Resolver()),  # the address itself, in the URL
        (f"https://{NAME}/hook", resolving(PUBLIC, address)),  # one of a name's answers
    ]:
        with pytest.raises(ValidationFailed, match="non-public"):
            check_url(url, allow_private=False, resolver=resolver)
        if always:
            with pytest.raises(ValidationFailed, match="non-public"):
                check_url(url, allow_private=True, resolver=resolver)
        else:
            assert check_url(url, allow_private=True, resolver=resolver) == url


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_accepted(address: str) -> None:
    assert check_url(f"https://{NAME}/h", allow_private=False, resolver=resolving(address))


def test_the_connection_goes_to_the_checked_address_with_the_name_kept() -> None:
    pinned = pin(f"https://{NAME}:8443/h?x=1", resolving(PUBLIC), allow_private=False)
    assert str(pinned.url) == f"https://{PUBLIC}:8443/h?x=1"
    assert pinned.host_header == f"{NAME}:8443"
    assert pinned.extensions == {"sni_hostname": NAME}  # TLS checks the name's certificate
    with pytest.raises(TargetRefused):
        pin("https://[::1/h", Resolver(), allow_private=True)


# --- at delivery time --------------------------------------------------------------------


class Receiver:
    """A downstream site on 127.0.0.1: records each request (path, Host); ``/moved``
    answers 302 to ``/elsewhere``."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.seen.append((self.path, self.headers.get("Host")))
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                else:
                    self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


def delivery(url: str) -> Delivery:
    now = datetime.now(UTC)
    return Delivery(
        delivery_id="dlv_test", subscription_id="sub_test", release_id="rel_test",
        story_id="s_test", event="story.published", url=url, body='{"ok":true}',
        status=DeliveryStatus.PENDING, next_attempt_at=now, created_at=now,
    )  # fmt: skip


def worker(stack: Stack, resolver: Resolver, allow_private: bool) -> DeliveryWorker:
    settings = stack.settings.model_copy(update={"webhook_allow_private_targets": allow_private})
    return DeliveryWorker(settings, lambda: datetime.now(UTC), resolver=resolver)


def test_a_name_that_resolves_elsewhere_after_subscribing_is_refused_at_delivery(
    stack: Stack, receiver: Receiver
) -> None:
    url = f"http://{NAME}:{receiver.port}/hook"
    dns = Resolver()
    dns.answers[NAME] = [[PUBLIC], ["127.0.0.1"]]  # public when checked, loopback after
    assert check_url(url, allow_private=False, resolver=dns) == url
    before = len(receiver.seen)
    status, _, error = worker(stack, dns, allow_private=False).send(delivery(url))
    assert status is None
    assert error is not None
    assert error.startswith("refused:")
    assert "loopback" in error
    assert len(receiver.seen) == before
    assert dns.lookups == [NAME, NAME]  # one lookup per check, none behind it


@pytest.mark.parametrize(("form", "address", "always"), SPECIAL, ids=[s[0] for s in SPECIAL])
def test_each_special_address_is_refused_at_delivery(
    stack: Stack, form: str, address: str, always: bool
) -> None:
    url = f"http://{NAME}/hook"
    for answer in ([address], [PUBLIC, address]):
        status, _, error = worker(stack, resolving(*answer), False).send(delivery(url))
        assert status is None
        assert error is not None
        assert error.startswith("refused:"), error


def test_a_local_receiver_works_when_private_targets_are_allowed(
    stack: Stack, receiver: Receiver
) -> None:
    # The name resolves only through the injected resolver: the delivery reaching the
    # receiver shows the client connected to the checked address, with no lookup of its own.
    url = f"http://{NAME}:{receiver.port}/hook"
    status, _, error = worker(stack, resolving("127.0.0.1"), True).send(delivery(url))
    assert (status, error) == (204, None)
    assert receiver.seen[-1] == ("/hook", f"{NAME}:{receiver.port}")
    refused = worker(stack, resolving("127.0.0.1"), False).send(delivery(url))
    assert refused[0] is None


def test_a_redirect_from_the_receiver_is_not_followed(stack: Stack, receiver: Receiver) -> None:
    url = f"http://{NAME}:{receiver.port}/moved"
    status, _, error = worker(stack, resolving("127.0.0.1"), True).send(delivery(url))
    assert (status, error) == (302, None)
    assert ("/elsewhere", f"{NAME}:{receiver.port}") not in receiver.seen
    assert receiver.seen[-1][0] == "/moved"
