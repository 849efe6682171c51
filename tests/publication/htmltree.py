"""A tiny DOM from html.parser (lxml is not a dependency), enough to query the report's HTML."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def text(self) -> str:
        return "".join(
            child if isinstance(child, str) else child.text() for child in self.children
        ).strip()

    def by_id(self, ident: str) -> Node:
        for node in self.iter():
            if node.attrs.get("id") == ident:
                return node
        raise KeyError(ident)

    def by_class(self, name: str) -> list[Node]:
        return [n for n in self.iter() if name in n.attrs.get("class", "").split()]

    def rows(self) -> list[list[str]]:
        """Each <tr>'s cells (th and td) as text."""
        return [
            [
                cell.text()
                for cell in tr.children
                if isinstance(cell, Node) and cell.tag in {"th", "td"}
            ]
            for tr in self.iter("tr")
        ]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is None:
            raise AssertionError(f"unexpected </{tag}>")
        if node is not self.current:
            raise AssertionError(f"</{tag}> closes <{self.current.tag}>")
        self.current = node.parent or self.root

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    """Parse ``html``; raises AssertionError on tags closed out of order (not well nested)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> not closed"
    return builder.root
