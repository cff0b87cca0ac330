"""Commands `llamacpp setup|start|stop|status`: the local llama.cpp server and model."""

from __future__ import annotations

import typer

llamacpp_app = typer.Typer(no_args_is_help=True,
                           help="The local llama.cpp server (SmolLM2-135M-Instruct) used as a "
                                "real live provider.")


def _say(message: str) -> None:
    typer.echo(message)


@llamacpp_app.command()
def setup(jobs: int = typer.Option(2, "--jobs", "-j", help="Parallel build jobs.")) -> None:
    """Build and cache llama-server and extract the model (idempotent; cache outside the repo)."""
    from harness.llamacpp import ensure_all

    assets = ensure_all(_say, jobs=jobs)
    _say(f"ready: server {assets.server}, model {assets.model}")


@llamacpp_app.command()
def start(port: int | None = typer.Option(None, "--port", help="Port (default: free)."),
          timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for "
                                                                 "readiness.")) -> None:
    """Start llama-server in the background on 127.0.0.1 and wait until it is ready."""
    from harness.llamacpp import start_server

    server = start_server(port=port, startup_timeout_s=timeout)
    _say(f"llama-server pid {server.pid} ready at {server.base_url}")
    _say(f"export CONFORMANCE_LLAMACPP_BASE_URL={server.root_url}")


@llamacpp_app.command()
def stop() -> None:
    """Stop the running llama-server (by its PID file)."""
    from harness.llamacpp import stop_server

    _say("stopped" if stop_server() else "no llama-server was running")


@llamacpp_app.command()
def status() -> None:
    """Say whether llama-server is running, and where."""
    from harness.llamacpp import running_server

    server = running_server()
    _say(f"running: pid {server.pid} at {server.base_url}" if server else "not running")


def register(app: typer.Typer) -> None:
    """Add the `llamacpp` command group."""
    app.add_typer(llamacpp_app, name="llamacpp")
