"""Load the bundled sample files into an empty store (the first run of a local install)."""

from __future__ import annotations

from pathlib import Path

from evaluation.ingest import sample
from evaluation.ingest.importer import Imported, import_files
from evaluation.store.connection import Store

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


def load_sample(store: Store, directory: Path = SAMPLE_DIR) -> list[Imported]:
    """Import every sample CSV as batches marked 'sample', so they can be found and undone."""
    files = [(f"{name}.csv", (directory / f"{name}.csv").read_bytes()) for name in sample.FILES]
    return import_files(
        store, files, as_of=sample.AS_OF, imported_by="sample data", source="sample"
    )
