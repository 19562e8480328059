"""Opens an address in the user's browser (or a folder in the file manager), and says so when nothing can.

QDesktopServices.openUrl only returns False when no browser is set up (common on a fresh Linux desktop or in a
container); instead of failing silently, a small window shows the address in a field to select, with a Copy button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from gui.views.widgets.feedback import message_label


def open_in_browser(parent: QWidget | None, url: str | QUrl) -> bool:
    """Opens `url` (http(s), or a local file or folder); True when the desktop took it. Otherwise shows the
    address to copy and returns False."""
    qurl = url if isinstance(url, QUrl) else QUrl(url)
    if QDesktopServices.openUrl(qurl):
        return True
    dialog = CopyAddressDialog(qurl, parent)
    dialog.open()
    return False


class CopyAddressDialog(QDialog):
    """ "Could not open": the address in a selectable field and a Copy button."""

    def __init__(self, url: QUrl, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("copy-address")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        local = url.isLocalFile()
        address = url.toLocalFile() if local else url.toString()
        self.setWindowTitle("Could not open the folder" if local else "Could not open a browser")
        what = "no file manager is set up to open folders" if local else "no web browser is set up to open links"
        self.message = message_label(
            self,
            "copy-address-message",
            f"Portside could not open this {'folder' if local else 'address'}: {what} on this computer. "
            f"Copy it and paste it into {'a file manager' if local else 'your browser'}.",
        )
        self.address = QLineEdit(address, self)
        self.address.setObjectName("copy-address-field")
        self.address.setReadOnly(True)
        self.address.setAccessibleName("Address")
        metrics = self.fontMetrics()
        self.address.setMinimumWidth(min(metrics.horizontalAdvance(address) + 24, metrics.averageCharWidth() * 80))
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setObjectName("copy-address-button")
        self.copy_button.setToolTip("Copy the address to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout()
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.address.selectAll()
        self.address.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.address.text())
        self.copy_button.setText("Copied")
