"""The command line's logging set-up."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from core import logs


def test_records_go_to_the_current_stderr_after_a_stand_in_is_closed(capsys: pytest.CaptureFixture[str]) -> None:
    """A command run under a stand-in stderr (typer's CliRunner does this) must not leave logging bound to it: once the
    stand-in is closed, later warnings would fail with "I/O operation on closed file" and be lost."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    real, stand_in = sys.stderr, io.StringIO()
    try:
        sys.stderr = stand_in
        logs.configure()
        logging.getLogger("assistant.test").warning("while swapped")
        sys.stderr = real
        stand_in.close()
        logging.getLogger("assistant.test").warning("after the stand-in closed")
    finally:
        sys.stderr = real
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    err = capsys.readouterr().err
    assert "WARNING assistant.test: after the stand-in closed" in err
    assert "Logging error" not in err and "while swapped" not in err
