"""Times what pycocotools' COCO(annotation_file) does, with the standard library only.

pycocotools' loader is json.load of the whole file followed by createIndex(), which builds the
anns, imgs and cats dictionaries and the imgToAnns and catToImgs lists. This script does exactly
those two steps (written here, not copied) so the loader half of the comparison is measured, not
guessed. Run it with Debian's /usr/bin/python3, the interpreter pycocotools would run under here.

Usage: python3 coco_load_anchor.py FILE.json
Prints one line: RESULT {json} with seconds for each step and the peak resident memory (VmHWM).
"""

import json
import sys
import time
from collections import defaultdict


def peak_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


def create_index(dataset):
    anns, cats, imgs = {}, {}, {}
    img_to_anns, cat_to_imgs = defaultdict(list), defaultdict(list)
    for ann in dataset.get("annotations", []):
        img_to_anns[ann["image_id"]].append(ann)
        anns[ann["id"]] = ann
    for img in dataset.get("images", []):
        imgs[img["id"]] = img
    for cat in dataset.get("categories", []):
        cats[cat["id"]] = cat
    for ann in dataset.get("annotations", []):
        cat_to_imgs[ann["category_id"]].append(ann["image_id"])
    return anns, cats, imgs, img_to_anns, cat_to_imgs


def main():
    path = sys.argv[1]
    t0 = time.perf_counter()
    with open(path, "r") as f:
        dataset = json.load(f)
    t1 = time.perf_counter()
    anns, _, imgs, _, _ = create_index(dataset)
    t2 = time.perf_counter()
    polygons = sum(len(a["segmentation"]) for a in anns.values() if isinstance(a["segmentation"], list))
    result = {
        "python": sys.version.split()[0],
        "json_load_s": t1 - t0,
        "create_index_s": t2 - t1,
        "images": len(imgs),
        "annotations": len(anns),
        "polygons": polygons,
        "peak_bytes": peak_bytes(),
    }
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
