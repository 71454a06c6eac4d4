from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, TextAreaField

from app.background.models import BackgroundDocument
from app.background.services import BackgroundInput, PdfUpload, pdf_limit
from app.forms import FlaskForm


class BackgroundForm(FlaskForm):
    markdown_en = TextAreaField(_l("Background document in English"),
                                description=_l("Markdown: # heading, **bold**, *italic*, - lists, [link](https://…)."))
    markdown_fr = TextAreaField(_l("Background document in French"),
                                description=_l("Markdown: # heading, **bold**, *italic*, - lists, [link](https://…)."))
    pdf = FileField(_l("PDF version (optional)"))
    remove_pdf = BooleanField(_l("Remove the attached PDF"))

    def set_limit_hint(self) -> None:
        self.pdf.description = _l("A PDF file of at most %(size)s MB. Participants can download it.",
                                  size=f"{pdf_limit() / (1024 * 1024):g}")

    def fill_from(self, document: BackgroundDocument | None) -> None:
        if document is not None:
            self.markdown_en.data = document.draft_markdown_en
            self.markdown_fr.data = document.draft_markdown_fr

    def to_input(self) -> BackgroundInput:
        pdf = None
        storage = self.pdf.data
        if storage is not None and getattr(storage, "filename", None):
            # One byte past the limit is enough to know the file is too large.
            pdf = PdfUpload(data=storage.stream.read(pdf_limit() + 1), filename=storage.filename)
        return BackgroundInput(markdown_en=self.markdown_en.data or "", markdown_fr=self.markdown_fr.data or "",
                               pdf=pdf, remove_pdf=bool(self.remove_pdf.data))
