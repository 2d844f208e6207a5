"""Where a webhook may go, and how it gets there without a second DNS lookup.

A target's name is resolved once (:func:`pin`), every address it resolves to is checked
(:func:`refusal`), and the request goes to the first checked address with the original
name kept for the ``Host`` header and for TLS (SNI and certificate verification, through
httpx's ``sni_hostname`` request extension). A name whose answer changes between the
check and the connection cannot slip through: there is no second lookup.

Refused always (no receiver lives there): unspecified, "this network" (0/8), multicast,
broadcast and reserved addresses, the documentation and benchmarking ranges, and the
deprecated IPv4-compatible IPv6 form (``::a.b.c.d``). Refused unless
``NEWSROOM_WEBHOOK_ALLOW_PRIVATE_TARGETS`` (local development): loopback, private
(RFC 1918, unique-local), link-local, shared CGNAT space (100.64/10), NAT64 local-use
(64:ff9b:1::/48) and anything else not globally reachable. IPv6 forms that carry an IPv4
address (v4-mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, Teredo
``2001::/32``) are judged by the IPv4 address inside them as well as by their own range.

Pure but for the resolver, which callers pass in (tests give their own).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

_V4_NEVER = [
    ("this network", ipaddress.ip_network("0.0.0.0/8")),
    ("documentation", ipaddress.ip_network("192.0.2.0/24")),
    ("documentation", ipaddress.ip_network("198.51.100.0/24")),
    ("documentation", ipaddress.ip_network("203.0.113.0/24")),
    ("benchmarking", ipaddress.ip_network("198.18.0.0/15")),
]
_V6_NEVER = [
    ("documentation", ipaddress.ip_network("2001:db8::/32")),
    ("documentation", ipaddress.ip_network("3fff::/20")),
    ("discard-only", ipaddress.ip_network("100::/64")),
]
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class TargetRefused(Exception):
    """The target may not be sent to; ``reason`` says why, for the client or the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system's resolver, one lookup)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def _v4_refusal(address: ipaddress.IPv4Address, allow_private: bool) -> str | None:
    if address.is_unspecified:
        return "unspecified"
    for kind, network in _V4_NEVER:
        if address in network:
            return kind
    if address.is_multicast:
        return "multicast"
    if address == ipaddress.IPv4Address("255.255.255.255") or address.is_reserved:
        return "reserved"
    if allow_private:
        return None
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address in _CGNAT:
        return "shared address space (CGNAT)"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "not globally reachable"
    return None


def _embedded_v4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, with the form that carries them."""
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if address.ipv4_mapped is not None:
        found.append(("IPv4-mapped", address.ipv4_mapped))
    if address in _NAT64:
        found.append(("NAT64", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)))
    if address.sixtofour is not None:
        found.append(("6to4", address.sixtofour))
    if address.teredo is not None:
        server, client = address.teredo
        found += [("Teredo server", server), ("Teredo client", client)]
    return found


def _v6_refusal(address: ipaddress.IPv6Address, allow_private: bool) -> str | None:
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if int(address) < 2**32 and not address.is_loopback:
        return "IPv4-compatible IPv6 (deprecated)"
    for kind, network in _V6_NEVER:
        if address in network:
            return kind
    for form, inner in _embedded_v4(address):
        why = _v4_refusal(inner, allow_private)
        if why:
            return f"{form} form of a {why} IPv4 address ({inner})"
    if address.ipv4_mapped is not None or address in _NAT64:
        return None  # judged by the IPv4 address it carries
    if allow_private:
        return None
    if address.is_loopback:
        return "loopback"
    if address.is_link_local or address.is_site_local:
        return "link-local"
    if address in _NAT64_LOCAL:
        return "NAT64 local-use"
    if address.is_private:
        return "private"
    if not address.is_global or address.is_reserved:
        return "not globally reachable"
    return None


def refusal(address: Address, *, allow_private: bool) -> str | None:
    """Why a webhook may not go to ``address``, or None when it may."""
    if isinstance(address, ipaddress.IPv4Address):
        return _v4_refusal(address, allow_private)
    return _v6_refusal(address, allow_private)


@dataclass(frozen=True)
class Pinned:
    """A request target bound to one checked address."""

    url: httpx.URL  # the original URL with the checked address as its host
    host_header: str  # the original host[:port], for the Host header
    extensions: dict[str, Any]  # the original name for TLS (SNI, certificate check)


def pin(url: str, resolver: Resolver, *, allow_private: bool) -> Pinned:
    """Resolve ``url``'s host once, check every address, and bind to the first."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise TargetRefused(f"the URL is malformed ({exc})") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise TargetRefused("the URL is not an absolute http or https URL")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded: what DNS, Host and SNI carry
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    try:
        answers = [str(literal)] if literal else list(resolver(host, port))
        addresses = [ipaddress.ip_address(a) for a in answers]
    except (OSError, UnicodeError, ValueError):
        raise TargetRefused(f"the host {host!r} does not resolve") from None
    if not addresses:
        raise TargetRefused(f"the host {host!r} does not resolve")
    for address in addresses:
        why = refusal(address, allow_private=allow_private)
        if why:
            raise TargetRefused(f"{host!r} is a non-public address ({address}: {why})")
    chosen = addresses[0]
    extensions: dict[str, Any] = {}
    if parsed.scheme == "https":
        extensions["sni_hostname"] = host
    host_header = parsed.netloc.decode("ascii")
    return Pinned(parsed.copy_with(host=str(chosen)), host_header, extensions)
