"""The ``alertlens`` command line. One module per command under ``flows/commands/``; each has
``add_parser(subparsers)`` which registers ``run(args, config) -> int`` as the handler.

Command modules import only the standard library at module level and load what they need in
``run``, so ``alertlens --help`` and ``alertlens COMMAND --help`` start in a fraction of the
time Prefect, pandas or pyarrow take to import (benchmarks/README.md).

Errors a user can fix (a missing file, an unknown source, an unreadable file, a bad config) are
printed as one line on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

#: Command modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "alertlens.flows.commands.ingest",
    "alertlens.flows.commands.analyze",
    "alertlens.flows.commands.report",
    "alertlens.flows.commands.nightly",
    "alertlens.flows.commands.generate",
    "alertlens.flows.commands.evaluate",
    "alertlens.flows.commands.pull",
    "alertlens.flows.commands.receive",
    "alertlens.flows.commands.serve",
)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    top = argparse.ArgumentParser(
        prog="alertlens",
        description="Alert noise, response times and on-call load from your paging tools' exports.",
    )
    top.add_argument(
        "--config", type=Path, help="alertlens.toml to use (default: ./alertlens.toml)"
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit status."""
    args = parser().parse_args(argv)
    # imported after parsing: --help never pays for the configuration model
    from alertlens.flows.config import ConfigError, load_config
    from alertlens.flows.errors import UsageError
    from alertlens.ingest.lake import LakeBusy
    from alertlens.ingest.records import InputError, OptionsError

    config = None
    try:
        config = load_config(args.config)
        return int(args.handler(args, config) or 0)
    except OptionsError as err:
        where = f"{config.path}: " if config is not None and config.path else ""
        print(f"alertlens: error: {where}{err}", file=sys.stderr)
        return 2
    except (InputError, ConfigError, UsageError, FileNotFoundError, LakeBusy) as err:
        print(f"alertlens: error: {err}", file=sys.stderr)
        return 2
    except (NotADirectoryError, IsADirectoryError, PermissionError) as err:
        print(f"alertlens: error: {err.filename or ''}: {err.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("alertlens: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
