"""The address policy: pure rules, the socket hook, and the fetcher refusing private targets."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from fetch_support import LocalServer, StaticResolver, fast_config

from bot.fetch import Fetcher, FetchFailure
from bot.netguard import (
    AddressPolicy,
    AddressRefused,
    IPAddress,
    SpecialUseResolver,
    find_refusal,
    legacy_ipv4,
    parse_ip,
    refusal_reason,
)

# --- the pure policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata endpoint
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "private"),  # "this network"
        ("100.64.0.1", "non-global"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("255.255.255.255", "private"),
        ("240.0.0.1", "private"),
        ("192.0.2.1", "private"),  # TEST-NET-1
        ("198.18.0.1", "private"),  # benchmarking
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),  # global-scope multicast still refused
        ("2001:db8::1", "private"),  # documentation
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("::7f00:1", "IPv4-compatible"),  # deprecated ::127.0.0.1
    ],
)
def test_refused_addresses(address: str, kind: str) -> None:
    ip = parse_ip(address)
    assert ip is not None
    reason = refusal_reason(ip)
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "2a00:1450:4001:81b::200e",
        "::ffff:8.8.8.8",  # mapped public
        "64:ff9b::808:808",  # NAT64 of a public address (IPv6-only networks use these)
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_pass(address: str) -> None:
    ip = parse_ip(address)
    assert ip is not None
    assert refusal_reason(ip) is None


def test_mapped_address_names_the_inner_address() -> None:
    reason = refusal_reason(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert reason is not None and "127.0.0.1" in reason and "IPv6" in reason


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0xdeadbeef", "222.173.190.239"),
        ("example.com", None),
        ("deadbeef", None),
        ("", None),
    ],
)
def test_legacy_ipv4_spellings(host: str, expected: str | None) -> None:
    found = legacy_ipv4(host)
    assert (str(found) if found else None) == expected


def test_parse_ip() -> None:
    assert parse_ip("[::1]") == ipaddress.ip_address("::1")
    assert parse_ip("10.0.0.1") == ipaddress.ip_address("10.0.0.1")
    assert parse_ip("example.com") is None


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "2130706433", "::ffff:7f00:1"]
)
def test_check_host_refuses_private_literals(host: str) -> None:
    with pytest.raises(AddressRefused) as info:
        AddressPolicy(allow_private=False).check_host(host)
    assert "allow_private_networks" in str(info.value)
    AddressPolicy(allow_private=True).check_host(host)  # the setting lifts it
    AddressPolicy(allow_private=False).check_host("example.com")  # names are judged at connect


def test_socket_factory_refuses_before_a_socket_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []

    def no_socket(*args: Any, **kwargs: Any) -> None:
        made.append(args)

    monkeypatch.setattr(socket, "socket", no_socket)
    policy = AddressPolicy(allow_private=False)
    for addr_info in [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("internal.example", 80)),  # not numeric
    ]:
        with pytest.raises(AddressRefused) as info:
            policy.socket_factory(addr_info)
        assert info.value.errno == errno.EACCES
    assert made == []


def test_find_refusal_in_merged_errors() -> None:
    refused = AddressRefused("10.0.0.1", "a private address")
    assert find_refusal(aiohttp.ClientConnectorError(_key(), refused)) is refused
    merged = OSError(errno.EACCES, f"Multiple exceptions: {refused}, {refused}")
    found = find_refusal(aiohttp.ClientConnectorError(_key(), merged))
    assert isinstance(found, str) and "Multiple exceptions" in found
    assert find_refusal(aiohttp.ClientConnectorError(_key(), ConnectionRefusedError())) is None


def _key() -> Any:
    from aiohttp.client_reqrep import ConnectionKey

    return ConnectionKey("example.com", 80, False, True, None, None, None)


async def test_special_use_resolver() -> None:
    inner = StaticResolver({"site.test": "192.0.2.7"})
    resolver = SpecialUseResolver(inner)
    with pytest.raises(socket.gaierror) as info:
        await resolver.resolve("anything.invalid", 80)
    assert info.value.errno == socket.EAI_NONAME
    assert [r["host"] for r in await resolver.resolve("site.test", 80)] == ["192.0.2.7"]
    assert inner.asked == ["site.test"]  # .invalid never reached the real resolver


# --- the hook in a real aiohttp connector -------------------------------------------------------


class ConnectSpy:
    """Records every address the event loop is asked to connect a socket to."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.addresses: list[str] = []
        self._real = loop.sock_connect

    async def __call__(self, sock: socket.socket, address: Any) -> None:
        self.addresses.append(str(address[0]))
        await self._real(sock, address)


@pytest.fixture
async def spy(monkeypatch: pytest.MonkeyPatch) -> ConnectSpy:
    loop = asyncio.get_running_loop()
    spy = ConnectSpy(loop)
    monkeypatch.setattr(loop, "sock_connect", spy)
    return spy


def _hello_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello from a private address", content_type="text/plain")

    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/bounce", bounce)
    return app


@pytest.fixture
async def private_server() -> AsyncIterator[LocalServer]:
    srv = await LocalServer(_hello_app()).start()
    yield srv
    await srv.close()


