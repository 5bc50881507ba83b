"""Pure code shared by every layer above the models: no queries, no Whoosh, no folium.

``geo``: the offline gazetteer (places, postcodes, municipalities, boundaries) and distances;
the only importer of geopy. ``places``: the app's gazetteer (from its DATA_DIR). ``hours``:
opening hours and "open now". ``text``: slugs and text clean-up. ``limits``: the longest text
and list each field may hold. ``readability``: plain-language hints for editors.
``internal_fields``: the fixed choices of the municipality-only fields.
"""
