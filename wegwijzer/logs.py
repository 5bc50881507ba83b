"""Log format: plain text (default) or one JSON object per line (``LOG_FORMAT = "json"``).

Whatever the format, log lines never hold a query string (a resident's search words), an IP
address or the values of a database statement; an exception is logged with its type and the
code lines of its traceback, not its message (which may quote what someone typed).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger

FORMATS = ("text", "json")
_HANDLER_NAME = "wegwijzer-json"


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: time, level, logger, message (and error, trace)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__
            out["trace"] = "".join(traceback.format_tb(record.exc_info[2])).rstrip()
        return json.dumps(out, ensure_ascii=False)


def check_format(value: str) -> str:
    """Return the log format ``value`` names, or raise ValueError saying the choices."""
    fmt = (value or "text").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT kent '{value}' niet; kies text of json.")
    return fmt


def configure_logging(fmt: str) -> None:
    """Send the application's log records to stderr as JSON lines (``fmt == "json"``).

    Text needs nothing: records then go to Python's default handler (warnings and errors on
    stderr) and gunicorn's own log. Calling this twice adds no second handler.
    """
    if fmt != "json":
        return
    root = logging.getLogger()
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


class JsonLogger(Logger):  # type: ignore[misc]
    """gunicorn's logs as JSON lines: the same fields as ACCESS_LOG_FORMAT, never more."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "info",
            "logger": "access",
            "method": environ.get("REQUEST_METHOD"),
            # PATH_INFO: the path without the query string, where search words travel.
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "ms": request_time.seconds * 1000 + request_time.microseconds // 1000,
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))
