"""The product-line declarations: what a declaration refuses, how the lines are found, how kinds merge."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paperclerk import plugins
from paperclerk.config import get_settings
from paperclerk.core.lines import DocumentKind, Permission, ProductLine
from paperclerk.pipeline.classify import cue_table, score


def test_a_declaration_refuses_what_the_core_could_not_wire() -> None:
    with pytest.raises(ValueError, match="lower case"):
        ProductLine(name="Legal Billing", title="x", package="x")
    with pytest.raises(ValueError, match="module:attribute"):
        ProductLine(name="legal", title="x", package="x", api_routers=("legal.api.router",))
    with pytest.raises(ValueError, match="cli_aliases need a cli"):
        ProductLine(name="legal", title="x", package="x", cli_aliases=("review",))
    with pytest.raises(ValueError, match="cli_verbs need a cli"):
        ProductLine(name="judgments", title="x", package="x", cli_verbs=("judge",))
    with pytest.raises(ValueError, match="lowest_role"):
        Permission("legal:review", "review legal bills", "partner")
    with pytest.raises(ValueError, match="area:verb"):
        Permission("review", "review legal bills", "reviewer")


@pytest.fixture
def extra_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Register plugin modules written into a temporary folder; the lines are read afresh, then forgotten."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def register(**modules: str) -> None:
        for name, text in modules.items():
            (tmp_path / f"{name}.py").write_text(text)
        monkeypatch.setenv("PAPERCLERK_EXTRA_LINES", ",".join(modules))
        get_settings.cache_clear()
        plugins.lines.cache_clear()

    yield register
    for name in list(sys.modules):
        if name.startswith("extra_"):
            del sys.modules[name]
    monkeypatch.delenv("PAPERCLERK_EXTRA_LINES")
    get_settings.cache_clear()
    plugins.lines.cache_clear()


def test_extra_lines_come_after_the_built_in_ones(extra_lines: Callable[..., None]) -> None:
    extra_lines(extra_memos='from paperclerk.core.lines import ProductLine\n'
                            'LINE = ProductLine(name="memos", title="Memos", package="extra_memos")\n')
    names = [line.name for line in plugins.lines()]
    assert names[-1] == "memos" and names[:2] == ["notifications", "invoices"]
    assert len(names) == len(plugins.CORE_PLUGIN_MODULES) + len(plugins.LINE_MODULES) + 1


def test_a_plugin_module_must_declare_one_line_with_a_name_of_its_own(extra_lines: Callable[..., None]) -> None:
    extra_lines(extra_nothing="VALUE = 1\n")
    with pytest.raises(TypeError, match="must define LINE"):
        plugins.lines()
    extra_lines(extra_twin='from paperclerk.core.lines import ProductLine\n'
                           'LINE = ProductLine(name="invoices", title="Twin", package="extra_twin")\n')
    with pytest.raises(ValueError, match="two product lines are called 'invoices'"):
        plugins.lines()


PROVISIONAL = DocumentKind("contract", "Contract", {"agreement": 2, "the parties": 2}, provisional=True)


def test_declared_cues_replace_provisional_ones_and_add_up_across_lines() -> None:
    declared = DocumentKind("contract", "Contract", {"master services agreement": 4})
    more = DocumentKind("contract", "Contract", {"statement of work": 4, "master services agreement": 1})
    table = cue_table([declared, PROVISIONAL, more])
    phrases = {cue.pattern.pattern: cue.weight for cue in table["contract"].cues}
    assert phrases == {r"\bmaster services agreement\b": 5, r"\bstatement of work\b": 4}
    assert cue_table([PROVISIONAL])["contract"].cues[0].pattern.pattern == r"\bagreement\b"


def test_a_refining_kind_wins_over_the_broader_one_when_both_match() -> None:
    invoice = DocumentKind("invoice", "Invoice", {"invoice": 2, "amount due": 2})
    legal = DocumentKind("legal_invoice", "Legal invoice", {"timekeeper": 3}, refines="invoice")
    table = cue_table([invoice, legal])
    assert score("Invoice 7\nTimekeeper: J. Doe\nAmount due 100", table)[0] == "legal_invoice"
    assert score("Invoice 7\nAmount due 100", table)[0] == "invoice"
    with pytest.raises(ValueError, match="refines several kinds"):
        cue_table([legal, DocumentKind("legal_invoice", "Legal invoice", {"utbms": 4}, refines="receipt")])
