"""``shopassist llm`` commands are wired (the lead mounts ``llm_app`` on the main app)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.llm import llm_app
from core.errors import UserError
from assistant.llm_server import cpu_dtype, VllmServer
from core.settings import Settings


def test_llm_commands_have_help() -> None:
    runner = CliRunner()
    result = runner.invoke(llm_app, ["--help"])
    assert result.exit_code == 0 and "prepare" in result.output and "serve" in result.output
    assert runner.invoke(llm_app, ["serve", "--help"]).exit_code == 0


def test_serve_command_line_follows_the_recipe(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = VllmServer(Settings(home=tmp_path, vllm_dtype="bfloat16"), port=18123, model_dir=tmp_path / "model")
    command = server.command()
    assert command[0] == str(tmp_path / "vllm-venv" / "bin" / "python") and command[1:3] == ["-m", "vllm.entrypoints.openai.api_server"]
    assert " ".join(command[3:]).startswith(f"--model {tmp_path / 'model'} --served-model-name smollm2 --dtype bfloat16 --max-model-len 2048")
    assert "--port 18123" in " ".join(command) and "--enforce-eager" in command
    assert server.environment()["VLLM_CPU_KVCACHE_SPACE"] and server.base_url == "http://127.0.0.1:18123/v1"


def test_auto_dtype_is_bfloat16_only_where_the_cpu_computes_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    avx2, amx = tmp_path / "avx2", tmp_path / "amx"
    avx2.write_text("flags\t\t: fpu sse2 avx avx2 fma\n")
    amx.write_text("flags\t\t: fpu sse2 avx avx2 avx512f avx512_bf16 amx_bf16\n")
    assert cpu_dtype("auto", avx2) == "float32" and cpu_dtype("auto", amx) == "bfloat16"
    assert cpu_dtype("float16", avx2) == "float16" and cpu_dtype("auto", tmp_path / "absent") == "float32"


def test_serving_without_a_prepared_venv_says_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match="shopassist llm prepare"):
        VllmServer(Settings(home=tmp_path), model_dir=tmp_path / "model").start()
