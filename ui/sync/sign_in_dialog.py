"""SignInDialog: the hub's address, the user name, and a password or an enrolment code.

The dialog only collects; the controller signs in off the GUI thread and hands any
refusal back with ``show_problem``, so a wrong password is corrected in place rather than
in a chain of message boxes.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.style import apply_style


class SignInDialog(QDialog):
    submitted = Signal()
    """The user asked to sign in with ``values()``; the controller answers with
    ``accept()`` or ``show_problem``."""

    def __init__(self, hub_url: str = "", username: str = "", reason: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign In to Your Organisation's Hub")
        self.setMinimumWidth(460)

        intro = QLabel(reason or "Sign in to sync the submissions assigned to you. Your "
                       "password is sent only to the hub; the sign-in is kept in the OS "
                       "keychain.")
        intro.setWordWrap(True)
        self.url = QLineEdit(hub_url)
        self.url.setPlaceholderText("https://hub.example.org")
        self.url.setAccessibleName("Hub address")
        self.user = QLineEdit(username)
        self.user.setPlaceholderText("your user name")
        self.user.setAccessibleName("User name")
        self.with_password = QRadioButton("Password")
        self.with_code = QRadioButton("Enrolment code")
        self.with_password.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.with_password)
        group.addButton(self.with_code)
        kinds = QHBoxLayout()
        kinds.addWidget(self.with_password)
        kinds.addWidget(self.with_code)
        kinds.addStretch(1)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setObjectName("signInSecret")
        self.secret.setAccessibleName("Password or enrolment code")
        self.problem = QLabel()
        self.problem.setObjectName("signInProblem")
        self.problem.setWordWrap(True)
        apply_style(self.problem, template="QLabel { color: @error; }")
        self.problem.hide()

        form = QFormLayout()
        form.addRow("Hub address", self.url)
        form.addRow("User name", self.user)
        form.addRow("Sign in with", kinds)
        self.secret_label = QLabel("Password")
        form.addRow(self.secret_label, self.secret)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.addButton(
            "Sign In", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        self.with_code.toggled.connect(self._kind_changed)
        for field in (self.url, self.user, self.secret):
            field.textChanged.connect(self._validate)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._validate()
        (self.secret if hub_url and username else self.url).setFocus()

    def _kind_changed(self, code: bool) -> None:
        self.secret_label.setText("Enrolment code" if code else "Password")
        self.secret.setEchoMode(QLineEdit.EchoMode.Normal if code
                                else QLineEdit.EchoMode.Password)
        self.secret.clear()

    def _validate(self) -> None:
        ready = all(f.text().strip() for f in (self.url, self.user)) and bool(self.secret.text())
        self.sign_in_button.setEnabled(ready)

    def _try_accept(self) -> None:
        if self.sign_in_button.isEnabled():
            self.problem.hide()
            self.submitted.emit()

    def values(self) -> tuple[str, str, str | None, str | None]:
        """(hub url, user name, password, enrolment code): one of the last two is None."""
        secret = self.secret.text()
        if self.with_code.isChecked():
            return self.url.text().strip(), self.user.text().strip(), None, secret.strip()
        return self.url.text().strip(), self.user.text().strip(), secret, None

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.secret.selectAll()
        self.secret.setFocus()

    def set_busy(self, busy: bool) -> None:
        for widget in (self.url, self.user, self.secret, self.with_code, self.with_password):
            widget.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if busy else "Sign In")
        if not busy:
            self._validate()
