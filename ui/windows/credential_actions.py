"""CredentialActions: find the open submission's signed credential from the app.

Review ▸ Copy Credential Link, Open Credential Page and Save Credential… (and the same
three as small buttons on the decision bar once the submission is signed or published):

- the link is the hub's public page of the credential, ``<hub>/credentials/<id>``: the
  hub is the one that publishes it (the credential's own status list names its public
  address), else the hub this computer signs in to;
- the page opens in the browser once the hub has published the credential (a signed
  credential goes to the hub at the next sync);
- Save writes the exact signed JSON, or a PNG badge with the credential baked in (Open
  Badges baking, ``assessor/credentials/baking.py``), which badge backpacks import.

Each action is disabled with its reason (in its tooltip and status tip) when there is
nothing to act on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from PySide6.QtCore import QObject, QStandardPaths, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

if TYPE_CHECKING:
    from assessor.domain.review import ReviewSnapshot
    from ui.windows.main_window import MainWindow

CREDENTIAL_PATH = "/credentials/"
STATUS_LIST_PATH = "/status/1"
"""The hub's addresses (``assessor/hub/publication.py``; a test holds them equal)."""
JSON_FILTER = "Open Badges credential (*.json)"
PNG_FILTER = "Badge image with the credential baked in (*.png)"
NOTHING_SIGNED = "Nothing is signed yet: approve the submission and sign its credential."
SHOWN_STATES = ("signed", "published")


def credential_page_url(credential: dict[str, Any], hub_url: str) -> str:
    """The public page of ``credential`` on the hub that publishes it, or "" when no hub
    is known."""
    base = ""
    status = credential.get("credentialStatus")
    for entry in status if isinstance(status, list) else [status]:
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        if isinstance(url, str) and url.endswith(STATUS_LIST_PATH) \
                and url.startswith(("https://", "http://")):
            base = url[:-len(STATUS_LIST_PATH)]
            break
    base = base or hub_url
    if not base:
        return ""
    return base.rstrip("/") + CREDENTIAL_PATH + quote(str(credential.get("id", "")), safe=":")


def badge_png(name: str, size: int = 256) -> bytes:
    """A plain round badge with the achievement's name, as PNG bytes (to bake into)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1f4e79"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(4, 4, size - 8, size - 8))
    painter.setPen(QColor("#ffffff"))
    font = QFont()
    font.setPixelSize(size // 11)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(size * 0.15, size * 0.15, size * 0.7, size * 0.7),
                     int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap), name)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; PySide takes str
    buffer.close()
    return bytes(data.data())


def credential_file_bytes(credential: dict[str, Any], as_png: bool) -> bytes:
    """What Save writes: the signed JSON as issued, or a badge PNG with it baked in."""
    if not as_png:
        return (json.dumps(credential, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    from assessor.credentials.baking import bake_png

    name = str(credential.get("name") or "Credential")
    return bake_png(badge_png(name), credential)


class CredentialActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._credential: dict[str, Any] | None = None
        self._state = ""
        self._wanted = ""
        self.copy_link_action = QAction("Copy Credential &Link", self)
        self.open_page_action = QAction("&Open Credential Page", self)
        self.save_action = QAction("Sa&ve Credential…", self)
        self.copy_link_action.triggered.connect(self.copy_link)
        self.open_page_action.triggered.connect(self.open_page)
        self.save_action.triggered.connect(self.save)
        self._update()

    @property
    def actions(self) -> tuple[QAction, QAction, QAction]:
        return self.copy_link_action, self.open_page_action, self.save_action

    @property
    def link(self) -> str:
        if self._credential is None:
            return ""
        return credential_page_url(self._credential, self._window.ws.settings.hub_url)

    # -- following the open submission --------------------------------------------------

    def show(self, snapshot: ReviewSnapshot | None) -> None:
        """Follow the open submission: read its signed credential when it has one."""
        state = snapshot.submission.state.value if snapshot is not None else ""
        submission_id = snapshot.submission.id if snapshot is not None else ""
        if submission_id == self._wanted and state == self._state \
                and self._credential is not None:
            return
        self._wanted, self._state, self._credential = submission_id, state, None
        self._update()
        if state not in SHOWN_STATES:
            return
        ws = self._window.ws

        def read() -> dict[str, Any] | None:
            issued = ws.store.signed_credentials(submission_id)
            return issued[-1] if issued else None

        def done(credential: dict[str, Any] | None) -> None:
            if submission_id == self._wanted:
                self._credential = credential
                self._update()

        self._window.runner.run(read, done, self._window._on_error, store=True)

    def _update(self) -> None:
        credential, link = self._credential, self.link
        if credential is None:
            reasons = (NOTHING_SIGNED, NOTHING_SIGNED, NOTHING_SIGNED)
        else:
            no_hub = "" if link else "No hub is known: sign in to your organisation's hub."
            waiting = "" if self._state == "published" else (
                "The hub publishes the credential at the next sync; its page opens then.")
            reasons = (no_hub, no_hub or waiting, "")
        tips = (f"Copy the address of the credential's public page: {link}" if link else "",
                f"Open the credential's public page in your browser: {link}" if link else "",
                "Save the signed credential as JSON, or as a badge image (PNG) with the "
                "credential baked in")
        for action, reason, tip in zip(self.actions, reasons, tips, strict=True):
            action.setEnabled(not reason)
            text = reason or tip
            action.setToolTip(text)
            action.setStatusTip(text)

    # -- the actions ----------------------------------------------------------------------

    def copy_link(self) -> None:
        link = self.link
        if not link:
            self._say(self.copy_link_action.toolTip())
            return
        QGuiApplication.clipboard().setText(link)
        self._say(f"Copied the credential's link: {link}")

    def open_page(self) -> None:
        link = self.link
        if not link or not self.open_page_action.isEnabled():
            self._say(self.open_page_action.toolTip())
            return
        if not self.open_url(QUrl(link)):
            self._say(f"No browser opened the credential's page; its link is {link}")

    def save(self) -> None:
        credential = self._credential
        if credential is None:
            self._say(NOTHING_SIGNED)
            return
        name = _file_stem(str(credential.get("name") or "credential"))
        path, chosen_filter = self.ask_save_path(self._window, name)
        if not path:
            return
        as_png = chosen_filter == PNG_FILTER or path.lower().endswith(".png")
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".png" if as_png else ".json")

        def write() -> Path:
            from assessor.errors import UserFacingError

            data = credential_file_bytes(credential, as_png)
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise UserFacingError(f"Cannot save the credential to {target}: "
                                      f"{exc.strerror or exc}.") from None
            return target

        self._window.runner.run(write, lambda saved: self._say(f"Saved the credential to "
                                                               f"{saved}"),
                                self._window._on_error)

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)

    @staticmethod
    def open_url(url: QUrl) -> bool:
        """Open ``url`` in the user's browser (tests replace this)."""
        return QDesktopServices.openUrl(url)

    @staticmethod
    def ask_save_path(parent: QWidget, stem: str) -> tuple[str, str]:
        """(the file the user chose, the filter they chose), or ("", "") (tests replace
        this)."""
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        return QFileDialog.getSaveFileName(parent, "Save Credential",
                                           str(Path(folder) / f"{stem}.json"),
                                           f"{JSON_FILTER};;{PNG_FILTER}")


def _file_stem(name: str) -> str:
    kept = "".join(c if c.isalnum() or c in " -_" else " " for c in name)
    return "-".join(kept.split())[:80] or "credential"
