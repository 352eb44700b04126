"""AppTest of the Upload page's Client Level Data step."""

from __future__ import annotations

from evaluation.store.connection import Store
from tests.fixtures import cld as fx


def test_explore(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = app_test("pages/upload.py")
    at.file_uploader[0].set_value(("cld.csv", fx.rules_extract(), "text/csv")).run()
    print(at.exception)
    print([i.value for i in at.info], [t.value for t in at.text])
    print([(t.label, t.value) for t in at.text_area])
    print([b.label for b in at.button])
    at.text_area[0].input("Medway innovation team=ME4,ME5")
    next(b for b in at.button if b.label == "Save the sites").click().run()
    print(at.exception)
    print(
        [t.value for t in at.text], [s.value for s in at.success], [h.value for h in at.subheader]
    )
    print([b.label for b in at.button])
    print(at.dataframe[0].value)
    next(b for b in at.button if b.label.startswith("Import the")).click().run()
    print([s.value for s in at.success], [t.value for t in at.text])
    assert False
