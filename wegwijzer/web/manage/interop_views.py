"""Upload an import file and download exports (beheerders); the CLI uses the same functions."""

from __future__ import annotations

import io
import json

from flask import Response as FlaskResponse
from flask import current_app, render_template, request
from flask_babel import gettext as _

from ...domain.hours import today
from ...extensions import db
from ...interop import export_flat_csv, export_hsds_csv, export_hsds_json, import_file
from ...models import Role
from ..auth import role_required
from .blueprint import bp, logged_in_user
from .forms import ImportForm

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
        )
        if not report.ok:
            status = 422
    elif request.method == "POST":
        status = 400 if form.csrf_token.errors else 422
    html = render_template(
        "manage/import_export.html",
        form=form,
        report=report,
        max_mb=max_bytes // (1024 * 1024),
        exports={fmt: _label(fmt) for fmt in EXPORTS},
    )
    return html, status


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
