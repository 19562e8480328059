"""PushDialog with the fake engine replaying a push recorded from a real engine and registry."""

import pytest
from PySide6.QtCore import Qt

from gui.core.registry.addresses import DOCKER_HUB
from gui.core.registry.credentials import Credentials, CredentialVault
from gui.views.registry.push_dialog import PushDialog
from gui.views.registry.transfer_dialog import NOT_CONNECTED
from gui.workers.streams import live_workers
from tests.fakes.fake_engine import api_error, recorded_push

LOCAL = "127.0.0.1:5000"
REFERENCE = f"{LOCAL}/portside-test/app:1.0"


@pytest.fixture
def vault(tmp_path):
    return CredentialVault(
        docker_config_dir=tmp_path / "docker", index_path=tmp_path / "registries.json", session_only=True
    )


@pytest.fixture
def signed_in(vault):
    vault.save(Credentials(LOCAL, "portside", "s3cret-token"))
    vault.save(Credentials(DOCKER_HUB, "someone", "hub-token"))
    return vault


@pytest.fixture
def connected(qtbot, session):
    session.start()
    qtbot.waitUntil(lambda: session.engine is not None, timeout=5000)
    commands = []
    session.commandIssued.connect(lambda command, description: commands.append((command, description)))
    session.commands = commands
    return session


def push_workers() -> list:
    """Push threads still running (the session's own event stream runs throughout)."""
    return [worker for worker in live_workers() if worker.name == "push"]


def open_dialog(qtbot, session, vault, reference: str = REFERENCE) -> PushDialog:
    dialog = PushDialog(session, vault, reference)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.account_label.text() != "Checking…", timeout=5000)
    return dialog


def push(qtbot, dialog: PushDialog, expect_success: bool) -> None:
    with qtbot.waitSignal(dialog.pushFinished, timeout=5000) as finished:
        qtbot.mouseClick(dialog.push_button, Qt.MouseButton.LeftButton)
    assert finished.args == [expect_success]


# Before pushing -----------------------------------------------------------------------------------


def test_the_dialog_says_where_the_image_goes_and_as_whom(qtbot, connected, signed_in):
    dialog = open_dialog(qtbot, connected, signed_in)
    assert dialog.reference_label.text() == REFERENCE
    assert dialog.registry_label.text() == LOCAL
    assert dialog.account_label.text() == f"Signed in to {LOCAL} as portside"
    assert not dialog.sign_in_button.isVisible()
    assert dialog.command_label.text() == f"docker push {REFERENCE}"
    assert not dialog.warning_label.isVisible() and not dialog.error_label.isVisible()
    assert dialog.push_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert "s3cret" not in dialog.account_label.text() + dialog.account_label.toolTip()


def test_not_signed_in_offers_to_sign_in(qtbot, connected, vault):
    dialog = open_dialog(qtbot, connected, vault)
    assert dialog.account_label.text() == f"Not signed in to {LOCAL}"
    assert dialog.sign_in_button.isVisible()
    with qtbot.waitSignal(dialog.signInRequested) as asked:
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert asked.args == [LOCAL]


def test_after_signing_in_elsewhere_the_dialog_checks_again(qtbot, connected, vault):
    dialog = open_dialog(qtbot, connected, vault, "someone/app:1.0")
    assert dialog.account_label.text() == "Not signed in to Docker Hub"
    vault.save(Credentials(DOCKER_HUB, "someone", "hub-token"))
    dialog.check_sign_in()
    qtbot.waitUntil(lambda: dialog.account_label.text() == "Signed in to Docker Hub as someone", timeout=5000)
    assert not dialog.sign_in_button.isVisible()


@pytest.mark.parametrize("reference", ["someone/app", "someone/app:latest"])
def test_pushing_only_latest_is_warned_about(qtbot, connected, signed_in, reference):
    dialog = open_dialog(qtbot, connected, signed_in, reference)
    assert dialog.warning_label.isVisible() and "latest" in dialog.warning_label.text()
    assert dialog.push_button.isEnabled()  # a warning, not a refusal


def test_a_docker_hub_name_without_a_user_is_caught_before_pushing(qtbot, connected, signed_in, engine):
    dialog = open_dialog(qtbot, connected, signed_in, "my-app:1.0")
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text().startswith("Docker Hub needs USER/NAME, for example yourname/my-app")
    assert not dialog.push_button.isEnabled()
    dialog.start_push()
    assert engine.pushes == [] and connected.commands == []


# Pushing ------------------------------------------------------------------------------------------


