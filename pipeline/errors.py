"""Numbered error and warning messages, in the manner of spaCy's own errors module.

Each message says what was wrong and what to do about it. Codes never change
meaning once released; retire a code rather than reuse it.
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # Reading input (E1xx)
    E101 = "{path}: the file is empty."
    E102 = "{path}: the file holds only whitespace."
    E103 = ("{path}: the file is not text (it has NUL bytes or is binary). Give a "
            "UTF-8 .txt letter or a .pdf.")
    E104 = ("{path}: the file is not valid UTF-8 (first bad byte at offset {offset}). "
            "Convert it to UTF-8 first, e.g. `iconv -f latin1 -t utf-8`.")
    E105 = ("{path}: the letter has {length:,} characters, more than the pipeline's "
            "limit of {limit:,} (nlp.max_length). Split the file into single letters.")
    E106 = ("{path}: this does not look like an IMR determination letter: none of its "
            "section headings, decision words or IMR phrases were found.")
    E107 = "{path}: no such file or folder."
    E108 = ("{path}: unsupported file type '{suffix}'. Give .txt or .pdf files, or a "
            "folder holding them.")
    E109 = "{path}: the file could not be read: {reason}"
    E110 = ("{path}: the letter looks truncated: it stops inside the decisions section "
            "before any decision was stated.")

    # Reading PDFs (E2xx)
    E201 = "{path}: cannot read the PDF: the file is empty (0 bytes)."
    E202 = "{path}: cannot read the PDF: not a PDF file (no '%PDF-' header in its first 1024 bytes)."
    E203 = "{path}: cannot read the PDF: the file is corrupt or truncated ({detail})."
    E204 = ("{path}: cannot read the PDF: it is encrypted and needs a password to open. "
            "Passwords are not supported: give a decrypted copy.")
    E205 = "{path}: cannot read the PDF: it is encrypted with an unsupported security handler."
    E206 = "{path}: cannot read the PDF: it has zero pages."
    E207 = ("{path}: cannot read the PDF: none of its {pages} page(s) has a text layer; it is "
            "image-only (scanned) and needs OCR, which this project does not do. Run OCR on it "
            "first (for example with ocrmypdf) and give the OCRed PDF.")
    E208 = "{path}: cannot read the PDF: page {page} of {pages} is corrupt ({detail})."
    E209 = "{path}: cannot read the PDF: PDFium failed to open it ({detail})."

    # Pipeline and components (E3xx)
    E301 = ("The component '{name}' was used before it was initialized. Call "
            "nlp.initialize() (pipeline.load() does this) or load a saved pipeline.")
    E302 = ("Pattern file {path} line {line}: {reason}. Each line must be a JSON object "
            "with 'label' and 'pattern'.")
    E303 = ("The layout definitions are malformed: {reason}. See patterns/layouts.json "
            "for the expected form.")
    E304 = ("Could not find the pipeline's '{name}' data folder (looked in {tried}). "
            "Install the package from the repository (pip install -e .).")
    E305 = ("The record does not match schema version {version}: {reason}. This is a "
            "bug in the record builder; please report it with the letter's layout.")
    E306 = ("The input '{path}' was given but no letters were found in it (looked for "
            "*.txt and *.pdf).")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = ("Item '{request}': the decision word says '{decision}' but the rationale "
            "concludes the request {conclusion}.")
    W002 = "Item '{request}': the rationale states no conclusion on medical necessity."
    W003 = "Item '{request}': no decision found for this item."
    W004 = "The letter's layout was not recognised; items were found from decision sentences only."
    W005 = "The decisions section was not found; no items could be read from it."
    W006 = "Item '{request}': the drug '{text}' was read as '{name}' by its spelling (closest lexicon name: '{matched}')."
