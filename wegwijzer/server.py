"""Run the app under gunicorn, with access logs that never contain search terms."""

from __future__ import annotations

import contextvars
import errno
import gc
import socket
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .extensions import Database
from .logs import JsonLogger

#: Time, method, path without query string, status, bytes, duration. No IP address and no
#: query string: residents' search terms must never be logged with who searched.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def gunicorn_options(
    host: str, port: int, workers: int, demo: bool, log_format: str = "text"
) -> dict[str, Any]:
    """Return the gunicorn settings for ``wegwijzer serve`` and ``wegwijzer demo``."""
    json_logs = {"logger_class": JsonLogger} if log_format == "json" else {}
    return {
        **json_logs,
        "bind": f"{host}:{port}",
        "workers": workers,
        # One request at a time per process: under concurrent threads in one worker the
        # process crashed (SIGSEGV, see README "Production deployment"), and threads add no
        # search throughput under the GIL anyway; more processes do.
        "worker_class": "sync",
        "threads": 1,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "warning" if demo else "info",
        "timeout": 60,
        "graceful_timeout": 10,
        "forwarded_allow_ips": "127.0.0.1",
    }


def port_problem(host: str, port: int) -> str | None:
    """Return why the server could not listen on ``host:port`` (one Dutch line), or None.

    Checked before gunicorn starts: gunicorn itself retries a taken port for five seconds and
    then prints its own errors, which tell a new user nothing.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        return f"Adres {host} bestaat niet op deze computer; kies een ander met --host"
    except OverflowError:
        return f"Poort {port} bestaat niet; kies een poort van 1 tot en met 65535 met --port"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # The same option gunicorn sets, so a port in TIME_WAIT counts as free, as it is.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"Poort {port} is al in gebruik; kies een andere met --port"
            if exc.errno == errno.EACCES:
                return f"Poort {port} mag u niet gebruiken; kies een poort boven 1024 met --port"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"Adres {host} hoort niet bij deze computer; kies een ander met --host"
            return f"Kan niet luisteren op {host}:{port} ({exc.strerror}); kies een andere --port"
    return None


def run_server(app: Flask, host: str, port: int, workers: int, demo: bool) -> None:
    """Serve ``app`` until interrupted."""
    engine = Database.engine(app)
    # Connections opened by the start-up work must not be shared with forked workers.
    engine.dispose()
    options = gunicorn_options(host, port, workers, demo, app.config.get("LOG_FORMAT", "text"))
    options["post_fork"] = lambda _server, _worker: engine.dispose(close=False)
    # What is loaded now (modules, the spelling index) stays in memory pages shared with the
    # forked workers: without this, every garbage collection in a worker would write to
    # each object's header and so give the worker a private copy of those pages.
    # Compiled templates too: otherwise each worker compiles its own copy on first use.
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()
    # Outside the command's application context: under it, every request would reuse that
    # one context, its ``g`` and its database session, instead of getting its own.
    contextvars.Context().run(_Server(app, options).run)
