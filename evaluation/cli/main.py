"""``python -m evaluation``: a thin command line over the same functions the pages call.

Every command module is imported plainly and registers its own subcommands; the options
they share are in ``evaluation.cli.options``. Exit codes: 0 done; 2 the input has problems
(nothing was stored) or the request can't be carried out, with the reasons on stderr.

A full disk is said in plain words (exit 2), never a traceback; SIGTERM (``timeout``, a
scheduler stopping the job) ends a command as Ctrl-C does, so every clean-up runs; output
piped into ``head`` stops quietly when ``head`` has read enough.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType

from evaluation.cli import (
    activity,
    conversion,
    cost_change,
    data,
    direct_payments,
    mappings,
    over_time,
    pack,
    surveys,
)
from evaluation.cli.options import add_db, refuse
from evaluation.ingest.scratch import sweep_once
from evaluation.store.errors import FULL_MESSAGE, StoreError, disk_full

# Each report module has ``add_arguments(parser)`` and ``run(args) -> int``.
REPORTS = {
    "conversion": conversion,
    "activity": activity,
    "feedback": surveys.feedback,
    "staff": surveys.staff,
    "cost-change": cost_change,
    "direct-payments": direct_payments,
    "difference-over-time": over_time,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation", description="Three Conversations evaluation store and reports."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    data.add_commands(commands)
    mappings.add_commands(commands)

    p = commands.add_parser("pack", help="write the Making it Happen meeting pack (PDF)")
    add_db(p)
    pack.add_arguments(p)
    p.set_defaults(run=pack.run)

    p = commands.add_parser("report", help="print a report")
    reports = p.add_subparsers(dest="report", required=True)
    for name, module in REPORTS.items():
        sub = reports.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        add_db(sub)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    sub = reports.add_parser(
        "completed", help="conversations completed 6, 12 and 18 months after each site's first"
    )
    add_db(sub)
    direct_payments.add_completed_arguments(sub)
    sub.set_defaults(run=direct_payments.run_completed)
    return parser


STOPPED = (
    "Stopped before the end: whatever was being written when the signal came was rolled back. "
    "Running the same command again is safe."
)
_stopping: list[int] = []  # the signal that is stopping the command, once one has come


def _terminated(signum: int, _frame: FrameType | None) -> None:
    _stopping.append(signum)
    raise SystemExit(128 + signum)


def stop_cleanly_on_sigterm() -> None:
    """SIGTERM ends the command as Ctrl-C would: transactions roll back, files are removed.
    (Called by ``python -m evaluation``, not by tests calling ``main`` in their process.)"""
    signal.signal(signal.SIGTERM, _terminated)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    sweep_once()  # copies of uploads left by a killed import
    try:
        code = run(args)
        sys.stdout.flush()  # here, where a reader that has gone is caught below
        return code
    except StoreError as error:
        return refuse(error)
    except BrokenPipeError:
        # The reader (``| head``) has gone: say nothing more, and let Python's own flush at
        # exit write nowhere rather than fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        if disk_full(error):
            return refuse(StoreError(FULL_MESSAGE))
        if _stopping:
            return _stopped()
        raise
    except BaseException:
        # DuckDB turns the signal's SystemExit into its own "Query interrupted" error.
        if _stopping:
            return _stopped()
        raise


def _stopped() -> int:
    refuse(StoreError(STOPPED))
    return 128 + _stopping[0]
