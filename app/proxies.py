"""Which client address to believe. Behind a reverse proxy the client's address arrives in
X-Forwarded-For, which anyone can write: it is believed only when the request comes from one of
TRUSTED_PROXIES (addresses or networks), PROXY_COUNT hops deep. A client that reaches gunicorn
directly keeps its own address, whatever headers it sends, so it cannot reset the per-address
limits (registration form, sign-in, password reset) by forging them.

"unix" in TRUSTED_PROXIES stands for a Unix socket (`gunicorn --bind unix:…`, readable by the proxy
only): a request through it has no address of its own (gunicorn gives an empty REMOTE_ADDR), so
without its forwarded address every visitor would be one client and share one set of limits."""

from ipaddress import ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


UNIX_SOCKET = "unix"


def _items(value) -> list[str]:
    return value.replace(",", " ").split() if isinstance(value, str) else [str(item) for item in value or ()]


def parse_networks(value) -> tuple:
    """"127.0.0.1, 10.0.0.0/8 ::1 unix" (or a list) → networks (`unix` is not one); RuntimeError
    naming a bad entry."""
    networks = []
    for item in _items(value):
        if item.strip().lower() == UNIX_SOCKET:
            continue
        try:
            networks.append(ip_network(item.strip(), strict=False))
        except ValueError:
            raise RuntimeError(f"TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return tuple(networks)


class TrustedProxyFix:
    """ProxyFix for requests from a trusted proxy; for any other, the forwarded headers are dropped."""

    def __init__(self, app, trusted, count: int):
        self.app = app
        self.trusted = parse_networks(trusted)
        self.unix_socket = UNIX_SOCKET in (item.strip().lower() for item in _items(trusted))
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count)

    def from_trusted_proxy(self, peer: str) -> bool:
        if not peer:
            return self.unix_socket
        try:
            address = ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def __call__(self, environ, start_response):
        if self.from_trusted_proxy(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)