async def test_hook_sees_ip_literals_inside_aiohttp(
    private_server: LocalServer, spy: ConnectSpy
) -> None:
    """Without the fetcher's pre-check, the connector hook alone still refuses an IP literal."""
    policy = AddressPolicy(allow_private=False)
    connector = aiohttp.TCPConnector(socket_factory=policy.socket_factory)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:
        for url in (private_server.url("/"), "http://10.0.0.1/", "http://169.254.169.254/"):
            with pytest.raises(aiohttp.ClientConnectorError) as info:
                await session.get(url)
            assert isinstance(find_refusal(info.value), AddressRefused)
    assert private_server.total_hits == 0
    assert spy.addresses == []


async def test_name_resolving_to_loopback_is_refused_at_connect(
    private_server: LocalServer, spy: ConnectSpy
) -> None:
    resolver = StaticResolver({"public-looking.test": "127.0.0.1"})
    async with Fetcher(fast_config(allow_private_networks=False), resolver=resolver) as fetcher:
        with pytest.raises(FetchFailure) as info:
            await fetcher.fetch(private_server.url("/", host="public-looking.test"))
    failure = info.value
    assert failure.kind == "source_unreachable"
    assert "127.0.0.1" in failure.message and "loopback" in failure.message
    assert "[fetch] allow_private_networks" in failure.message
    assert resolver.asked == ["public-looking.test"]  # it got as far as DNS...
    assert spy.addresses == []  # ...but no connection was attempted
    assert private_server.total_hits == 0


async def test_name_with_only_private_addresses(
    private_server: LocalServer, spy: ConnectSpy
) -> None:
    resolver = StaticResolver({"two.test": "127.0.0.1,::1"})
    async with Fetcher(fast_config(allow_private_networks=False), resolver=resolver) as fetcher:
        with pytest.raises(FetchFailure) as info:
            await fetcher.fetch(private_server.url("/", host="two.test"))
    assert info.value.kind == "source_unreachable"
    assert "allow_private_networks" in info.value.message
    assert spy.addresses == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://2130706433:{port}/",
        "http://10.0.0.1/",
        "http://192.168.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://0.0.0.0:{port}/",
    ],
)
async def test_private_ip_literals_refused_without_a_packet(
    private_server: LocalServer, spy: ConnectSpy, url: str
) -> None:
    async with Fetcher(fast_config(allow_private_networks=False)) as fetcher:
        with pytest.raises(FetchFailure) as info:
            await fetcher.fetch(url.format(port=private_server.port))
    assert info.value.kind == "source_unreachable"
    assert "allow_private_networks" in info.value.message
    assert spy.addresses == []
    assert private_server.total_hits == 0


class OneLoopbackIsPublic(AddressPolicy):
    """Treats 127.0.0.1 as if it were a public site so a redirect away from it can be tested."""

    def __init__(self) -> None:
        super().__init__(allow_private=False)

    def reason(self, ip: IPAddress) -> str | None:
        return None if ip == ipaddress.ip_address("127.0.0.1") else super().reason(ip)


@pytest.fixture
async def second_loopback() -> AsyncIterator[LocalServer]:
    try:
        srv = await LocalServer(_hello_app(), host="127.0.0.2").start()
    except OSError:
        pytest.skip("127.0.0.2 is not usable on this machine")
    yield srv
    await srv.close()


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/",  # IP literal in Location
        "http://internal.test:{port}/",  # a name that resolves to a private address
        "http://[::1]:{port}/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
async def test_redirect_to_private_address_refused(
    private_server: LocalServer, second_loopback: LocalServer, spy: ConnectSpy, target: str
) -> None:
    resolver = StaticResolver({"public.test": "127.0.0.1", "internal.test": "127.0.0.2"})
    config = fast_config(allow_private_networks=False)
    destination = target.format(port=second_loopback.port)
    start = private_server.url(f"/bounce?to={destination}", host="public.test")
    async with Fetcher(config, resolver=resolver, policy=OneLoopbackIsPublic()) as fetcher:
        with pytest.raises(FetchFailure) as info:
            await fetcher.fetch(start)
    failure = info.value
    assert failure.kind == "source_unreachable"
    assert "allow_private_networks" in failure.message
    assert failure.final_url is not None and failure.final_url.rstrip("/") in destination
    assert private_server.hits["/bounce"] == 1  # the public hop was fetched...
    assert second_loopback.total_hits == 0  # ...the private one never was
    assert spy.addresses == ["127.0.0.1"]


async def test_public_address_of_a_mixed_name_is_used(
    private_server: LocalServer, spy: ConnectSpy
) -> None:
    resolver = StaticResolver({"mixed.test": "10.0.0.1,127.0.0.1"})
    async with Fetcher(
        fast_config(allow_private_networks=False), resolver=resolver, policy=OneLoopbackIsPublic()
    ) as fetcher:
        page = await fetcher.fetch(private_server.url("/", host="mixed.test"))
    assert page.text == "hello from a private address"
    assert spy.addresses == ["127.0.0.1"]  # 10.0.0.1 was skipped without a connection attempt
