"""Otsu's method: binarise every image in OPERATOR_IN_DIR into OPERATOR_OUT_DIR.

The threshold is the grey level that maximises the between-class variance of the histogram.
Directories follow Kaapana's operator convention (WORKFLOW_DIR/BATCH_NAME/<case>/OPERATOR_IN_DIR).
"""
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def otsu_threshold(pixels: np.ndarray) -> int:
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    levels = np.arange(256)
    weight_background = np.cumsum(histogram)
    weight_foreground = total - weight_background
    mean_background = np.cumsum(histogram * levels)
    mean_total = mean_background[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_total * weight_background - total * mean_background) ** 2 / (weight_background * weight_foreground)
    return int(np.nanargmax(between))


def main() -> int:
    workflow = Path(os.environ.get("WORKFLOW_DIR", "/data"))
    batch = workflow / os.environ.get("BATCH_NAME", "batch")
    in_dir = os.environ.get("OPERATOR_IN_DIR", "input")
    out_dir = os.environ.get("OPERATOR_OUT_DIR", "otsus-method")
    converted = 0
    for case in sorted(p for p in batch.iterdir() if p.is_dir()):
        target = case / out_dir
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((case / in_dir).glob("*.png")):
            pixels = np.asarray(Image.open(source).convert("L"), dtype=np.uint8)
            threshold = otsu_threshold(pixels)
            Image.fromarray(((pixels > threshold) * 255).astype(np.uint8)).save(target / source.name)
            print(f"{source}: threshold {threshold}")
            converted += 1
    if converted == 0:
        print(f"no PNG images under {batch}/*/{in_dir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
