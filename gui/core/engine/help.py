"""What to tell the user for each engine state: one plain sentence, then exact steps per platform."""

from __future__ import annotations

from dataclasses import dataclass

from gui.core.engine.connection import MIN_API_VERSION, Diagnosis, EngineState

PLATFORMS = ("Debian / Ubuntu", "Fedora", "macOS", "Windows")


@dataclass(frozen=True)
class Advice:
    title: str
    summary: str
    steps: dict[str, str]  # platform -> commands or instructions
    warning: str = ""


_ADVICE = {
    EngineState.NOT_INSTALLED: Advice(
        "Docker is not installed",
        "Portside drives the Docker engine, and this computer does not have it yet. Install it, then come back: "
        "Portside notices on its own.",
        {
            "Debian / Ubuntu": "sudo apt-get update\nsudo apt-get install -y docker.io\nsudo systemctl enable --now docker",
            "Fedora": "sudo dnf install -y moby-engine\nsudo systemctl enable --now docker",
            "macOS": "Install Docker Desktop from docker.com (or: brew install --cask docker), then open it once.",
            "Windows": "Install Docker Desktop from docker.com (or: winget install Docker.DockerDesktop), "
            "with the WSL 2 backend, then start it.",
        },
    ),
    EngineState.NOT_RUNNING: Advice(
        "The Docker engine is not running",
        "Docker is installed but its engine (the dockerd service) is not answering. Start it; Portside connects "
        "the moment it answers.",
        {
            "Debian / Ubuntu": "sudo systemctl start docker\n# start it at every boot:\nsudo systemctl enable docker",
            "Fedora": "sudo systemctl start docker\nsudo systemctl enable docker",
            "macOS": "Open Docker Desktop (Applications > Docker) and wait for the whale icon to stop animating.",
            "Windows": 'Start Docker Desktop from the Start menu and wait until it says "Engine running".',
        },
    ),
    EngineState.PERMISSION_DENIED: Advice(
        "Your account may not use the Docker engine",
        "The engine is running, but your user is not allowed to open its socket. Add yourself to the docker "
        "group, then log out and back in.",
        {
            "Debian / Ubuntu": "sudo usermod -aG docker $USER\n# then log out and in again (or run: newgrp docker)",
            "Fedora": "sudo usermod -aG docker $USER\n# then log out and in again (or run: newgrp docker)",
            "macOS": "Quit and reopen Docker Desktop; it sets up the socket for your user.",
            "Windows": "Add your account to the docker-users group (Computer Management > Local Users and Groups), "
            "then sign out and in.",
        },
        warning="Members of the docker group can get full root access to this computer through the engine. "
        "Only add accounts you trust, or use rootless Docker.",
    ),
    EngineState.API_TOO_OLD: Advice(
        "The Docker engine is too old",
        f"This engine's API is older than {MIN_API_VERSION} (Docker 19.03), which Portside needs to give GPUs to "
        "containers. Update Docker.",
        {
            "Debian / Ubuntu": "sudo apt-get update\nsudo apt-get install --only-upgrade -y docker.io",
            "Fedora": "sudo dnf upgrade -y moby-engine",
            "macOS": "Docker Desktop > Check for updates.",
            "Windows": "Docker Desktop > Check for updates.",
        },
    ),
    EngineState.UNREACHABLE: Advice(
        "The Docker engine cannot be reached",
        "Portside found where the engine should be but could not talk to it. Check the address in DOCKER_HOST or "
        "the current docker context.",
        {
            "Debian / Ubuntu": "docker context ls\necho $DOCKER_HOST\nsudo systemctl status docker",
            "Fedora": "docker context ls\necho $DOCKER_HOST\nsudo systemctl status docker",
            "macOS": "docker context ls\necho $DOCKER_HOST",
            "Windows": "docker context ls\necho %DOCKER_HOST%",
        },
    ),
    EngineState.STARTING: Advice(
        "The Docker engine is starting",
        "The engine takes connections but does not answer yet: it is starting, or restoring your containers after "
        "a restart, which can take a minute. Wait a little; Portside connects the moment it answers.",
        {
            "Debian / Ubuntu": "# what the engine is doing now:\nsudo systemctl status docker\n"
            "# its last messages (it lists the containers it restores):\nsudo journalctl -u docker -n 30",
            "Fedora": "# what the engine is doing now:\nsudo systemctl status docker\n"
            "# its last messages (it lists the containers it restores):\nsudo journalctl -u docker -n 30",
            "macOS": "Wait until the whale icon in the menu bar stops animating. If it never does, quit Docker Desktop "
            "and open it again.",
            "Windows": 'Wait until Docker Desktop says "Engine running". If it never does, quit Docker Desktop and '
            "start it again.",
        },
    ),
    EngineState.CONNECTED: Advice("Connected to the Docker engine", "Everything is ready.", {}),
}


