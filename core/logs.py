"""Logging and warning set-up for the command line, in one place: a user sees warnings and errors, and ``-v`` adds the
project's debug lines; third-party chatter (bm25s sets its own logger to DEBUG, transformers prints a weight-loading
report and progress bars, Hugging Face Hub draws bars) stays out unless it is a warning of ours to act on."""

from __future__ import annotations

import logging
import os
import sys

PROJECT_PACKAGES = frozenset({"core", "retrieval", "dialogue", "assistant", "ui", "api", "cli", "lab"})
THIRD_PARTY_LOGGERS = ("bm25s", "chromadb", "httpx", "httpcore", "urllib3", "transformers", "sentence_transformers",
                       "huggingface_hub", "onnxruntime", "gradio", "matplotlib", "PIL", "multipart", "openai")
FORMAT = "%(levelname)s %(name)s: %(message)s"

# Read by transformers and huggingface_hub when they are imported: no weight-loading bars, no load report.
QUIET_ENVIRONMENT = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
                     "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1", "TOKENIZERS_PARALLELISM": "false"}


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a record comes, not as it was when the command started: a caller that
    swaps stderr for a while (a test runner, typer's ``CliRunner``) and closes its stand-in loses no later record."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:  # StreamHandler.__init__ sets it; the current stderr is always used
        pass


class _OwnDebugOnly(logging.Filter):
    """Below WARNING, pass only the project's own records: libraries that force their loggers to DEBUG stay quiet."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.split(".", 1)[0] in PROJECT_PACKAGES


def configure(verbose: bool = False) -> None:
    """Set up logging for a command: WARNING and up from everyone, plus the project's DEBUG lines with ``verbose``.

    Call once, early (before transformers is imported, so its environment switches apply; if it already is, its
    own verbosity and progress-bar switches are set too).
    """
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_OwnDebugOnly())
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler], force=True)
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if "transformers" in sys.modules:
        quiet_transformers()


def quiet_transformers() -> None:
    """transformers' own switches (it logs through a handler of its own, outside the root logger's)."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
