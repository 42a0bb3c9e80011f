"""Read a form from a page as a browser would submit it, so tests post what a user sees."""

from html.parser import HTMLParser

TEXT_LIKE = {"text", "hidden", "date", "time", "number", "email", "url", "search", "tel"}


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields = []  # (name, value) in document order, as a browser submits them
        self.select = None  # [name, options, selected, multiple]
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in TEXT_LIKE:
                self.fields.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio") and "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on")))
        elif tag == "select" and name:
            self.select = [name, [], [], "multiple" in attrs]
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), ""]
            if "selected" in attrs:
                self.select[2].append(self.option)
            self.select[1].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            name, options, selected, multiple = self.select
            if not selected and not multiple and options:
                selected = options[:1]
            for value, text in selected:
                self.fields.append((name, text.strip() if value is None else value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.fields.append((name, text.removeprefix("\n")))
            self.textarea = None


def form_data(html, form_id=None):
    """{name: [values]} of the form's controls, ready for client.post(url, data)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    data = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data