def advice_for(state: EngineState) -> Advice:
    """The advice for a state of this computer's own engine."""
    return _ADVICE[state]


# States in which nothing answers at the address: when DOCKER_HOST or a context names another engine, the
# address is what to look at, not this computer's dockerd (issue 14).
_NO_ANSWER = (EngineState.NOT_INSTALLED, EngineState.NOT_RUNNING, EngineState.UNREACHABLE)


def advice(diagnosis: Diagnosis) -> Advice:
    """What to tell the user, knowing where the address came from."""
    endpoint = diagnosis.endpoint
    if diagnosis.state not in _NO_ANSWER or not endpoint.elsewhere:
        return advice_for(diagnosis.state)
    if endpoint.context:
        return _context_advice(endpoint.context, endpoint.host)
    return _docker_host_advice(endpoint.host)


def _docker_host_advice(host: str) -> Advice:
    unix_steps = (
        "# where DOCKER_HOST points:\n"
        "echo $DOCKER_HOST\n"
        "# to use the engine on this computer instead, unset it,\n"
        "# then start Portside again from this terminal:\n"
        "unset DOCKER_HOST\n"
        "# if your ~/.bashrc or ~/.profile sets it, remove that line too"
    )
    return Advice(
        "Nothing answers at DOCKER_HOST",
        f"DOCKER_HOST is set to {host}, and nothing answers there. Check that this address is right and that "
        "the engine there is running, or unset DOCKER_HOST to use the engine on this computer.",
        {
            "Debian / Ubuntu": unix_steps,
            "Fedora": unix_steps,
            "macOS": unix_steps,
            "Windows": "rem where DOCKER_HOST points:\n"
            "echo %DOCKER_HOST%\n"
            "rem to use the engine on this computer instead, clear it,\n"
            "rem then start Portside again from this window:\n"
            "set DOCKER_HOST=",
        },
    )


def _context_advice(context: str, host: str) -> Advice:
    def steps(comment: str, unset_context: str) -> str:
        return (
            f"{comment} where the contexts point (* marks the current one):\n"
            "docker context ls\n"
            f"docker context inspect {context}\n"
            f"{comment} to use the engine on this computer instead:\n"
            "docker context use default\n"
            f"{comment} if DOCKER_CONTEXT is set, it wins over that: {unset_context}"
        )

    unix_steps = steps("#", "unset DOCKER_CONTEXT")

    return Advice(
        f"Nothing answers at the docker context {context}",
        f"Your docker context {context} points to {host}, and nothing answers there. Check that this address is "
        "right and that the engine there is running, or switch to the engine on this computer: "
        "docker context use default.",
        {
            "Debian / Ubuntu": unix_steps,
            "Fedora": unix_steps,
            "macOS": unix_steps,
            "Windows": steps("rem", "set DOCKER_CONTEXT="),
        },
    )


GPU_TOOLKIT_STEPS = (
    "Install the NVIDIA Container Toolkit, then let Docker use it:\n"
    "sudo apt-get install -y nvidia-container-toolkit   # from NVIDIA's apt repository\n"
    "sudo nvidia-ctk runtime configure --runtime=docker\n"
    "sudo systemctl restart docker"
)


def status_line(diagnosis: Diagnosis) -> str:
    """A few words for the status bar."""
    if diagnosis.usable and diagnosis.info:
        return f"Docker {diagnosis.info.engine_version} (API {diagnosis.info.api_version}) at {diagnosis.endpoint.host}"
    return f"{advice(diagnosis).title} ({diagnosis.endpoint.host})"
