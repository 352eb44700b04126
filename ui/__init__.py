"""The dashboard's Streamlit side: what pages share (the store, the visitor, navigation,
filters and the blocks that show a figure). ``evaluation`` never imports it."""