def test_a_push_shows_every_layer_and_the_total(qtbot, connected, signed_in, engine):
    dialog = open_dialog(qtbot, connected, signed_in)
    push(qtbot, dialog, expect_success=True)

    ((repository, tag, header),) = engine.pushes
    assert (repository, tag) == (f"{LOCAL}/portside-test/app", "1.0")
    assert header == signed_in.auth_header(LOCAL)  # Portside's sign-in goes with the push
    assert connected.commands == [(f"docker push {REFERENCE}", "push the image")]
    assert dialog.transfer.rows() == [
        ["b9fd551323f5", "Pushed", "3.0 MiB"],
        ["350973eb9679", "Pushed", "3.0 KiB"],
        ["3157f0f2d181", "Pushed", "3.1 KiB"],
        ["4e7b3216e8c2", "Pushed", "1.9 MiB"],
    ]
    assert dialog.summary_label.text() == "4 of 4 layers, 4.9 MiB of 4.9 MiB"
    assert dialog.progress_bar.maximum() > 0 and dialog.progress_bar.value() == dialog.progress_bar.maximum()
    assert dialog.status_label.text() == (
        f"Pushed {REFERENCE}. Digest: sha256:52f98d8d8f6093e8ee3a0a7d8ec82a36867c56b182b59988d8a008a9afaa8adc"
    )
    assert not dialog.error_label.isVisible() and dialog.push_button.isEnabled()


def test_progress_shows_while_the_push_runs(qtbot, connected, signed_in, engine):
    messages = recorded_push(f"{LOCAL}/portside-test/app", "1.0")
    halfway = next(i for i, m in enumerate(messages) if m.get("status") == "Pushed")
    engine.push_messages, engine.push_blocks = messages[: halfway + 1], True  # then the registry goes quiet
    dialog = open_dialog(qtbot, connected, signed_in)
    qtbot.mouseClick(dialog.push_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary_label.text() == "1 of 4 layers, 3.8 MiB of 4.9 MiB", timeout=5000)

    assert 0 < dialog.progress_bar.value() < dialog.progress_bar.maximum()
    assert ["4e7b3216e8c2", "Pushing", "833.0 KiB / 1.9 MiB"] in dialog.transfer.rows()
    assert not dialog.push_button.isEnabled() and dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.pushFinished) as finished:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)

    assert finished.args == [False]
    assert dialog.status_label.text() == "Push cancelled."
    assert engine.push_streams[0].cancelled
    assert not push_workers() and dialog.push_button.isEnabled()


def test_layers_the_registry_has_are_said_to_be_there(qtbot, connected, signed_in, engine):
    engine.push_messages = recorded_push(f"{LOCAL}/portside-test/app", "1.0", "already_pushed")
    dialog = open_dialog(qtbot, connected, signed_in)
    push(qtbot, dialog, expect_success=True)
    assert dialog.summary_label.text() == "4 of 4 layers, all already on the registry"
    assert {row[1] for row in dialog.transfer.rows()} == {"Layer already exists"}


def test_a_push_while_signed_out_shows_the_sentence(qtbot, connected, vault, engine):
    engine.push_messages = recorded_push(f"{LOCAL}/portside-test/app", "1.0", "signed_out")
    dialog = open_dialog(qtbot, connected, vault)
    push(qtbot, dialog, expect_success=False)

    assert engine.pushes[0][2] is None  # no sign-in of Portside's: the engine layer tries the docker CLI's
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == (
        f"You are not signed in to {LOCAL}, or it did not accept the sign-in. "
        f"Sign in to {LOCAL} (Registries page), then push again."
    )
    assert dialog.status_label.text() == "The push failed."
    assert dialog.progress_bar.maximum() > 0  # not left bouncing
    assert dialog.sign_in_button.isVisible()


def test_a_refusal_before_the_stream_shows_the_sentence(qtbot, connected, signed_in, engine):
    engine.push_error = api_error(500, "invalid reference format: repository name must be lowercase")
    dialog = open_dialog(qtbot, connected, signed_in)
    push(qtbot, dialog, expect_success=False)
    assert dialog.error_label.text().startswith(f"{REFERENCE} is not a valid image name.")


def test_a_stream_that_stops_without_the_digest_is_not_a_success(qtbot, connected, signed_in, engine):
    engine.push_messages = recorded_push(f"{LOCAL}/portside-test/app", "1.0")[:-2]
    dialog = open_dialog(qtbot, connected, signed_in)
    push(qtbot, dialog, expect_success=False)
    assert "without confirming" in dialog.error_label.text()


def test_without_an_engine_nothing_starts(qtbot, session, vault, engine):
    dialog = open_dialog(qtbot, session, vault)  # the session was never started: no engine
    dialog.start_push()
    assert dialog.error_label.text() == NOT_CONNECTED
    assert engine.pushes == [] and not push_workers()


def test_closing_the_dialog_cancels_the_push_and_waits_for_it(qtbot, connected, signed_in, engine):
    engine.push_messages, engine.push_blocks = recorded_push(f"{LOCAL}/portside-test/app", "1.0")[:6], True
    dialog = open_dialog(qtbot, connected, signed_in)
    qtbot.mouseClick(dialog.push_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.layers_view.topLevelItemCount() == 4, timeout=5000)

    dialog.close()

    assert engine.push_streams[0].cancelled
    assert not push_workers() and not dialog.isVisible()
