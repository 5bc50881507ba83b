"""Compare checked records with the database and write the differences in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.text import slugify
from ..models import Attribute, AuditEntry, Service, ServiceAtLocation, utcnow
from ..services.changes import record_change
from .loading import batches, load_by_id
from .records import Bundle, Record, Row
from .report import ImportReport, Text, nl
from .schema import CHILDREN, MODELS, ChildSpec

Progress = Callable[[int, int], None]

#: Flush pending rows to the database every this many services (keeps memory flat).
FLUSH_EVERY = 200


def load_existing(session: Session, kind: str, ids: list[str], *extra: Any) -> dict[str, Any]:
    """Load the existing entities of one kind with their children (and ``extra`` loader
    options), in a few queries."""
    model = MODELS[kind]
    options = [
        # Comparing attributes needs only the term id, not the joined term and taxonomy.
        selectinload(getattr(model, name)).lazyload(Attribute.taxonomy_term)
        if name == "attributes"
        else selectinload(getattr(model, name))
        for name in CHILDREN[kind]
    ]
    for name, spec in CHILDREN[kind].items():
        for sub in spec.children:
            options.append(
                selectinload(getattr(model, name)).selectinload(getattr(spec.model, sub))
            )
    return load_by_id(session, model, ids, *options, *extra)


class Writer:
    """Upsert records by id; leave unchanged entities untouched (no version, audit or log)."""

    def __init__(
        self,
        session: Session,
        report: ImportReport,
        *,
        actor: str,
        user_id: str | None,
        comment: str,
    ) -> None:
        self.session = session
        self.report = report
        self.actor = actor
        self.user_id = user_id
        self.comment = comment
        self._slugs: dict[str, set[str]] = {}
        self.changed: dict[str, set[str]] = {kind: set() for kind in MODELS}
        self.existing_services: set[str] = set()

    def load_existing(self, kind: str, ids: list[str]) -> dict[str, Any]:
        """Load the existing entities of one kind with their children, in a few queries."""
        return load_existing(self.session, kind, ids)

    def run(self, bundle: Bundle, *, apply: bool, progress: Progress | None = None) -> None:
        """Count (and when ``apply``, write) creates and updates for every record."""
        total = len(bundle.services)
        for kind, records in (
            ("organization", bundle.organizations),
            ("location", bundle.locations),
        ):
            existing = self.load_existing(kind, list(records))
            for record in records.values():
                self._upsert(kind, record, existing.get(record.id), apply=apply)
            if apply:
                self.session.flush()
        existing = self.load_existing("service", list(bundle.services))
        self.existing_services = set(existing)
        for done, record in enumerate(bundle.services.values(), 1):
            self._upsert("service", record, existing.get(record.id), apply=apply)
            if apply and done % FLUSH_EVERY == 0:
                self.session.flush()
            if progress is not None:
                progress(done, total)
        if apply:
            self.session.flush()
            self._record_search_changes()

    # -- one entity ------------------------------------------------------------------------

    def _upsert(self, kind: str, record: Record, obj: Any, *, apply: bool) -> None:
        counts = self.report.counts[kind]
        if obj is None:
            counts.created += 1
            self.changed[kind].add(record.id)
            if apply:
                self._create(kind, record)
            return
        if getattr(obj, "deleted_at", None) is not None:
            self.report.warn(
                record.row,
                "id",
                nl(
                    "Deze %(kind)s (id %(id)s) is verwijderd in Wegwijzer; de gegevens worden "
                    "bijgewerkt, maar niet teruggezet. Zet hem terug in beheer.",
                    kind=_label(kind),
                    id=record.id,
                ),
                file=record.file,
            )
        changes = differences(kind, record, obj)
        if not changes:
            counts.unchanged += 1
            return
        counts.updated += 1
        self.changed[kind].add(record.id)
        if not apply:
            return
        for key, value in record.fields.items():
            if getattr(obj, key) != value:
                setattr(obj, key, value)
        for name, spec in CHILDREN[kind].items():
            if name in record.children:
                _sync(
                    spec,
                    getattr(obj, name),
                    record.children[name],
                    record.keep_private,
                    apply=True,
                    keep_unlisted=name in record.keep_unlisted,
                )
        if hasattr(obj, "updated_at"):
            # Any change, also in a child table, bumps the version (optimistic locking).
            obj.updated_at = utcnow()
        self._audit(kind, record.id, "update", changes)

    def _create(self, kind: str, record: Record) -> None:
        model = MODELS[kind]
        values = {**record.create_defaults, **record.fields}
        if kind in ("organization", "service"):
            values["slug"] = self._unique_slug(kind, values["name"])
        obj = model(id=record.id, **values)
        self.session.add(obj)
        for name, spec in CHILDREN[kind].items():
            _sync(spec, getattr(obj, name), record.children.get(name, []), False, apply=True)
        changes = {
            key: [None, _plain(value)]
            for key, value in values.items()
            if value not in (None, "", [])
        }
        for name, spec in CHILDREN[kind].items():
            rows = record.children.get(name, [])
            if rows:
                changes[name] = [[], [_row_summary(spec, r) for r in rows]]
        self._audit(kind, record.id, "create", changes)

    def _unique_slug(self, kind: str, name: str) -> str:
        model = MODELS[kind]
        taken = self._slugs.get(kind)
        if taken is None:
            taken = set(self.session.scalars(select(model.slug)))
            self._slugs[kind] = taken
        base = slugify(name, 100)
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        return slug

    def _audit(self, kind: str, entity_id: str, action: str, changes: dict[str, Any]) -> None:
        self.session.add(
            AuditEntry(
                user_id=self.user_id,
                actor=self.actor,
                entity_type=kind,
                entity_id=entity_id,
                action=action,
                changes=changes,
                comment=self.comment,
            )
        )

    def _record_search_changes(self) -> None:
        """Log every service whose search document changed, in this same transaction."""
        ids = set(self.changed["service"])
        # A service's document holds its organisation's and locations' data too.
        for kind, service_column, link in (
            ("organization", Service.id, Service.organization_id),
            ("location", ServiceAtLocation.service_id, ServiceAtLocation.location_id),
        ):
            for chunk in batches(self.changed[kind]):
                ids.update(self.session.scalars(select(service_column).where(link.in_(chunk))))
        for service_id in sorted(ids):
            record_change(self.session, "service", service_id)
        self.report.changed_service_ids = sorted(self.changed["service"])


def differences(kind: str, record: Record, obj: Any) -> dict[str, Any]:
    """Return what writing ``record`` would change in the existing ``obj``: {name: [old, new]}."""
    changes = {
        key: [_plain(getattr(obj, key)), _plain(value)]
        for key, value in record.fields.items()
        if getattr(obj, key) != value
    }
    for name, spec in CHILDREN[kind].items():
        if name not in record.children:
            continue
        rows = record.children[name]
        collection = getattr(obj, name)
        keep = name in record.keep_unlisted
        if _sync(spec, collection, rows, record.keep_private, apply=False, keep_unlisted=keep):
            changes[name] = [
                _summary(spec, collection, record.keep_private),
                [_row_summary(spec, r) for r in rows],
            ]
    return changes


def _label(kind: str) -> Text:
    return {
        "organization": nl("organisatie"),
        "service": nl("dienst"),
        "location": nl("locatie"),
    }[kind]


def _key(spec: ChildSpec, row: Row) -> Any:
    return row.id if spec.key == "id" else row.fields[spec.key]


def _kept(spec: ChildSpec, obj: Any, keep_private: bool) -> bool:
    """Return True for an existing child the file cannot see (non-public, public file)."""
    return keep_private and spec.private and not obj.is_public


def _sync(
    spec: ChildSpec,
    collection: list[Any],
    rows: list[Row],
    keep_private: bool,
    *,
    apply: bool,
    keep_unlisted: bool = False,
) -> bool:
    """Make ``collection`` match ``rows`` (by key); return True when anything differs."""
    existing = {getattr(obj, spec.key): obj for obj in collection}
    changed = False
    wanted = set()
    for row in rows:
        key = _key(spec, row)
        wanted.add(key)
        obj = existing.get(key)
        if obj is None:
            changed = True
            if not apply:
                continue
            obj = spec.model(id=row.id, **row.fields)
            collection.append(obj)
            for name, sub in spec.children.items():
                _sync(sub, getattr(obj, name), row.children.get(name, []), False, apply=True)
            continue
        for field, value in row.fields.items():
            if getattr(obj, field) != value:
                changed = True
                if apply:
                    setattr(obj, field, value)
        for name, sub in spec.children.items():
            if _sync(
                sub, getattr(obj, name), row.children.get(name, []), keep_private, apply=apply
            ):
                changed = True
    for key, obj in existing.items():
        if key in wanted or keep_unlisted or _kept(spec, obj, keep_private):
            continue
        changed = True
        if apply:
            collection.remove(obj)
    return changed


def _row_summary(spec: ChildSpec, row: Row) -> dict[str, Any]:
    summary = {k: _plain(v) for k, v in row.fields.items() if v not in (None, "")}
    for name, sub in spec.children.items():
        nested = row.children.get(name, [])
        if nested:
            summary[name] = [_row_summary(sub, r) for r in nested]
    return summary


def _summary(spec: ChildSpec, collection: list[Any], keep_private: bool) -> list[dict[str, Any]]:
    out = []
    for obj in collection:
        item = {
            f: _plain(getattr(obj, f)) for f in spec.fields if getattr(obj, f) not in (None, "")
        }
        for name, sub in spec.children.items():
            nested = _summary(sub, getattr(obj, name), keep_private)
            if nested:
                item[name] = nested
        out.append(item)
    return out


def _plain(value: Any) -> Any:
    """Return a JSON-safe value for the audit trail."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
