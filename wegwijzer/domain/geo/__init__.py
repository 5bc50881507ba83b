"""Offline geography: places, PC4 postcodes, municipalities, boundaries and distances.

Everything works on the bundled gazetteer in ``data/gazetteer/`` and never touches the
network. This package is the only importer of :mod:`geopy` (for distances).

* :meth:`Gazetteer.load` - load (and cache) a gazetteer directory.
* :meth:`Gazetteer.resolve` - turn "8011 AB", "Den Haag", "ijsselmuiden" into a
  :class:`Resolved` place, or a :class:`NotFound` with suggestions.
* :meth:`Gazetteer.find_place_in_text` - pick the place out of a free-text search query
  ("schuldhulp in Kampen") and return the rest of the query.
* :meth:`Gazetteer.municipality_for_point` - point-in-polygon on municipality boundaries.
* :func:`distance_km` - fast great-circle distance; :func:`distance_km_precise` - geodesic.
* :func:`normalise` - the comparison key of a place name.
"""

from .distance import distance_km, distance_km_precise
from .gazetteer import Gazetteer
from .normalise import normalise
from .records import Municipality, NotFound, Place, Resolved

__all__ = [
    "Gazetteer",
    "Municipality",
    "NotFound",
    "Place",
    "Resolved",
    "distance_km",
    "distance_km_precise",
    "normalise",
]
