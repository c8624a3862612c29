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
