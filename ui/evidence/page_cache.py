"""A bounded cache of rendered pages and tiles: least recently used goes first, by bytes."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtGui import QImage

from ui.evidence.tiles import RenderKey

DEFAULT_BUDGET = 256 * 2**20


class PageImageCache:
    """Rendered images by RenderKey, within ``budget`` bytes (the newest image always stays,
    even if it alone is larger than the budget)."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self._images: OrderedDict[RenderKey, QImage] = OrderedDict()
        self._by_page: dict[int, set[RenderKey]] = {}
        self.bytes = 0
        self.peak_bytes = 0

    def __len__(self) -> int:
        return len(self._images)

    def __contains__(self, key: RenderKey) -> bool:
        return key in self._images

    def get(self, key: RenderKey) -> QImage | None:
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
        return image

    def put(self, key: RenderKey, image: QImage) -> None:
        self.discard(key)
        self._images[key] = image
        self._by_page.setdefault(key.page, set()).add(key)
        self.bytes += image.sizeInBytes()
        while self.bytes > self.budget and len(self._images) > 1:
            oldest = next(iter(self._images))
            self.discard(oldest)
        self.peak_bytes = max(self.peak_bytes, self.bytes)

    def discard(self, key: RenderKey) -> None:
        image = self._images.pop(key, None)
        if image is None:
            return
        self.bytes -= image.sizeInBytes()
        keys = self._by_page.get(key.page)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_page[key.page]

    def stand_in(self, page: int, rotation: int, scale: int) -> QImage | None:
        """The best whole-page image of ``page`` at another scale, to show scaled while the
        right one renders: the closest scale above, else the largest below."""
        best: RenderKey | None = None
        for key in self._by_page.get(page, ()):
            if key.tile is not None or key.rotation != rotation:
                continue
            if best is None:
                best = key
            elif best.scale < scale:
                if key.scale > best.scale:
                    best = key
            elif scale <= key.scale < best.scale:
                best = key
        return self._images[best] if best is not None else None

    def clear(self) -> None:
        self._images.clear()
        self._by_page.clear()
        self.bytes = 0
