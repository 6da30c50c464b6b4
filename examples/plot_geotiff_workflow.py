"""
GeoTIFF in, GeoTIFF out
=======================

The workflow of a remote-sensing user, end to end: a multi-band GeoTIFF is
opened lazily with ``rioxarray``, a model is fitted on sampled pixels with
their band names, and :func:`sknd.raster.transform_raster` writes an index
GeoTIFF and a class-map GeoTIFF that reopen with the right georeferencing,
band names, units and no-data pixels, with no hand edits.

The scene is synthetic (:func:`sknd.datasets.make_spectral_scene`: four
land-cover classes under uneven illumination), stored the way Level-2 products
are: uint16 digital numbers with a scale factor of 1e-4, 0 for no data, and
band descriptions ``B2`` ... ``B12``, in UTM zone 33N.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import rasterio
import rioxarray
from rasterio.transform import from_origin
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

from sknd import NDIndexTransformer
from sknd.datasets import SENTINEL2_BANDS, make_spectral_scene
from sknd.raster import transform_raster

folder = Path(tempfile.mkdtemp())
reflectance, labels = make_spectral_scene((300, 300), n_classes=4, random_state=0)
digits = np.round(reflectance / 1e-4).astype(np.uint16)
digits[:, :40, :60] = 0  # a strip outside the swath: no data
profile = dict(
    driver="GTiff", width=300, height=300, count=len(digits), dtype="uint16", nodata=0,
    crs="EPSG:32633", transform=from_origin(500_000, 4_600_000, 10, 10),
)  # fmt: skip
with rasterio.open(folder / "scene.tif", "w", **profile) as dst:
    dst.write(digits)
    dst.scales = (1e-4,) * len(digits)
    dst.offsets = (0.0,) * len(digits)
    for i, name in enumerate(SENTINEL2_BANDS, 1):
        dst.set_band_description(i, name)

# %%
# Open the file as rioxarray does
# -------------------------------
# The band coordinate is 1..10; the names are in ``long_name``, the scale
# factor and the no-data value in the attributes. ``transform_raster`` reads
# all three: the file could hold its bands in any order.
scene = rioxarray.open_rasterio(folder / "scene.tif", chunks={"x": 100, "y": 100})
print(scene.attrs)

# %%
# Fit on sampled pixels, with band names
# --------------------------------------
# 1,000 labelled pixels (field plots, say), read in reflectance units.
rng = np.random.default_rng(0)
rows, cols = rng.integers(40, 300, size=(2, 1000))
decoded = rioxarray.open_rasterio(folder / "scene.tif", mask_and_scale=True)
train = pd.DataFrame(decoded.values[:, rows, cols].T, columns=list(decoded.attrs["long_name"]))
nd = NDIndexTransformer(n_indices=3, random_state=0)
model = make_pipeline(nd, RandomForestClassifier(random_state=0)).fit(train, labels[rows, cols])

# %%
# Write the indices and the class map
# -----------------------------------
# The outputs carry their own attributes: ``long_name`` names the indices,
# no scale factor is inherited, and no data is NaN for the indices and -1 for
# the integer class map.
indices = transform_raster(nd, scene)
classes = transform_raster(model, scene)
indices.rio.to_raster(folder / "indices.tif")
classes.rio.to_raster(folder / "classes.tif")

with rasterio.open(folder / "indices.tif") as src:
    print("indices:", src.crs, src.dtypes[0], src.descriptions, "nodata", src.nodata)
with rasterio.open(folder / "classes.tif") as src:
    print("classes:", src.crs, src.dtypes[0], src.descriptions, "nodata", src.nodata)

# %%
# Read both back
# --------------
back_indices = rioxarray.open_rasterio(folder / "indices.tif", masked=True)
back_classes = rioxarray.open_rasterio(folder / "classes.tif").squeeze("band")
valid = back_classes.values != -1
print(f"no-data pixels: {(~valid).sum()} (the 40 x 60 strip)")
print(f"pixels classified correctly: {(back_classes.values == labels)[valid].mean():.3f}")

fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), layout="constrained")
decoded.sum("band").plot.imshow(ax=axes[0], cmap="gray", add_colorbar=False)
axes[0].set_title("brightness (sum of bands)")
for k, ax in enumerate(axes[1:3]):
    back_indices.isel(band=k).plot.imshow(ax=ax, cmap="RdBu_r", vmin=-1, vmax=1, add_colorbar=False)
    ax.set_title(f"learned index {back_indices.attrs['long_name'][k]}")
back_classes.where(back_classes != -1).plot.imshow(
    ax=axes[3], cmap="tab10", vmin=0, vmax=9, add_colorbar=False
)
axes[3].set_title("class map (GeoTIFF)")
for ax in axes:
    ax.set_axis_off()

for name, formula in zip(nd.get_feature_names_out(), nd.formulas_):
    print(f"{name} = {formula}")
