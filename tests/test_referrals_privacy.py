"""No personal data in a referral: no column for free text, no form asking for it, no export."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from wegwijzer.extensions import Database, db
from wegwijzer.interop import export_hsds_json
from wegwijzer.models import Base
from wegwijzer.services.referrals.codes import ALPHABET, CODE_BITS, normalise_code

from .referrals_support import HELPER, ZWOLLE_ADMIN, World, build_world, logged_in, refer

#: Column types that cannot hold a sentence.
NUMERIC = ("INTEGER", "BIGINT", "BOOLEAN", "DATE", "DATETIME", "TIMESTAMP")
#: Short text columns that are allowed on referral tables, and what keeps text out of them:
#: a foreign key (an id of another row), a CHECK constraint (a fixed list) or the code alphabet.
SHORT_TEXT = {
    "referrals": {
        "code": "alphabet",
        "gm_code": "fk",
        "referring_organization_id": "fk",
        "referring_user_id": "fk",
        "receiving_service_id": "fk",
        "forwarded_to_service_id": "fk",
        "urgency": "check",
        "status": "check",
        "not_started_reason": "check",
    },
    "referral_status_changes": {
        "user_id": "fk",
        "forwarded_to_service_id": "fk",
        "status": "check",
        "reason": "check",
    },
    "referral_monthly_counts": {
        "gm_code": "fk",
        "referring_organization_id": "fk",
        "receiving_service_id": "fk",
        "measure": "check",
    },
    "referral_intakes": {"service_id": "fk"},
}


@pytest.fixture
def world(app: Flask, make_organization, make_service) -> World:
    return build_world(make_organization, make_service)


def test_every_column_of_the_referral_tables_is_a_number_a_date_an_id_or_a_fixed_choice(
    app: Flask,
) -> None:
    engine = Database.engine(app)
    inspector = inspect(engine)
    tables = sorted(t for t in inspector.get_table_names() if t.startswith("referral"))
    # A new referral table must be added above, with the reason each column is safe.
    assert tables == sorted(SHORT_TEXT)
    for table in tables:
        foreign = {c for fk in inspector.get_foreign_keys(table) for c in fk["constrained_columns"]}
        checks = " ".join(c["sqltext"] for c in inspector.get_check_constraints(table))
        for column in inspector.get_columns(table):
            name, kind = column["name"], column["type"]
            type_name = type(kind).__name__.upper()
            if any(type_name.startswith(t) for t in NUMERIC) or "DATETIME" in type_name:
                continue
            assert type_name in ("VARCHAR", "STRING"), (table, name, type_name)
            assert kind.length is not None and kind.length <= 40, (table, name, kind.length)
            why = SHORT_TEXT[table].get(name)
            assert why is not None, f"{table}.{name} could hold text: give it a fixed list or an id"
            if why == "fk":
                assert name in foreign, (table, name)
            elif why == "check":
                # SQLite keeps "x IN (...)"; PostgreSQL shows "(x)::text = ANY (ARRAY[...])".
                fixed_list = rf"\b{name}\)?(::text)? (IN \(|= ANY \()"
                assert re.search(fixed_list, checks), (table, name, checks)
    # The models say the same as the database (no Text or JSON anywhere).
    for table in tables:
        for column in Base.metadata.tables[table].columns:
            assert column.type.__class__.__name__ not in ("Text", "JSON", "LargeBinary"), column


def test_the_database_refuses_text_in_a_fixed_choice(app: Flask, world: World) -> None:
    referral = refer(world)
    for column in ("urgency", "status", "not_started_reason"):
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(f"UPDATE referrals SET {column} = 'Jan Jansen, Dorpsstraat 1' WHERE id = :id"),
                {"id": referral.id},
            )
        db.session.rollback()


def test_codes_use_the_readable_alphabet_with_enough_entropy(app: Flask, world: World) -> None:
    assert CODE_BITS >= 40
    assert not set("01ILO") & set(ALPHABET)
    codes = {refer(world).code for _ in range(30)}
    assert len(codes) == 30
    assert all(len(c) == 9 and set(c) <= set(ALPHABET) for c in codes)
    code = next(iter(codes))
    grouped = f"{code[:3]}-{code[3:6]}-{code[6:]}"
    assert normalise_code(grouped.lower()) == code
    assert normalise_code(f" {grouped} ") == code
    assert normalise_code("K7M-4QX-9T0") is None  # a zero is no code character
    assert normalise_code("K7M-4QX") is None  # too short


def test_referral_pages_have_no_field_to_type_personal_data(app: Flask, world: World) -> None:
    helper = logged_in(app, HELPER)
    new = helper.get(f"/beheer/overdrachten/nieuw/{world.debt_help.slug}").get_data(as_text=True)
    referral = refer(world)
    admin = logged_in(app, ZWOLLE_ADMIN)
    detail = admin.get(f"/beheer/overdrachten/{referral.code}").get_data(as_text=True)
    for html in (new, detail):
        assert "<textarea" not in html
        inputs = re.findall(r"<input[^>]*>", html)
        typed = [i for i in inputs if re.search(r'type="(text|search|tel|email|number)"', i)]
        # Only the code to look a referral up (it is never stored).
        assert all('name="code"' in i for i in typed), typed
    assert "Waarom vraagt Wegwijzer geen naam of adres?" in new
    assert "Waarom vraagt Wegwijzer geen naam of adres?" in detail


def test_referrals_are_not_in_any_export_or_the_api(app: Flask, world: World) -> None:
    referral = refer(world)
    grouped = f"{referral.code[:3]}-{referral.code[3:6]}-{referral.code[6:]}"
    dumps = [json.dumps(export_hsds_json(db.session, internal=internal)) for internal in (0, 1)]
    admin = logged_in(app, ZWOLLE_ADMIN)
    for fmt in ("hsds-json", "csv"):
        dumps.append(admin.get(f"/beheer/export/{fmt}").get_data(as_text=True))
    package = zipfile.ZipFile(io.BytesIO(admin.get("/beheer/export/hsds-csv").get_data()))
    dumps.extend(package.read(name).decode("utf-8") for name in package.namelist())
    dumps.append(app.test_client().get("/api/v1/search?q=schuld").get_data(as_text=True))
    for dump in dumps:
        assert referral.code not in dump and grouped not in dump
        assert "overdrachtcode" not in dump.lower() and "feedback_consent" not in dump
