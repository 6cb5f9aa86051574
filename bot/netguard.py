"""Which network addresses the fetcher may connect to, enforced where the socket is made.

Users hand the bot arbitrary links, so a link (or a redirect, or a DNS answer) must never make
the bot talk to loopback, the LAN, cloud metadata endpoints and the like. The policy is a pure
function of an IP address; `AddressPolicy.socket_factory` applies it to every address aiohttp is
about to connect to (IP literals and resolved names alike), before the socket exists, so no
packet ever leaves for a refused address.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LIFT_HINT = "set [fetch] allow_private_networks = true in the config to allow it"

# Marker present in every refusal message, so a refusal is recognised even when aiohappyeyeballs
# folds several per-address errors into one plain OSError.
REFUSAL_MARKER = "not a public internet address"

_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),  # RFC 6052 well-known prefix
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # RFC 8215 local-use prefix
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d


class AddressRefused(OSError):
    """A connection the address policy forbids; raised before any packet is sent."""

    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        super().__init__(
            errno.EACCES,
            f"refused to connect to {address}: it is {reason}, {REFUSAL_MARKER}; "
            f"fetching private networks is off ({LIFT_HINT})",
        )

    def __str__(self) -> str:
        return str(self.strerror)


def parse_ip(text: str) -> IPAddress | None:
    """The IP address spelt by ``text`` (IPv6 may carry brackets or a zone), else None."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a legacy numeric host such as ``2130706433``, ``127.1`` or ``0x7f.1`` means.

    inet_aton (and so getaddrinfo) accepts these spellings, so they must be judged as addresses,
    not as names.
    """
    if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address | None, bool]:
    """(IPv4 address carried inside ``ip``, whether it replaces the outer address's verdict)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, True
    if any(ip in net for net in _NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), True
    if ip.sixtofour is not None:
        return ip.sixtofour, False
    return None, False


def _own_refusal(ip: IPAddress) -> str | None:
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-global (shared or special-purpose) address"
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be fetched (a short noun phrase), or None when it is a public address.

    IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by the
    address they carry as well, so ``::ffff:127.0.0.1`` is loopback.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _IPV4_COMPATIBLE and int(ip) > 1:
            return "a deprecated IPv4-compatible IPv6 address"
        inner, replaces = _embedded_ipv4(ip)
        if inner is not None:
            inner_reason = _own_refusal(inner)
            if inner_reason is not None:
                return f"{inner_reason} ({inner}) wrapped in IPv6"
            if replaces:
                return None
    return _own_refusal(ip)


class AddressPolicy:
    """The fetcher's address rules; with ``allow_private`` everything is allowed (local tests)."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def reason(self, ip: IPAddress) -> str | None:
        return None if self.allow_private else refusal_reason(ip)

    def check_host(self, host: str) -> None:
        """Refuse a URL host that is itself a forbidden address, before any request is made."""
        ip = parse_ip(host) or legacy_ipv4(host)
        if ip is None:
            return
        why = self.reason(ip)
        if why is not None:
            raise AddressRefused(str(ip), why)

    def socket_factory(
        self, addr_info: tuple[int, int, int, str, tuple[object, ...]]
    ) -> socket.socket:
        """aiohttp's ``socket_factory`` hook: sees each address about to be connected to.

        Only numeric addresses are accepted: a name here would be resolved again by the event loop,
        after the check.
        """
        family, type_, proto, _, sockaddr = addr_info
        host = str(sockaddr[0])
        ip = parse_ip(host)
        if ip is None:
            raise AddressRefused(host, "not a numeric address")
        why = self.reason(ip)
        if why is not None:
            raise AddressRefused(host, why)
        return socket.socket(family=family, type=type_, proto=proto)


def find_refusal(exc: BaseException) -> AddressRefused | str | None:
    """The policy refusal behind an aiohttp connection error, if there is one.

    Returns the AddressRefused when it survived, the folded message when aiohappyeyeballs merged
    several errors into one, else None.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, AddressRefused):
            return current
        os_error = getattr(current, "os_error", None)
        if isinstance(os_error, AddressRefused):
            return os_error
        if isinstance(os_error, BaseException) and REFUSAL_MARKER in str(os_error):
            return str(os_error)
        current = current.__cause__ or current.__context__
    return str(exc) if REFUSAL_MARKER in str(exc) else None


class SpecialUseResolver(AbstractResolver):
    """Answers RFC 6761 ``.invalid`` names with "no such name" at once; delegates the rest.

    RFC 6761 asks resolver libraries to do exactly this; it also keeps such lookups off the network.
    """

    def __init__(self, inner: AbstractResolver) -> None:
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = host.rstrip(".").lower()
        if name == "invalid" or name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return await self._inner.resolve(host, port, family)

    async def close(self) -> None:
        await self._inner.close()
