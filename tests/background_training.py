"""The session's intent models, trained in a process of their own while the tests that need no model run.

Training the English and the Chinese intent models is about half of a CI run's CPU time, and the tests mostly keep
one of the two cores busy. ``tests/conftest.py`` starts this module as a process (at a lower priority, so that the
tests' own timings are not disturbed) as soon as it knows which models the selected tests need; it orders the test
modules so that those needing no model run first, then those needing the English model, then the Chinese ones. A
fixture that needs a model waits for its ``<language>.done`` marker; a failure leaves ``<language>.failed`` with the
traceback, which the fixture raises.

Run as ``python -m tests.background_training ROOT en zh``: each model is trained into the home ``ROOT/<language>``,
English first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

from core.settings import Settings

#: The background process's niceness: the tests' threads come first when both want a core.
NICENESS = 10


def home_settings(root: Path, language: str) -> Settings:
    """The settings of the home a language's model is trained into (the Chinese view for zh)."""
    if language == "en":
        return Settings(home=root / "en")
    return Settings(home=root / language, nlu_languages=["en", language]).for_language(language)  # type: ignore[list-item]


class BackgroundTraining:
    """The training process of one test session: started once, waited on by the model fixtures."""

    def __init__(self) -> None:
        self.root: Path | None = None
        self.languages: list[str] = []
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, root: Path, languages: list[str]) -> None:
        self.root, self.languages = root, languages
        root.mkdir(parents=True, exist_ok=True)
        log = (root / "training.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "tests.background_training", str(root), *languages],
                                        cwd=Path(__file__).resolve().parents[1], stdout=log, stderr=subprocess.STDOUT)

    def settings(self, language: str) -> Settings | None:
        """The settings of the home holding ``language``'s trained model, once it is trained; None when this session
        does not train it in the background (the fixture trains it itself)."""
        if self.root is None or self.process is None or language not in self.languages:
            return None
        done, failed = self.root / f"{language}.done", self.root / f"{language}.failed"
        while not done.exists():
            if failed.exists():
                raise RuntimeError(f"background training of the {language} intent model failed:\n{failed.read_text()}")
            if self.process.poll() is not None and not done.exists():
                log = (self.root / "training.log").read_text(errors="replace")[-4000:]
                raise RuntimeError(f"background training stopped (exit {self.process.returncode}) before the {language} "
                                   f"model was trained:\n{log}")
            time.sleep(0.5)
        return home_settings(self.root, language)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def main(root: Path, languages: list[str]) -> int:
    from lab.train.intent import train_from_settings

    os.nice(NICENESS)
    for language in languages:
        try:
            train_from_settings(home_settings(root, language), progress=False)
        except Exception:  # noqa: BLE001 - reported to the waiting fixture, which fails its tests with it
            (root / f"{language}.failed").write_text(traceback.format_exc())
            return 1
        (root / f"{language}.done").touch()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
