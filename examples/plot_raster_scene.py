"""
Learned indices on a whole scene, lazily, with xarray and dask
==============================================================

A model is trained on a few labelled pixels, then applied to every pixel of
a scene with :func:`sknd.raster.transform_raster`. The scene is a
dask-backed ``xarray.DataArray`` with a ``band`` dimension, as ``rioxarray``
reads a GeoTIFF: the result stays lazy and chunked, and each chunk is
computed only when needed, so the same code runs on scenes larger than
memory, on one machine or on a dask cluster.

The synthetic scene has four land-cover classes in patches, under a smooth
illumination field (terrain shading) that brightens and darkens whole
regions, which a learned normalized difference ignores.
"""

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline

from sknd import NDIndexTransformer
from sknd.datasets import SENTINEL2_BANDS, make_spectral_scene
from sknd.raster import transform_raster

cube, labels = make_spectral_scene((400, 400), n_classes=4, random_state=0)
scene = xr.DataArray(
    cube.astype(np.float32),
    dims=("band", "y", "x"),
    coords={"band": list(SENTINEL2_BANDS), "y": np.arange(400), "x": np.arange(400)},
).chunk({"y": 100, "x": 100})
print(scene)

# %%
# Train on 1,000 labelled pixels
# ------------------------------
# As a DataFrame with band names: ``transform_raster`` then matches the
# scene's bands to the model's by name, whatever their order in the file.
rng = np.random.default_rng(0)
rows, cols = rng.integers(0, 400, size=(2, 1000))
train = scene.isel(y=xr.DataArray(rows), x=xr.DataArray(cols)).T.to_pandas()
nd = NDIndexTransformer(n_indices=3, alpha=0.1, random_state=0)
model = make_pipeline(nd, RandomForestClassifier(random_state=0))
model.fit(train, labels[rows, cols])

# %%
# Apply to every pixel, lazily
# ----------------------------
indices = transform_raster(nd, scene)
classes = transform_raster(model, scene)
print(indices)  # nothing computed yet: a dask graph, chunked like the scene
indices, classes = indices.compute(), classes.compute()
print(f"pixels classified correctly: {(classes.values == labels).mean():.3f}")

fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), layout="constrained")
brightness = scene.sum("band")
axes[0].imshow(brightness, cmap="gray")
axes[0].set_title("brightness (sum of bands)")
for k, ax in enumerate(axes[1:3]):
    ax.imshow(indices.isel(band=k), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title(f"learned index nd{k}")
axes[3].imshow(classes, cmap="tab10", vmin=0, vmax=9, interpolation="nearest")
axes[3].set_title("predicted class")
for ax in axes:
    ax.set_axis_off()

for name, formula in zip(nd.get_feature_names_out(), nd.formulas_):
    print(f"{name} = {formula}")
