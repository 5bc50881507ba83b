"""Pure code shared by every layer; imports no Flask, SQLAlchemy, Whoosh or folium.

``geo``: the offline gazetteer (places, postcodes, municipalities, boundaries) and
distances; the only importer of geopy.
"""
