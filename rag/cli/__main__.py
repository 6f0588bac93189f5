"""``python -m rag.cli`` runs the ``dossier`` command."""

from rag.cli import main

raise SystemExit(main())
