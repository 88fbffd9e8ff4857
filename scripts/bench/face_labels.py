"""The faces of ../shared/corpus, labelled by eye, for scripts/bench-faces and scripts/bench-codec.

Boxes are [x, y, width, height] in upright pixels of the original. A detected box counts as finding a face when its
centre lies inside the label and its width is within a factor of 2 of the label's.
"""

LABELS = {
    "faces/alex_lacamoire.jpg": [[250, 150, 380, 380]],
    "faces/biden.jpg": [[430, 215, 315, 315]],  # full length: the face is 14% of the height
    "faces/john1.jpeg": [[660, 85, 150, 150]],  # a figure in a landscape
    "faces/obama.jpg": [[345, 110, 300, 300]],
    "faces/obama_partial_face.jpg": [[-60, 140, 265, 250]],  # cut by the left edge
    "faces/rose_leslie.jpg": [[160, 160, 275, 275]],
    "faces/two_people.jpg": [[235, 35, 170, 170], [780, 60, 180, 180]],
    "photos/astronaut.png": [[177, 72, 92, 92]],
}
# Pictures without a visible face (camera.png: the camera hides it).
NON_PORTRAITS = ["photos/camera.png", "photos/chelsea.png", "photos/coffee.png"]


def hits(box, labels):
    """Indices of the labels a detected box matches."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    return [
        i for i, (lx, ly, lw, lh) in enumerate(labels)
        if lx <= cx <= lx + lw and ly <= cy <= ly + lh and 0.5 <= w / lw <= 2
    ]  # fmt: skip
