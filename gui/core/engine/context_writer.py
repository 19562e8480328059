"""Write and remove docker contexts exactly as `docker context create` and `docker context rm` do, so the docker
CLI sees the engines added in Portside, and Portside sees the ones made with the CLI.

The CLI keeps a context in two folders named by the sha256 of its name, under its config folder (DOCKER_CONFIG or
~/.docker): `contexts/meta/<sha256>/meta.json` (0755 folders, a 0644 file, compact JSON as Go writes it) and, when
it has TLS material, `contexts/tls/<sha256>/docker/{ca,cert,key}.pem` (0700 folders, 0600 files). Each write and
removal reads or changes the disk: call them in a worker."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import ssl
from dataclasses import dataclass
from pathlib import Path

from gui.core import log
from gui.core.engine.connection import docker_config_dir
from gui.core.errors import EngineError
from gui.core.fileio import PRIVATE_FILE_MODE, atomic_write_bytes, private_dir

logger = log.get("engine")

# The docker CLI's rule for a context's name (cli/context/store: restrictedNamePattern); "default" is its own.
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$")
RESERVED_NAME = "default"
TLS_FILE_NAMES = ("ca.pem", "cert.pem", "key.pem")  # the CLI's names, in the order `--docker` lists them
MAX_PEM_BYTES = 1024 * 1024  # a certificate or key is a few KiB: a bigger file is the wrong file


class ContextRefused(EngineError):
    """A context that cannot be written or removed, said as a sentence with what to do instead."""


@dataclass(frozen=True)
class NewContext:
    """What `docker context create NAME --description D --docker "host=URL,ca=…,cert=…,key=…"` is given."""

    name: str
    host: str  # unix:///path, ssh://user@host[:port], tcp://host:port
    description: str = ""
    ca: str = ""  # paths of the TLS files to copy, "" for none
    cert: str = ""
    key: str = ""

    @property
    def tls_files(self) -> dict[str, str]:
        """The CLI's file name -> the path the user chose, for the files given."""
        chosen = dict(zip(TLS_FILE_NAMES, (self.ca, self.cert, self.key), strict=True))
        return {name: path for name, path in chosen.items() if path}

    def command(self) -> str:
        """The docker CLI line that makes the same context (the CLI twin)."""
        words = ["docker", "context", "create", self.name or "NAME"]
        if self.description:
            words += ["--description", self.description]
        fields = [f"host={self.host}"] + [f"{name[:-4]}={path}" for name, path in self.tls_files.items()]
        return shlex.join([*words, "--docker", _csv_line(fields)])


def _csv_line(fields: list[str]) -> str:
    # The CLI reads --docker as one CSV record: a path with a comma or a quote must be quoted as CSV quotes it.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def remove_command(name: str) -> str:
    return shlex.join(["docker", "context", "rm", name])


def name_problem(name: str, existing: tuple[str, ...] | list[str] | set[str] = ()) -> str | None:
    """Why the docker CLI would refuse `name` for a new context, as a sentence, or None."""
    if not name:
        return "Enter a name for the engine, such as gpu-box."
    if name == RESERVED_NAME:
        return "'default' is the docker CLI's own name for this computer's engine: choose another name."
    if not NAME_PATTERN.match(name):
        return (
            f"'{name}' cannot name a docker context: use at least two letters, digits, or _ . + - "
            "characters, starting with a letter or a digit."
        )
    if name in existing:
        return f"There is already a docker context named '{name}': choose another name, or remove that one first."
    return None


def context_folder_name(name: str) -> str:
    """The folder the docker CLI keeps a context in: the sha256 of its name."""
    return hashlib.sha256(name.encode()).hexdigest()


def meta_folder(name: str, config_dir: Path | None = None) -> Path:
    return (config_dir or docker_config_dir()) / "contexts" / "meta" / context_folder_name(name)


def tls_folder(name: str, config_dir: Path | None = None) -> Path:
    """The context's TLS folder (the CLI's `contexts/tls/<sha256>`; the docker endpoint's files are in `docker/`)."""
    return (config_dir or docker_config_dir()) / "contexts" / "tls" / context_folder_name(name)


