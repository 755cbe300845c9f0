"""User-facing channels (Gradio widget)."""
