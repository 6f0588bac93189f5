#!/usr/bin/env bash
# The main job: install, index the bundled sample corpus, start the app on http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/dossier ingest "${DOSSIER_SAMPLE_DIR:-data/articles}"
.venv/bin/dossier status
exec .venv/bin/python -m ui.serve --server.address 127.0.0.1 \
  --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false
