#!/usr/bin/python3
"""Reference for the crop throughput benchmark: the same work as `vision crop` given boxes, with Pillow.

  apt-get install -y python3-pil        # Debian's Pillow (9.4 on bookworm)
  /usr/bin/python3 scripts/pil_crop_reference.py IMAGES_DIR BOXES.csv OUT_DIR [PROCESSES]

For every row of BOXES.csv (file,x,y,width,height,...): decode, take the box enlarged by R = 1.4 (0.2*max(w,h)
per side, rounded like @bioscan5m/vision), pad with RGB(234,242,245) outside the photo, save the crop (JPEG q90),
its shorter-side-256 Lanczos resize, and the shorter-side-256 original. Rows with an empty box only get the
original_256. Prints one JSON line: {"images": n, "seconds": s, "images_per_s": r}.
"""
import csv
import json
import os
import sys
import time
from multiprocessing import Pool

from PIL import Image

BG = (234, 242, 245)


def resized(w, h, short=256):
    if w <= h:
        return short, max(1, round(h * short / w))
    return max(1, round(w * short / h)), short


def js_round(v):
    # Math.round: half up
    import math
    return math.floor(v + 0.5)


def work(args):
    images, out, row = args
    rel = row["file"]
    im = Image.open(os.path.join(images, rel)).convert("RGB")
    W, H = im.size
    stem = os.path.splitext(rel)[0] + ".jpg"
    def save(img, folder):
        p = os.path.join(out, folder, stem)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        img.save(p, quality=90)
    save(im.resize(resized(W, H), Image.LANCZOS), "original_256")
    if row["x"] == "":
        return
    x, y, w, h = (float(row[k]) for k in ("x", "y", "width", "height"))
    m = 0.2 * max(w, h)
    left, top = js_round(x - m), js_round(y - m)
    right, bottom = js_round(x + w + m), js_round(y + h + m)
    canvas = Image.new("RGB", (right - left, bottom - top), BG)
    x0, y0, x1, y1 = max(0, left), max(0, top), min(W, right), min(H, bottom)
    if x1 > x0 and y1 > y0:
        canvas.paste(im.crop((x0, y0, x1, y1)), (x0 - left, y0 - top))
    save(canvas, "cropped")
    save(canvas.resize(resized(*canvas.size), Image.LANCZOS), "cropped_256")


def main():
    images, boxes, out = sys.argv[1:4]
    procs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    rows = list(csv.DictReader(open(boxes)))
    t = time.time()
    with Pool(procs) as pool:
        pool.map(work, [(images, out, r) for r in rows], chunksize=4)
    s = time.time() - t
    print(json.dumps({"images": len(rows), "seconds": round(s, 3), "images_per_s": round(len(rows) / s, 2)}))


if __name__ == "__main__":
    main()
