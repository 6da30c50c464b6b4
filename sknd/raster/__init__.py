"""Apply a fitted per-pixel estimator to a whole scene.

A scene is a cube of band values: a numpy array, a dask array, or an
``xarray.DataArray`` (numpy- or dask-backed), for instance a GeoTIFF read by
``rioxarray.open_rasterio``. Every pixel is one sample, its bands are the
features. Dask-backed input stays lazy: each chunk is computed when the result
is, so a scene larger than memory streams through a dask scheduler or a
``dask.distributed`` cluster. xarray and dask are optional dependencies (the
``sknd[raster]`` extra, which also brings rioxarray and rasterio).

For a DataArray the file's metadata is read, not trusted blindly: bands are
matched by name, the no-data value and the scale of integer products are
applied, and the result's attributes are written for it, so that
``.rio.to_raster()`` writes a correct file with no hand edits.
"""

from ._transform import transform_raster

__all__ = ["transform_raster"]
