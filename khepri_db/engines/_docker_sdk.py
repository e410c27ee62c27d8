"""The Docker SDK for Python (``docker``, the optional ``khepri-db[docker]`` extra) as the docker
engine uses it: imported lazily, a client that answered a ping, images looked up or pulled, and
why the engine cannot run here (error messages, test skips)."""

from __future__ import annotations

from typing import Any

from khepri_db.core.errors import EngineError
from khepri_db.engines.base import Log

IMAGE_ENV = "KHEPRI_DOCKER_IMAGE"
"""Environment variable naming the docker engine's image (``--image`` wins)."""


def docker_sdk() -> Any:
    """Import the Docker SDK lazily (the optional ``khepri-db[docker]`` extra).

    Raises:
        EngineError: it is not installed.
    """
    try:
        import docker
    except ImportError as exc:
        raise EngineError(
            f"the docker engine needs the Docker SDK for Python (package docker), which is not installed ({exc})",
            hint="pip install 'khepri-db[docker]'",
        ) from exc
    return docker


def docker_client() -> Any:
    """A Docker client that answered a ping.

    Raises:
        EngineError: the SDK is missing or no Docker engine answers.
    """
    docker = docker_sdk()
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:  # docker.errors.DockerException and whatever the transport raises
        raise EngineError(
            f"no Docker engine answers ({first_line(exc)})",
            hint="start Docker (or set DOCKER_HOST), or use the embedded or system engine",
        ) from None
    return client


def ensure_image(client: Any, image: str, log: Log | None = None) -> None:
    """Make sure ``image`` is present: look it up, else pull it.

    Raises:
        EngineError: the image is neither present nor pullable (no registry reachable, a wrong
            name); the message says how to build a local one.
    """
    docker = docker_sdk()
    try:
        client.images.get(image)
        return
    except docker.errors.ImageNotFound:
        pass
    except Exception as exc:
        raise EngineError(f"cannot look up the image {image}: {first_line(exc)}") from None
    if log:
        log(f"pulling {image}")
    try:
        client.images.pull(image)
    except Exception as exc:
        raise EngineError(
            f"the image {image} is not present and cannot be pulled ({first_line(exc)})",
            hint="pull it where a registry is reachable, or build a local PostgreSQL image "
            "(tests/docker/build_image.sh makes one from this machine's PostgreSQL) and pass --image "
            f"(env {IMAGE_ENV})",
        ) from None


def docker_unavailable_reason(image: str | None = None) -> str | None:
    """Why the docker engine cannot run here, or ``None`` when it can.

    Args:
        image: also require this image to be present or pullable (checked before anything is created).

    Returns:
        ``None`` when the Docker SDK is importable, a Docker engine answers a ping and (with
        ``image``) the image is there; else one sentence naming what is missing (error messages,
        test skips).
    """
    try:
        client = docker_client()
    except EngineError as exc:
        return exc.message
    try:
        if image is not None:
            ensure_image(client, image)
    except EngineError as exc:
        return exc.message
    finally:
        client.close()
    return None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
