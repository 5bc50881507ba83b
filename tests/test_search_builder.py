"""The rebuild's own segment writer makes the same index files as Whoosh's writer.

``SegmentBuilder`` skips Whoosh's posting pool to build large indexes faster; what it
writes must not differ in a single byte, or search results could change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from whoosh.filedb.filestore import FileStorage

from wegwijzer.devtools.generate import generate_services
from wegwijzer.domain.places import gazetteer
from wegwijzer.extensions import db
from wegwijzer.search import rebuild_index, search
from wegwijzer.search.analysis import Analyzer, Decompounder
from wegwijzer.search.builder import SegmentBuilder
from wegwijzer.search.documents import load_texts, published_ids, whoosh_fields
from wegwijzer.search.schema import make_schema
from wegwijzer.search.store import current_generation, read_parts


def _files(directory: Path) -> dict[str, Any]:
    """Every file of the index's segments (without the random segment id), and its TOC facts."""
    storage = FileStorage(str(directory))
    toc = storage.open_index()._read_toc()
    assert len(toc.segments) == 1
    seg = toc.segments[0]
    prefix = seg.segment_id()
    inner = seg.open_compound_file(storage) if seg.is_compound() else storage
    out: dict[str, Any] = {
        name[len(prefix) :]: inner.open_file(name).read(inner.file_length(name))
        for name in inner.list()
        if name.startswith(prefix)
    }
    out["documents"] = seg.doc_count_all()
    out["field lengths"] = list(seg._fieldlengths.items())
    return out


def _build(directory: Path, docs: list[dict[str, Any]], builder: bool) -> dict[str, Any]:
    directory.mkdir()
    ix = FileStorage(str(directory)).create_index(make_schema())
    writer = SegmentBuilder(ix) if builder else ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return _files(directory)


def _same(tmp_path: Path, docs: list[dict[str, Any]]) -> dict[str, Any]:
    ours = _build(tmp_path / "builder", docs, builder=True)
    theirs = _build(tmp_path / "whoosh", docs, builder=False)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs"
    return ours


def test_edge_cases_give_the_same_files(tmp_path: Path) -> None:
    many = " ".join(["schuld"] * 3)
    docs = [
        {
            "id": f"s{i:04d}",
            "data": {"n": f"Dienst {i}", "h": [[i]]},
            "name": f"dienst{i % 7} {many if i % 3 else ''} café zorg",
            "org": "" if i % 5 == 0 else "gemeente ëindhoven",
            "kw": None if i % 4 == 0 else "tr\tpl  ar\nzz",
            "body": "a " * (i % 300) + "hulp werk",
            "thema": "schulden werk" if i % 2 else "",
            "area": "GM0363 landelijk",
            "cat": "thema:schulden",
        }
        for i in range(300)
    ]
    files = _same(tmp_path, docs)
    assert files["documents"] == 300
    # Terms in more than one posting block, and fields empty for some documents.
    assert dict(files["field lengths"])["thema"] == 300


def test_a_document_that_fails_leaves_no_trace(tmp_path: Path) -> None:
    docs = [
        {"id": f"s{i}", "data": {"n": i}, "name": f"dienst{i} zorg", "body": "hulp hulp werk"}
        for i in range(200)
    ]
    directory = tmp_path / "builder"
    directory.mkdir()
    ix = FileStorage(str(directory)).create_index(make_schema())
    writer = SegmentBuilder(ix)
    for i, doc in enumerate(docs):
        if i == 100:
            # Fails after its id, keywords and stored record were taken: none of it may stay.
            with pytest.raises(ValueError, match="string of terms"):
                writer.add_document(**{**doc, "id": "kapot", "kw": "kapot", "org": ["x"]})
        writer.add_document(**doc)
    writer.commit()
    theirs = _build(tmp_path / "whoosh", docs, builder=False)
    ours = _files(directory)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs"


def test_a_rebuild_writes_what_whoosh_would(app: Flask, tmp_path: Path) -> None:
    generate_services(db.session, gazetteer(), 400, seed=21)
    assert rebuild_index(app) == 400
    generation = current_generation(Path(app.config["INDEX_DIR"]))
    assert generation is not None
    analyzer = Analyzer(Decompounder(read_parts(generation)))
    session: Session = db.session
    docs = [whoosh_fields(d, analyzer) for d in load_texts(session, published_ids(session))]
    theirs = _build(tmp_path / "whoosh", docs, builder=False)
    ours = _files(generation)
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs"
    assert search("schulden").total > 0


def test_builder_only_builds_new_indexes(tmp_path: Path) -> None:
    docs = [{"id": "a", "name": "x"}]
    _build(tmp_path / "one", docs, builder=False)
    ix = FileStorage(str(tmp_path / "one")).open_index()
    with pytest.raises(ValueError, match="new, empty index"):
        SegmentBuilder(ix)
    # The failed attempt released the write lock.
    ix.writer().cancel()
