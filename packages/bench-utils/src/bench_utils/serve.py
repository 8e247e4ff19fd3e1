"""``hyperbench serve``: load the model in a config and serve it with uvicorn."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from bench_utils.serveconfig import load_serve_config
from model_interface import create_adapter

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi import FastAPI

logger = logging.getLogger(__name__)


def build_app(config_path: str | Path) -> FastAPI:
    """Load the configured model and return the API wrapper app around it."""
    from bench_utils.server.app import create_app

    model_config, settings = load_serve_config(config_path)
    adapter = create_adapter(model_config)
    start = time.perf_counter()
    adapter.load()
    load_time = time.perf_counter() - start
    logger.info(
        "loaded %s on %s in %.2f s",
        model_config.served_model_name,
        adapter.info()["device"],
        load_time,
    )
    return create_app(adapter, settings, load_time_s=round(load_time, 3))


def serve(
    config_path: str | Path, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info"
) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(build_app(config_path), host=host, port=port, log_level=log_level)
