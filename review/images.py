"""Page images of a booklet from the object store, and field crops cut from them.

Extraction keeps each normalized page as `pages/<document_id>/<page>.jpg`; the reading boxes
are in that image's pixels, so boxes and crops line up with what the OCR saw.
"""

from __future__ import annotations

import io

from PIL import Image

from domain.errors import StorageError
from domain.record import FieldReading
from pipelines.storage import ObjectStore, page_image_key

CROP_MARGIN = 12  # pixels of context around a field


def page_image(store: ObjectStore | None, document_id: str, page: int) -> bytes | None:
    if store is None:
        return None
    key = page_image_key(document_id, page)
    try:
        return store.get_bytes(key) if store.exists(key) else None
    except StorageError:
        return None


def page_size(image: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(image)) as img:  # reads the header only
        return img.size


def crop_png(image: bytes, reading: FieldReading) -> bytes | None:
    if reading.box is None:
        return None
    x, y, w, h = reading.box
    with Image.open(io.BytesIO(image)) as img:
        box = (
            max(0, x - CROP_MARGIN),
            max(0, y - CROP_MARGIN),
            min(img.width, x + w + CROP_MARGIN),
            min(img.height, y + h + CROP_MARGIN),
        )
        out = io.BytesIO()
        img.crop(box).save(out, format="PNG")
    return out.getvalue()
