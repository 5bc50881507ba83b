"""Upload an import file and download exports (beheerders); the CLI uses the same functions."""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import time
from pathlib import Path

from flask import Response as FlaskResponse
from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from ...domain.hours import today
from ...extensions import db
from ...interop import (
    ImportReport,
    export_flat_csv,
    export_hsds_csv,
    export_hsds_json,
    import_file,
)
from ...interop.report import rejected_csv
from ...models import Role
from ..auth import role_required
from .blueprint import bp, logged_in_user
from .forms import ImportForm

log = logging.getLogger(__name__)
#: How long the rejected rows of an import stay downloadable.
REJECTED_KEEP_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
#: Export formats on the download page: (file name suffix, mime type).
EXPORTS = {
    "hsds-json": ("hsds.json", "application/json"),
    "hsds-csv": ("hsds-csv.zip", "application/zip"),
    "csv": ("diensten.csv", "text/csv"),
}


@bp.route("/import-export", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_export() -> str | tuple[str, int]:
    """Check or import an HSDS JSON, HSDS CSV package (zip) or flat CSV file; list exports."""
    form = ImportForm()
    report = None
    rejected_token = None
    status = 200
    max_bytes = int(current_app.config["MAX_IMPORT_BYTES"])
    if form.validate_on_submit():
        upload = request.files.get("file")
        data = upload.read(max_bytes + 1) if upload else b""
        user = logged_in_user()
        report = import_file(
            data,
            None,
            dry_run=bool(form.dry_run.data),
            actor=user.email,
            user_id=user.id,
            max_bytes=max_bytes,
            allowed_gm_codes=user.gm_codes,
            skip_invalid=bool(form.skip_invalid.data),
            publish=bool(form.publish.data),
        )
        if report.rejected:
            rejected_token = _store_rejected(user.id, rejected_csv(report))
        if not report.ok:
            status = 422
    elif request.method == "POST":
        status = 400 if form.csrf_token.errors else 422
    html = render_template(
        "manage/import_export.html",
        form=form,
        report=report,
        summary=_summary(report) if report else "",
        rejected_token=rejected_token,
        max_mb=max_bytes // (1024 * 1024),
        exports={fmt: _label(fmt) for fmt in EXPORTS},
    )
    return html, status


@bp.get("/import-export/afgewezen/<token>")
@role_required(Role.ADMIN)
def rejected_download(token: str) -> FlaskResponse | tuple[str, int]:
    """Download the services the user's last import left out, with their reasons (CSV)."""
    path = _rejected_path(logged_in_user().id, token)
    if path is None or not path.is_file():
        return render_template("manage/forbidden.html"), 404
    return FlaskResponse(
        b"\xef\xbb\xbf" + path.read_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=afgewezen-diensten.csv"},
    )


def _rejected_dir() -> Path:
    return Path(current_app.instance_path) / "import-afgewezen"


def _rejected_path(user_id: str, token: str) -> Path | None:
    """Return the file of this user's token; None for a token that is not ours."""
    if not TOKEN_RE.fullmatch(token) or not TOKEN_RE.fullmatch(user_id):
        return None
    return _rejected_dir() / f"{user_id}-{token}.csv"


def _store_rejected(user_id: str, content: str) -> str | None:
    """Keep the rejected rows for download by this user for a day; return the token."""
    folder = _rejected_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - REJECTED_KEEP_SECONDS
        for old in folder.glob("*.csv"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        token = secrets.token_urlsafe(18)
        path = _rejected_path(user_id, token)
        if path is None:
            return None
        path.write_text(content, encoding="utf-8")
    except OSError:
        log.exception("could not keep the rejected rows of an import")
        return None
    return token


def _summary(report: ImportReport) -> str:
    """Return the report's counts as one sentence in the page's language."""
    parts = []
    for name, c in report.counts.items():
        if not c.total:
            continue
        counts = {"new": c.created, "changed": c.updated, "same": c.unchanged}
        if name == "organization":
            text = ngettext(
                "%(num)s organisatie (%(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd)",
                "%(num)s organisaties (%(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd)",
                c.total,
                **counts,
            )
        elif name == "service":
            text = ngettext(
                "%(num)s dienst (%(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd)",
                "%(num)s diensten (%(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd)",
                c.total,
                **counts,
            )
        else:
            text = ngettext(
                "%(num)s locatie (%(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd)",
                "%(num)s locaties (%(new)s nieuw, %(changed)s gewijzigd, %(same)s ongewijzigd)",
                c.total,
                **counts,
            )
        parts.append(text)
    body = "; ".join(parts) or _("geen gegevens")
    if not report.ok:
        text = _(
            "Niet geïmporteerd: %(n)s fout(en) gevonden. In het bestand: %(body)s.",
            n=len(report.errors),
            body=body,
        )
    elif report.dry_run:
        text = _("Proefimport, er is niets opgeslagen: %(body)s.", body=body)
    else:
        text = _("Geïmporteerd: %(body)s.", body=body)
    if report.ok and report.rejected:
        text += " " + _("%(n)s dienst(en) met fouten overgeslagen.", n=len(report.rejected))
    if report.ok and report.published:
        text += " " + _("%(n)s dienst(en) gepubliceerd.", n=report.published)
    return text


@bp.get("/export/<fmt>")
@role_required(Role.ADMIN)
def export_download(fmt: str) -> FlaskResponse | tuple[str, int]:
    """Download the published, public directory (the internal export is on the command line)."""
    if fmt not in EXPORTS:
        return render_template("manage/forbidden.html"), 404
    suffix, mime = EXPORTS[fmt]
    name = f"wegwijzer-{today().isoformat()}-{suffix}"
    if fmt == "hsds-json":
        body: bytes = (
            json.dumps(export_hsds_json(db.session), ensure_ascii=False, indent=2) + "\n"
        ).encode("utf-8")
    elif fmt == "hsds-csv":
        buffer = io.BytesIO()
        export_hsds_csv(db.session, buffer)
        body = buffer.getvalue()
    else:
        text = io.StringIO(newline="")
        export_flat_csv(db.session, text)
        body = ("\ufeff" + text.getvalue()).encode("utf-8")
    return FlaskResponse(
        body, mimetype=mime, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


def _label(fmt: str) -> str:
    return {
        "hsds-json": _("HSDS 3.0 JSON"),
        "hsds-csv": _("HSDS-tabellen (CSV in zip)"),
        "csv": _("Eén regel per dienst (CSV voor Excel)"),
    }[fmt]
