"""Which client address to believe. Behind a reverse proxy the client's address arrives in
X-Forwarded-For, which anyone can write: it is believed only when the request comes from one of
TRUSTED_PROXIES (addresses or networks), PROXY_COUNT hops deep. A client that reaches gunicorn
directly keeps its own address, whatever headers it sends, so it cannot reset the per-address
limits (registration form, sign-in, password reset) by forging them."""

from ipaddress import ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def parse_networks(value) -> tuple:
    """"127.0.0.1, 10.0.0.0/8 ::1" (or a list) → networks; RuntimeError naming a bad entry."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    networks = []
    for item in items:
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
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count)

    def from_trusted_proxy(self, peer: str) -> bool:
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