def meta_json(context: NewContext) -> bytes:
    """meta.json as the docker CLI writes it: Go's compact JSON, an empty Metadata without a description."""
    data = {
        "Name": context.name,
        "Metadata": {"Description": context.description} if context.description else {},
        "Endpoints": {"docker": {"Host": context.host, "SkipTLSVerify": False}},
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def read_pem(path: str, expected: str) -> bytes:
    """The content of a chosen TLS file, refused with a sentence when it cannot be read or has no PEM block of
    `expected` ("CERTIFICATE" or "PRIVATE KEY")."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PEM_BYTES + 1)
    except OSError as exc:
        raise ContextRefused(f"Could not read {path}: {exc.strerror or exc}. Choose the file again.", str(exc)) from exc
    if len(data) > MAX_PEM_BYTES or not _PEM_BLOCK.search(data) or expected.encode() not in data:
        kind = "private key" if expected == "PRIVATE KEY" else "certificate"
        raise ContextRefused(
            f"{path} is not a PEM {kind} (it has no '-----BEGIN …{expected}-----' block). Choose the {kind} file "
            "your engine's administrator gave you."
        )
    return data


_PEM_BLOCK = re.compile(rb"-----BEGIN [A-Z0-9 ]+-----\s+[A-Za-z0-9+/=\s]+-----END [A-Z0-9 ]+-----")


def check_tls_files(context: NewContext) -> dict[str, bytes]:
    """The TLS files' contents under the CLI's names, once each is one the docker CLI takes: a CA certificate that
    parses, and a client certificate its key belongs to. Refused (ContextRefused) with a sentence otherwise."""
    files = {
        name: read_pem(path, "PRIVATE KEY" if name == "key.pem" else "CERTIFICATE")
        for name, path in context.tls_files.items()
    }
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if "ca.pem" in files:
        try:
            tls.load_verify_locations(cadata=files["ca.pem"].decode("ascii", "replace"))
        except (ssl.SSLError, ValueError) as exc:
            raise ContextRefused(f"{context.ca} is not a certificate that can be read: {exc}.", str(exc)) from exc
    if "cert.pem" in files and "key.pem" in files:
        try:
            tls.load_cert_chain(context.cert, context.key, password=lambda: b"")
        except (ssl.SSLError, OSError) as exc:
            raise ContextRefused(
                f"The key {context.key} does not open the certificate {context.cert} (a key of another certificate, "
                "or one locked with a passphrase). Choose the pair your engine's administrator gave you.",
                str(exc),
            ) from exc
    return files


def write_context(context: NewContext, config_dir: Path | None = None) -> Path:
    """Writes `context` where the docker CLI keeps it and returns its meta.json. Refused (ContextRefused) for a name
    the CLI refuses or already has, or a TLS file that cannot be read; nothing is left behind then."""
    config_dir = config_dir or docker_config_dir()
    meta = meta_folder(context.name, config_dir)
    problem = name_problem(context.name, (context.name,) if meta.exists() else ())
    if problem:
        raise ContextRefused(problem)
    files = check_tls_files(context)
    tls = tls_folder(context.name, config_dir)
    _remove_folders(tls)  # left by a context removed by hand: its files must not join this one's
    try:
        os.makedirs(meta, mode=0o755, exist_ok=True)
        if files:
            docker_tls = private_dir(tls / "docker")
            for name, data in files.items():
                atomic_write_bytes(docker_tls / name, data, private=True)
                os.chmod(docker_tls / name, PRIVATE_FILE_MODE)
        # Last: the context exists for the CLI once meta.json does, and by then its TLS files are in place.
        atomic_write_bytes(meta / "meta.json", meta_json(context))
    except OSError as exc:
        _remove_folders(meta, tls)
        raise ContextRefused(
            f"Could not write the docker context '{context.name}' in {config_dir}: {exc.strerror or exc}. Check that "
            "the folder is yours and the disk has room.",
            str(exc),
        ) from exc
    logger.info("wrote docker context %r (%s)", context.name, context.host)
    return meta / "meta.json"


def remove_context(name: str, config_dir: Path | None = None) -> None:
    """Removes a context as `docker context rm NAME` does: its meta and TLS folders. Refused for "default", the
    docker CLI's current context (the CLI would be left pointing at nothing), and a context that is not there."""
    config_dir = config_dir or docker_config_dir()
    if name == RESERVED_NAME:
        raise ContextRefused("'default' is the docker CLI's own context: it cannot be removed.")
    meta = meta_folder(name, config_dir)
    if not meta.exists():
        raise ContextRefused(f"There is no docker context named '{name}' any more: the list has been refreshed.")
    if _current_context(config_dir) == name:
        raise ContextRefused(
            f"'{name}' is the docker CLI's current context. Run docker context use default first, then remove it."
        )
    try:
        shutil.rmtree(meta)
        shutil.rmtree(tls_folder(name, config_dir), ignore_errors=True)
    except OSError as exc:
        raise ContextRefused(f"Could not remove the docker context '{name}': {exc.strerror or exc}.", str(exc)) from exc
    logger.info("removed docker context %r", name)


def _current_context(config_dir: Path) -> str:
    try:
        config = json.loads((config_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    current = config.get("currentContext") if isinstance(config, dict) else ""
    return current if isinstance(current, str) else ""


def _remove_folders(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
