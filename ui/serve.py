"""Start the app with answering already loading: ``python -m ui.serve [streamlit options]``.

``streamlit run ui/app.py`` builds the process's ``Dossier`` on the first visit, so a new user's
first question waits for the models, the index and BM25 to load. This launcher builds it and
starts loading them (``ui.state.start``) before the server takes its first request, then runs
``streamlit run ui/app.py`` in the same process with the options given.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ui import state

APP = Path(__file__).resolve().parent / "app.py"


def main(argv: list[str] | None = None) -> int:
    from streamlit.web import cli

    state.start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
