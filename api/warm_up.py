"""The assistant's warm-up after start-up (``ShopAssistant.warm_up``), in a thread, so ``/healthz`` answers at once
and the first shoppers do not wait for what the first turns would otherwise build."""

from __future__ import annotations

import logging
import threading

from assistant.service import ShopAssistant

log = logging.getLogger(__name__)


class WarmUp:
    """Runs ``assistant.warm_up()`` once in a thread; :attr:`state` says how far it got.

    Not a daemon thread, and the server's shutdown waits for it: a process that exits while the thread is inside
    ONNX Runtime's native code aborts ("terminate called without an active exception")."""

    def __init__(self, assistant: ShopAssistant) -> None:
        self._assistant = assistant
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._error: str | None = None

    @property
    def state(self) -> str:
        """``starting``, ``ready`` or ``failed`` (the server still answers: a turn builds what it needs itself)."""
        return "failed" if self._error else "ready" if self._done.is_set() else "starting"

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="warm-up")
            self._thread.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        return self._done.wait(timeout_s)

    def _run(self) -> None:
        try:
            self._assistant.warm_up()
        except Exception as exc:  # noqa: BLE001 - warming up is an optimisation: say why it failed, keep serving
            self._error = f"{type(exc).__name__}: {exc}"
            log.error("assistant.warm_up_failed reason=%s", self._error, exc_info=exc)
        finally:
            self._done.set()
