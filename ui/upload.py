"""A file uploader that speaks French: Streamlit's own texts are English and cannot be configured.

``st.file_uploader`` writes « Drag and drop files here », « Upload », « 20MB per file • CSV… » and
« File must be 20.0MB or smaller. » in its frontend, with no setting to translate them. The
widget here keeps Streamlit's uploader (its upload protocol, keyboard access, ``aria-label`` from
our French label) and replaces those strings through CSS on the stable ``data-testid`` hooks:
the English text is hidden (``font-size: 0``, still in the page) and French text is drawn in a
pseudo-element. The limit shown is the real one, in « Mo », the same as ``server.maxUploadSize``.
A browser test checks that no English string is visible.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo.fmt import fr_number
from geo.tabular import MAX_UPLOAD_BYTES, MB

BROWSE_LABEL = "Parcourir…"
DROP_LABEL = "Déposez vos fichiers ici"
REFUSED = f"Fichier refusé : plus de {fr_number(MAX_UPLOAD_BYTES / MB)} Mo, ou envoi interrompu"


def _limits_text(kinds: str) -> str:
    return f"{fr_number(MAX_UPLOAD_BYTES / MB)} Mo au plus par fichier • {kinds}"


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uploader_css(kinds: str) -> str:
    """The ``<style>`` that replaces the uploader's English texts (see the module docstring)."""
    uploader = '[data-testid="stFileUploader"]'
    zone = f'{uploader} [data-testid="stFileUploaderDropzone"]'
    overlay = f"{zone} > div:not([data-testid]):not(:has([data-testid]))"
    size = f'{uploader} [data-testid="stFileChipName"] + div'
    invalid = (
        f'{uploader} [data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + div'
    )
    rules = {
        f'{zone} button [data-testid="stMarkdownContainer"] p': BROWSE_LABEL,
        f'{uploader} [data-testid="stFileUploaderDropzoneInstructions"] span': _limits_text(kinds),
        f"{overlay} span": DROP_LABEL,
        '[data-testid="stTooltipErrorContent"]': REFUSED,
        f'{uploader} [data-testid="stFileChip"] [role="alert"]': REFUSED,
    }
    css = [
        f"{selector} {{ font-size: 0 !important; }}\n{selector}::after {{ content: {_css_string(text)}; "
        "font-size: 0.875rem; }"
        for selector, text in rules.items()
    ]
    css.append(f"{size} {{ font-size: 0 !important; }}")
    css.append(f"{invalid}::after {{ content: {_css_string(REFUSED)}; font-size: 0.75rem; }}")
    return "<style>\n" + "\n".join(css) + "\n</style>"


def french_file_uploader(label: str, *, key: str, kinds: str, help_text: str) -> list[UploadedFile]:
    """``st.file_uploader`` (several files) with French texts and the real size limit in Mo.

    Parameters
    ----------
    label
        The widget's French label (also its accessible name).
    key
        Widget key (prefixed by the page).
    kinds
        The formats as shown to the user (« CSV, XLSX, GeoJSON… »).
    help_text
        French tooltip of the label.
    """
    st.html(uploader_css(kinds))
    # No ``type=``: a file of another type reaches the reader, which explains in French what it
    # accepts, instead of Streamlit's English « … files are not allowed ».
    files = st.file_uploader(label, accept_multiple_files=True, key=key, help=help_text)
    return list(files or [])
