"""Python clients of the widget's server: gradio_client's ``/chat`` and ``/feedback`` endpoints (see docs/embedding.md)."""

from __future__ import annotations


def test_gradio_client_chats_and_likes(widget_url: str) -> None:
    from gradio_client import Client

    client = Client(widget_url + "/ui/", verbose=False)
    first = client.predict("running shoes under 100", "", "", api_name="/chat")
    assert first["action"] == "show_products" and first["products"] and first["sender"].startswith("ui-")
    liked = first["products"][0]["product_id"]
    ack = client.predict(first["conversation_id"], first["sender"], liked, True, api_name="/feedback")
    assert ack["liked"] == [liked]
    follow = client.predict("compare the first two", first["conversation_id"], first["sender"], api_name="/chat")
    assert follow["turn_index"] == 1 and follow["action"] == "compare"
