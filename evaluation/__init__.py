"""Three Conversations evaluation: the domain package (contract, import, store, measures).

It never imports streamlit: the pages in ``pages/`` are thin and call what is here, and so
do the CLI (``python -m evaluation``) and the tests.
"""
