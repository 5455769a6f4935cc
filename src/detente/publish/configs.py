"""Web server configuration for a publication: nginx and Apache, 303s and content negotiation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from detente.publish.layout import DOCUMENT_FORMATS, ONTOLOGY_FORMATS

DEFAULT_ENDPOINT = "http://127.0.0.1:8000"  # where `detente serve` answers /sparql behind the proxy

# File types the publication holds: extension -> media type (text types get charset=utf-8).
MEDIA_TYPES = {
    "html": "text/html",
    "css": "text/css",
    "js": "text/javascript",
    "svg": "image/svg+xml",
    "png": "image/png",
    "json": "application/json",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "gz": "application/gzip",
}
# The Accept patterns nginx tries in order (a regex map takes the first match, ignoring q).
NGINX_ACCEPT = (
    ("text/html", "html"),
    ("application/xhtml\\+xml", "html"),
    ("text/turtle", "ttl"),
    ("application/ld\\+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf\\+xml", "rdf"),
)
# Apache's quality of source for each document type: HTML wins for */*.
APACHE_QS = {"html": "1.0", "ttl": "0.9", "jsonld": "0.8", "nt": "0.7", "rdf": "0.6"}


def server_name(base_url: str) -> str:
    """The host the configuration answers for ('_' when the base is a w3id.org redirect)."""
    host = urlsplit(base_url).hostname or "_"
    return "_" if host == "w3id.org" else host


def nginx_config(web_root: Path, base_url: str, endpoint: str = DEFAULT_ENDPOINT) -> str:
    """An nginx server block (include it inside `http { }`) serving the publication."""
    accept = "\n".join(f'    "~*{pattern}" {ext};' for pattern, ext in NGINX_ACCEPT)
    doc_accept = "\n".join(
        f'    "~*{pattern}" {ext};' for pattern, ext in NGINX_ACCEPT if ext in DOCUMENT_FORMATS
    )
    types = "\n".join(
        f"        {media} {ext};" for ext, media in sorted(MEDIA_TYPES.items(), key=lambda i: i[0])
    )
    charset_types = " ".join(sorted({m for m in MEDIA_TYPES.values() if _is_text(m)}))
    return f"""# detente publication: nginx configuration written by `detente build`.
# Include this file inside the `http {{ }}` block (e.g. copy it to /etc/nginx/conf.d/).
#  - /id/<type>/<slug> answers 303 See Other to /doc/<type>/<slug>;
#  - /doc/<type>/<slug> and /ontology are content-negotiated (Vary: Accept):
#    text/html (default, and */*), text/turtle, application/ld+json, application/n-triples
#    (and application/rdf+xml for the ontology). nginx takes the first type of the list below
#    that the Accept header names, whatever its q-value; the Apache configuration honours q.
#  - /sparql is passed to `detente serve` ({endpoint}); without it, /sparql answers 502.

map $http_accept $detente_doc_ext {{
    default html;
{doc_accept}
}}

map $http_accept $detente_ontology_ext {{
    default html;
{accept}
}}

server {{
    listen 80;
    server_name {server_name(base_url)};
    root {web_root};
    index index.html;
    charset utf-8;
    charset_types {charset_types};

    types {{
{types}
    }}
    default_type application/octet-stream;

    location ^~ /conf/ {{ return 404; }}
    location ^~ /screenshots/ {{ return 404; }}

    location = /.well-known/void {{
        default_type text/turtle;
        types {{ }}
    }}

    location ~ ^/id/(?<detente_id>[a-z0-9-]+/[a-z0-9-]+)$ {{
        add_header Vary Accept always;
        return 303 /doc/$detente_id;
    }}

    location ~ ^/doc/(?<detente_doc>[a-z0-9-]+/[a-z0-9-]+)$ {{
        add_header Vary Accept always;
        add_header Link "</doc/$detente_doc.ttl>; rel=alternate; type=text/turtle" always;
        try_files /doc/$detente_doc.$detente_doc_ext =404;
    }}

    location = /ontology {{
        add_header Vary Accept always;
        try_files /ontology.$detente_ontology_ext =404;
    }}

    location = /sparql {{
        proxy_pass {endpoint}/sparql;
        proxy_set_header Host $host;
        proxy_read_timeout 60s;
    }}
}}
"""


def _is_text(media: str) -> bool:
    """Whether a media type is text (gets a charset)."""
    return media.startswith("text/") or media in (
        "application/ld+json",
        "application/n-triples",
        "application/n-quads",
        "application/trig",
        "application/json",
        "image/svg+xml",
        "application/rdf+xml",
    )


def apache_config(web_root: Path, base_url: str, endpoint: str = DEFAULT_ENDPOINT) -> str:
    """An Apache virtual host serving the publication (rewrite, negotiation, headers)."""
    add_types = "\n".join(
        f'    AddType "{media}; qs={APACHE_QS[ext]}" .{ext}'
        for ext, media in ONTOLOGY_FORMATS.items()
    )
    other_types = "\n".join(
        f"    AddType {media} .{ext}"
        for ext, media in sorted(MEDIA_TYPES.items())
        if ext not in ONTOLOGY_FORMATS
    )
    host = server_name(base_url)
    name_line = f"    ServerName {host}\n" if host != "_" else ""
    return f"""# detente publication: Apache 2.4 configuration written by `detente build`.
# Needs mod_rewrite, mod_headers, mod_negotiation, mod_mime (and mod_proxy_http for /sparql):
#   a2enmod rewrite headers negotiation mime proxy_http
# /id/<type>/<slug> answers 303 See Other to /doc/<type>/<slug>; /doc/... and /ontology are
# content-negotiated by MultiViews, which honours q-values (HTML for */*).
<VirtualHost *:80>
{name_line}    DocumentRoot "{web_root}"
    AddDefaultCharset utf-8
    AddCharset utf-8 .html .ttl .nt .jsonld .rdf .trig .nq .svg .css .js

    <Directory "{web_root}">
        Options +MultiViews -Indexes +FollowSymLinks
        AllowOverride None
        Require all granted
        MultiviewsMatch Any
        DirectoryIndex index.html
    </Directory>

{add_types}
{other_types}

    <Directory "{web_root}/conf">
        Require all denied
    </Directory>
    <Directory "{web_root}/screenshots">
        Require all denied
    </Directory>
    <Location "/.well-known/void">
        ForceType text/turtle
    </Location>

    RewriteEngine On
    RewriteRule "^/id/([a-z0-9-]+/[a-z0-9-]+)$" "/doc/$1" [R=303,L]
    <LocationMatch "^/(id|doc)/|^/ontology$">
        Header merge Vary Accept
    </LocationMatch>

    <IfModule mod_proxy_http.c>
        ProxyPass "/sparql" "{endpoint}/sparql"
        ProxyPassReverse "/sparql" "{endpoint}/sparql"
    </IfModule>
</VirtualHost>
"""


def write_configs(
    root: Path, base_url: str, web_root: Path | None = None, endpoint: str = DEFAULT_ENDPOINT
) -> None:
    """Write conf/nginx.conf and conf/apache.conf for a publication served from web_root."""
    folder = root / "conf"
    folder.mkdir(parents=True, exist_ok=True)
    served = web_root or root
    (folder / "nginx.conf").write_text(nginx_config(served, base_url, endpoint), encoding="utf-8")
    (folder / "apache.conf").write_text(apache_config(served, base_url, endpoint), encoding="utf-8")
