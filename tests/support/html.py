"""Small helpers to look into rendered pages without a browser."""

from html.parser import HTMLParser


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs dict, text inside when it is a <script>)
        self._script = None

    def handle_starttag(self, tag, attrs):
        entry = (tag, dict(attrs), [])
        self.tags.append(entry)
        if tag == "script":
            self._script = entry

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), []))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[2].append(data)


def tags(response_or_html):
    """Every start tag of a page as (tag, attrs, text) tuples, in document order."""
    html = response_or_html
    if hasattr(response_or_html, "content"):
        html = response_or_html.content.decode()
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return [(tag, attrs, "".join(text)) for tag, attrs, text in parser.tags]


def find(response, tag, **attrs):
    """The attributes of every ``tag`` whose attributes include ``attrs``."""
    return [
        found
        for name, found, _text in tags(response)
        if name == tag and all(found.get(key) == value for key, value in attrs.items())
    ]


def input_value(response, name):
    """The value of the one <input name=...> of the page (None when it has none)."""
    (field,) = find(response, "input", name=name)
    return field.get("value")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def text(response):
    """The page's text as a reader sees it: no tags, entities decoded, spaces collapsed."""
    parser = _Text()
    parser.feed(response.content.decode())
    parser.close()
    return " ".join(" ".join(parser.parts).split())


class _Forms(HTMLParser):
    """The fields of every <form> of a page, in order, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # [{name: [values]}], one per form
        self.choices = []  # [{name: [option values]}], one per form
        self._select = self._textarea = self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({})
            self.choices.append({})
        if not self.forms or "disabled" in attrs:
            return
        fields, choices, name = self.forms[-1], self.choices[-1], attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                choices.setdefault(name, []).append(attrs.get("value", "on"))
                values = fields.setdefault(name, [])
                if "checked" in attrs:
                    values.append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "file", "image"):
                fields.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs)
            fields.setdefault(name, [])
            choices[name] = []
        elif tag == "option" and self._select:
            self._option = attrs.get("value")
            if self._option is not None:
                self.choices[-1][self._select[0]].append(self._option)
                if "selected" in attrs:
                    fields[self._select[0]].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = name
            fields.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            name, multiple = self._select
            values = self.forms[-1][name]
            if not multiple and not values and self.choices[-1][name]:
                values.append(self.choices[-1][name][0])  # a browser sends the first option
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            values = self.forms[-1][self._textarea]
            values[-1] += data.removeprefix("\n") if not values[-1] else data


def form_data(response, field):
    """What the page's form holding `field` submits as it stands, as {name: [values]}, and the
    options of its choice fields as {name: [option values]}."""
    parser = _Forms()
    parser.feed(response.content.decode())
    parser.close()
    for fields, choices in zip(parser.forms, parser.choices, strict=True):
        if field in fields:
            return fields, choices
    raise AssertionError(f"no form of the page has a field {field!r}")


def assert_no_inline_code(response):
    """The page runs only the project's static scripts: no inline script, style or handler."""
    found = tags(response)
    scripts = [(attrs, body) for tag, attrs, body in found if tag == "script"]
    assert scripts, "the page loads its scripts"
    for attrs, body in scripts:
        assert attrs.get("src", "").startswith("/static/"), attrs
        assert body.strip() == ""
    for tag, attrs, _body in found:
        assert tag != "style"
        assert "style" not in attrs, (tag, attrs)
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not str(attrs.get("href", "")).startswith("javascript:"), (tag, attrs)


def two_changes(fields, choices, name):
    """Two submissions of a form field (from `form_data`) that differ from each other and, the
    first, from its value now: texts for a text field, other options for a choice."""
    current = fields[name]
    if name not in choices:
        return ["Changed in the first tab"], ["Changed in the second tab"]
    others = [option for option in choices[name] if option and option not in current]
    return [others[0]], ([others[1]] if len(others) > 1 else current)
