"""The address policy, applied where the connection is made: resolve once, check, connect to that address.

Checking a host's addresses and then letting the HTTP client resolve it again leaves a gap: a DNS
server that answers a public address to the check and a private one to the connect (DNS rebinding)
gets a request into the private network.  Here the check and the connect use the same answer: an
httpcore network backend resolves the host, checks every address, and opens the TCP connection to the
checked one.  TLS still verifies the certificate against the host name (httpcore passes the origin's
name as ``server_hostname``), so pinning changes where we connect, never whom we trust.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import typing
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from monitor.errors import FetchError

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressPolicy:
    """Which addresses may be connected to: any for the configured sources' hosts (or when private
    networks are allowed), else only public ones."""

    def __init__(self, allow_private_networks: bool, trusted_hosts: Iterable[str] = (),
                 resolver: Resolver = system_resolver) -> None:
        self.allow_private_networks = allow_private_networks
        self.trusted_hosts = {h.lower() for h in trusted_hosts}
        self._resolve = resolver

    async def address(self, host: str, port: int) -> str:
        """The one address to connect to for ``host``, resolved once and checked."""
        host = host.lower().strip("[]")
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolve(host, port)
            except socket.gaierror as exc:
                raise FetchError("dns", f"cannot resolve {host}: {exc.strerror}") from None
        if not addresses:
            raise FetchError("dns", f"cannot resolve {host}: no address")
        if not self.allow_private_networks and host not in self.trusted_hosts:
            for address in addresses:
                if not ipaddress.ip_address(address).is_global:
                    raise FetchError("blocked-address", f"{host} resolves to {address}, a non-public address; "
                                     "not fetched (http.allow_private_networks is false)")
        return addresses[0]


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting to the address the policy checked."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        address = await self._policy.address(host, port)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise FetchError("bad-url", "unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose connections go through ``PinnedBackend``."""

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(policy, inner))


def proxied() -> bool:
    """Whether the environment routes requests through a proxy (which then resolves the hosts itself)."""
    return any(os.environ.get(name) for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
                                                 "https_proxy", "all_proxy"))
