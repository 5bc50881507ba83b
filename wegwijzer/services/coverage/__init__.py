"""Coverage (dekking): which help residents of a municipality can get, and where it is missing.

Definitions, used by every count in this package (the database is the truth, not the index):

* A service *counts* when the public can see it (``Service.is_public``, the rule every public
  page uses): published, not deleted, and its organisation published and not deleted.
  Concept, ter-beoordeling, archived and deleted services never count.
* A counting service is *available* to residents of municipality M when its service area
  contains M or is national ("landelijk"):

  - **lokaal**: the service area is exactly M (one municipality, no national area);
  - **regionaal**: the area contains M and at least one other municipality (no national area);
  - **landelijk**: the area includes "landelijk" (whatever municipalities it also lists).

* A cell (for example phase x theme) counts the services that carry both terms.
  A service with two phases and two themes counts in four cells.
* **Gap** (geen aanbod): a cell with 0 local and 0 regional services. National help may
  still exist; it is shown, but it does not fill a gap.
* **Overlap**: a cell where at least ``overlap_threshold`` *distinct organisations* offer
  local or regional services. National helplines are everywhere, so they never make overlap.
* **Stale** (verouderd): a counting service whose ``last_verified_at`` is empty or older than
  ``stale_months`` months.

The package: ``areas`` (scopes and municipalities, in SQL), ``reads`` (a region's counting
services in a few set-based queries), ``matrices`` (the counts per cell), ``freshness``,
``drilldown`` (the services behind a cell), ``inventory`` and ``mapdata``. Callers use the
names below.
"""

from .areas import (
    LOCAL,
    NATIONAL,
    REGIONAL,
    SCOPES,
    UnknownMunicipality,
    find_municipality,
    municipality_names,
)
from .drilldown import CellEntry, list_cell
from .freshness import Freshness
from .inventory import Inventory, InventoryRow, compute_inventory
from .mapdata import municipality_boundaries
from .matrices import (
    CELL_FACETS,
    COLUMN_FACETS,
    Counts,
    Matrix,
    MunicipalityCoverage,
    RegionCoverage,
    compute_coverage,
    matrix_grid,
)

__all__ = [
    "CELL_FACETS",
    "COLUMN_FACETS",
    "LOCAL",
    "NATIONAL",
    "REGIONAL",
    "SCOPES",
    "CellEntry",
    "Counts",
    "Freshness",
    "Inventory",
    "InventoryRow",
    "Matrix",
    "MunicipalityCoverage",
    "RegionCoverage",
    "UnknownMunicipality",
    "compute_coverage",
    "compute_inventory",
    "find_municipality",
    "list_cell",
    "matrix_grid",
    "municipality_boundaries",
    "municipality_names",
]
