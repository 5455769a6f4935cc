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
# The Accept patterns nginx tries in order (a regex map takes the first match, ignoring q):
# each named type, then the wildcards. No Accept at all gets HTML; an Accept that matches
# none of these gets 406.
NGINX_ACCEPT = (
    ("~*text/html", "html"),
    ("~*application/xhtml\\+xml", "html"),
    ("~*text/turtle", "ttl"),
    ("~*application/ld\\+json", "jsonld"),
    ("~*application/n-triples", "nt"),
    ("~*application/rdf\\+xml", "rdf"),
    ("~*text/\\*", "html"),
    ("~*application/\\*", "jsonld"),
    ("~\\*/\\*", "html"),
)
# Apache's quality of source for each document type, multiplied by the client's q: HTML wins
# for */*, then this order breaks ties; close to 1 so that a client's own preference wins.
APACHE_QS = {"html": "1.0", "ttl": "0.99", "jsonld": "0.98", "nt": "0.97", "rdf": "0.96"}


def server_name(base_url: str) -> str:
    """The host the configuration answers for ('_' when the base is a w3id.org redirect)."""
    host = urlsplit(base_url).hostname or "_"
    return "_" if host == "w3id.org" else host


def nginx_accept_map(variable: str, formats: dict[str, str]) -> str:
    """An nginx map from the Accept header to the extension of one of these formats ('' if none)."""
    lines = "\n".join(f'    "{pattern}" {ext};' for pattern, ext in NGINX_ACCEPT if ext in formats)
    return f"""map $http_accept ${variable} {{
    default "";
    "" html;
{lines}
}}"""


def not_acceptable(formats: dict[str, str]) -> str:
    """The body of a 406 answer: the media types a document comes in."""
    return "Not Acceptable: this document comes as " + ", ".join(formats.values())


def nginx_config(web_root: Path, base_url: str, endpoint: str = DEFAULT_ENDPOINT) -> str:
    """An nginx server block (include it inside `http { }`) serving the publication."""
    types = "\n".join(
        f"        {media} {ext};" for ext, media in sorted(MEDIA_TYPES.items(), key=lambda i: i[0])
    )
    # text/html always gets the charset (nginx warns about listing it again)
    links = ", ".join(
        f"</doc/$detente_doc.{ext}>; rel=alternate; type={media}"
        for ext, media in DOCUMENT_FORMATS.items()
    )
    charset_types = " ".join(
        sorted({m for m in MEDIA_TYPES.values() if _is_text(m) and m != "text/html"})
    )
    return f"""# detente publication: nginx configuration written by `detente build`.
# Include this file inside the `http {{ }}` block (e.g. copy it to /etc/nginx/conf.d/).
#  - /id/<type>/<slug> answers 303 See Other to /doc/<type>/<slug>;
#  - /doc/<type>/<slug> and /ontology are content-negotiated (Vary: Accept):
#    text/html (default, and */*), text/turtle, application/ld+json, application/n-triples
#    (and application/rdf+xml for the ontology); an Accept naming none of them gets 406.
#    nginx takes the first type of the lists below that the Accept header names, whatever
#    its q-value; the Apache configuration honours q.
#  - /sparql is passed to `detente serve` ({endpoint}); without it, /sparql answers 502.
#  - `server_name _` answers any host only as the port's default server: remove Debian's
#    /etc/nginx/sites-enabled/default, or name your host here.

{nginx_accept_map("detente_doc_ext", DOCUMENT_FORMATS)}

{nginx_accept_map("detente_ontology_ext", ONTOLOGY_FORMATS)}

server {{
    listen 80;
    server_name {server_name(base_url)};
    root {web_root};
    index index.html;
    absolute_redirect off;
    charset utf-8;
    charset_types {charset_types};

    types {{
{types}
    }}
    default_type application/octet-stream;

    location ^~ /conf/ {{ return 404; }}
    location ~ ^/\\.(?!well-known/) {{ return 404; }}  # .build-stamp and other hidden files
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
        add_header Link "{links}" always;
        default_type text/plain;
        if ($detente_doc_ext = "") {{
            return 406 "{not_acceptable(DOCUMENT_FORMATS)}\\n";
        }}
        try_files /doc/$detente_doc.$detente_doc_ext =404;
    }}

    location = /ontology {{
        add_header Vary Accept always;
        default_type text/plain;
        if ($detente_ontology_ext = "") {{
            return 406 "{not_acceptable(ONTOLOGY_FORMATS)}\\n";
        }}
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
# Needs mod_rewrite, mod_headers, mod_negotiation, mod_mime, mod_dir (and mod_proxy_http for
# /sparql):  a2enmod rewrite headers negotiation mime dir proxy_http
# /id/<type>/<slug> answers 303 See Other to /doc/<type>/<slug>; /doc/... and /ontology are
# content-negotiated by MultiViews, which honours q-values (HTML for */* and without Accept;
# 406 with the list of variants for an Accept naming none of them).
# Without a ServerName this host answers any name only as the first *:80 virtual host:
# disable Debian's 000-default site (a2dissite 000-default), or add your ServerName.
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
    # qs (quality of source) steers MultiViews; it is no part of the Content-Type sent.
    Header edit Content-Type ";\\s*qs=[0-9.]+" ""

    <Directory "{web_root}/conf">
        Require all denied
    </Directory>
    <Directory "{web_root}/screenshots">
        Require all denied
    </Directory>
    <Location "/.well-known/void">
        ForceType "text/turtle; charset=utf-8"
    </Location>

    RewriteEngine On
    RewriteRule "^/(conf|screenshots)(/|$)" "-" [R=404,L]
    RewriteRule "^/\\.(?!well-known/)" "-" [R=404,L]
    RewriteRule "^/id/([a-z0-9-]+/[a-z0-9-]+)$" "/doc/$1" [R=303,L]
    <LocationMatch "^/id/">
        Header always set Vary Accept
    </LocationMatch>
    <LocationMatch "^/doc/|^/ontology$">
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
