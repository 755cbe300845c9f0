"""The real vLLM server fixture of tests/assistant, for the audit's streamed-LLM test."""

from tests.assistant.conftest import vllm_server  # noqa: F401
