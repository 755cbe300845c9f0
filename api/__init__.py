"""HTTP serving: the native JSON API, Rasa's REST channel, metrics and the mounted Gradio widget."""

from api.app import create_app

__all__ = ["create_app"]
