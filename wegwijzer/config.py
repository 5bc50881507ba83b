"""Default configuration; override in ``instance/config.py`` or with ``WEGWIJZER_*`` env vars."""

from __future__ import annotations

from .resources import DATA_DIR as _DATA_DIR

#: Secret for signing sessions and CSRF tokens. Required outside demo and debug mode.
SECRET_KEY: str | None = None

#: SQLAlchemy database URL. Empty means a SQLite file in the instance directory.
#: PostgreSQL: ``postgresql+psycopg://user@host/dbname``.
DATABASE_URL: str = ""

#: Directory of the Whoosh search index. Empty means ``<instance>/index``.
INDEX_DIR: str = ""

#: Read-only data shipped with the application: taxonomy, synonyms, route, gazetteer, demo set.
DATA_DIR: str = str(_DATA_DIR)

#: Guided-route definition; empty means ``route.json`` in DATA_DIR.
ROUTE_FILE: str = ""

#: Demo mode: shows the "voorbeeldgegevens" banner and allows the development secret key.
DEMO: bool = False

#: Address of the site as people reach it, for links the command line prints or mails
#: (``https://wegwijzer.zwolle.nl``). Empty: http://127.0.0.1:5000 for the demo, else port 8000.
BASE_URL: str = ""

#: Languages of the site; the first is the default.
LANGUAGES: tuple[str, ...] = ("nl", "en")
BABEL_DEFAULT_LOCALE = "nl"
BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"

#: Map tiles. Default: PDOK BRT-Achtergrondkaart (Dutch government, no tracking).
TILE_URL = (
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
)
TILE_ATTRIBUTION = (
    'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a>'
    " (PDOK BRT-Achtergrondkaart)"
)
#: Host of the tile server, allowed in the Content-Security-Policy ``img-src``.
TILE_HOST = "https://service.pdok.nl"

#: Each worker keeps at most this many rendered maps, and this many bytes of them
#: (compressed), to serve a map again without folium; 0 turns the cache off. At 20,000
#: services 2 MB holds some 80 results maps or 200 service maps (about 3 MB of memory).
MAP_CACHE_ENTRIES = 256
MAP_CACHE_BYTES = 2 * 1024 * 1024

#: Entries not verified for this many months are "stale" and flagged to their editors.
STALE_MONTHS = 6

#: A closed referral's history is deleted after this many months; only monthly counts remain.
REFERRAL_RETENTION_MONTHS = 18

#: A phase x theme cell with at least this many organisations counts as overlap.
OVERLAP_THRESHOLD = 3

#: Largest import file accepted, in bytes.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_CONTENT_LENGTH = 25 * 1024 * 1024

#: Logged-in sessions end after this many minutes without activity.
SESSION_IDLE_MINUTES = 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True

#: argon2id cost for password hashes (argon2-cffi's defaults, RFC 9106 "low memory").
#: Raising them re-hashes each password at its next login.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65536  # KiB
ARGON2_PARALLELISM = 4

#: Results per page on the public site.
PER_PAGE = 20

#: Optional outgoing mail for stale-entry reminders and invitations.
MAIL_SERVER = ""
MAIL_PORT = 25
MAIL_FROM = "wegwijzer@localhost"

#: Number of reverse proxies in front of the app (nginx, Caddy) whose X-Forwarded-For and
#: X-Forwarded-Proto headers are trusted. 0 (default) trusts none; set 1 behind one proxy, or
#: every visitor shares the proxy's address in the login and report rate limits.
PROXY_COUNT = 0

#: Change-log rows are kept this many days (and until every live search index applied them);
#: ``wegwijzer prune-changes`` and ``wegwijzer reindex`` delete older ones. A host whose index
#: was down longer rebuilds its index when it comes back.
CHANGE_LOG_RETENTION_DAYS = 7

#: Log format of ``wegwijzer serve`` and the commands: "text" or "json" (one JSON object per
#: line). Neither ever contains a query string, an IP address or personal data.
LOG_FORMAT = "text"

#: Seconds a process waits for the Whoosh writer lock before giving up.
INDEX_LOCK_TIMEOUT = 30.0
