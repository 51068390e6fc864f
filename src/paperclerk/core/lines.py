"""What a product line declares about itself, so that the core wires it in without naming it.

Each line has a ``<line>/plugin.py`` exporting ``LINE: ProductLine``; ``paperclerk.plugins`` lists those
modules. The app, the CLI, the page shell, the classifier, the permission table and the migrations read
the declarations. A declaration holds names and module paths only: reading one imports nothing heavy.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from paperclerk.config import Settings

#: The roles from least to most trusted; each holds every permission of the roles before it.
ROLE_ORDER = ("viewer", "reviewer", "approver", "admin")
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PERMISSION = re.compile(r"^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$")
_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_EVENT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Permission:
    """A permission a line adds: its name (``area:verb``), what it lets a person do in words (the 403 page
    says "You cannot <wording>"), and the lowest role that holds it (every role above holds it too)."""

    name: str
    wording: str
    lowest_role: str

    def __post_init__(self) -> None:
        if not _PERMISSION.match(self.name):
            raise ValueError(f"permission {self.name!r}: use 'area:verb' in lower case")
        if self.lowest_role not in ROLE_ORDER:
            raise ValueError(f"permission {self.name!r}: lowest_role must be one of {', '.join(ROLE_ORDER)}")


@dataclass(frozen=True)
class NavItem:
    """A link in the top bar, shown to callers whose role holds ``permission``; items sort by ``order``
    (the shell's Inbox is 0, Search 900, Audit 950). A page marks its item current by passing
    ``nav=<key>`` to the template."""

    key: str
    label: str
    href: str
    permission: str
    order: int


@dataclass(frozen=True)
class DocumentLink:
    """Where a document lives in a line (its invoice's review page, say): a button on the document page."""

    label: str
    href: str


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document the classifier can give, with its cue phrases (regular expressions, matched on
    word boundaries in the lower-cased start of the text) and their weights.

    A kind owned by a line is *declared*; several lines declaring one kind add their cues together.
    ``provisional`` cues are the core's placeholders for a kind no line owns yet: any declared cues for
    the kind replace them. ``refines`` names a broader kind this one is a special case of (a law firm's
    bill is an invoice): when both pass the threshold, the broader kind's score adds to this one's.
    """

    name: str
    label: str
    cues: Mapping[str, float]
    refines: str | None = None
    provisional: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"document kind {self.name!r}: lower case letters, digits and '_'")


@dataclass(frozen=True)
class EventType:
    """An event a line records with ``core.events.record`` (recording an undeclared name is a programming error).

    ``description`` is what people read when they choose what to be told about; only people whose role holds
    ``permission`` are told; ``in_app`` says whether they are told in the app unless they opt out; ``link`` is
    the page about the event's subject (``{subject_id}`` filled in). ``titles`` name the subject in a notification's
    title: templates filled from the event's payload (``"Invoice {invoice_number} from {vendor_name} needs
    review"``), the first whose every field the payload holds (not empty) is used, ``description`` when none is.
    """

    name: str
    description: str
    permission: str = "documents:read"
    in_app: bool = False
    link: str | None = None
    titles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _EVENT.match(self.name):
            raise ValueError(f"event {self.name!r}: use 'area.what' in lower case")


@dataclass(frozen=True)
class Chore:
    """Periodic work every worker process runs (``core.maintenance``): idempotent, in its own transaction."""

    name: str
    #: ``"module:function"``, a function ``(session) -> int`` (how many rows it touched).
    function: str
    #: Seconds between two runs, from the settings.
    every: Callable[[Settings], float]

    def __post_init__(self) -> None:
        if not _REFERENCE.match(self.function):
            raise ValueError(f"chore {self.name!r}: {self.function!r} is not 'module:function'")

    def run(self, session: Session) -> int:
        module, _, attribute = self.function.partition(":")
        return int(getattr(importlib.import_module(module), attribute)(session))


@dataclass(frozen=True)
class ProductLine:
    """One product line: its package and everything the core wires in for it.

    Module references are absolute dotted paths; routers and the CLI app are ``"module:attribute"``.
    Folders (``templates``, ``static``, ``migrations``) are relative to the package's directory.
    """

    #: The package (``paperclerk.invoices``); also the key of its templates (``"invoices/…html"``),
    #: its static files (``/static/invoices/…``) and its migration branch label.
    name: str
    title: str
    package: str
    #: Modules defining tables (imported before migrations and the app start).
    model_modules: tuple[str, ...] = ()
    #: Modules registering analyzers, extractors and tasks when imported.
    task_modules: tuple[str, ...] = ()
    #: Routers under ``/api/v1`` (every route declares its permission) and routers of pages.
    api_routers: tuple[str, ...] = ()
    page_routers: tuple[str, ...] = ()
    templates: str | None = None
    static: str | None = None
    #: A ``typer.Typer`` whose commands appear as ``paperclerk <cli_group> …``.
    cli: str | None = None
    #: The command group (default: ``name``); several lines may add commands to one group.
    cli_group: str | None = None
    #: Commands of ``cli`` that also answer at the top level (``paperclerk <command>``), hidden, with a
    #: deprecation note: for commands that moved into the group, for one release.
    cli_aliases: tuple[str, ...] = ()
    #: Commands of ``cli`` that are the line's verbs and also answer at the top level, listed in the help
    #: (``paperclerk judge CASE…`` beside ``paperclerk judgments judge``).
    cli_verbs: tuple[str, ...] = ()
    kinds: tuple[DocumentKind, ...] = ()
    nav: tuple[NavItem, ...] = ()
    permissions: tuple[Permission, ...] = ()
    #: The events it records (notifications and webhooks offer them).
    events: tuple[EventType, ...] = ()
    #: The Alembic version location; its revisions carry ``branch_labels=(name,)`` on the first one.
    migrations: str | None = None
    #: ``"module:function"``, ``(session, document) -> list[DocumentLink]``: the line's pages about a document.
    document_links: str | None = None
    #: ``"module:function"``, ``(session, document) -> None``, called before a document is deleted: raises a
    #: ``PaperclerkError`` (a ``Conflict``) to refuse, e.g. for an invoice that was approved or paid.
    deletion_guard: str | None = None
    #: Periodic work of the line (e.g. retention), run by every worker beside the core's chores.
    chores: tuple[Chore, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"product line {self.name!r}: lower case letters, digits and '_'")
        if self.cli_group is not None and not _NAME.match(self.cli_group):
            raise ValueError(f"product line {self.name!r}: cli_group {self.cli_group!r} is not a command name")
        references = (*self.api_routers, *self.page_routers, *([self.cli] if self.cli else []),
                      *([self.document_links] if self.document_links else []),
                      *([self.deletion_guard] if self.deletion_guard else []))
        for reference in references:
            if not _REFERENCE.match(reference):
                raise ValueError(f"product line {self.name!r}: {reference!r} is not 'module:attribute'")
        if self.cli_aliases and not self.cli:
            raise ValueError(f"product line {self.name!r}: cli_aliases need a cli")
        if self.cli_verbs and not self.cli:
            raise ValueError(f"product line {self.name!r}: cli_verbs need a cli")

    @property
    def group(self) -> str:
        """The CLI group its commands live in."""
        return self.cli_group or self.name

    def folder(self, relative: str) -> Path:
        """A folder of the line's package (templates, static files, migrations)."""
        module = importlib.import_module(self.package)
        if module.__file__ is None:
            raise ValueError(f"product line {self.name!r}: package {self.package!r} has no directory")
        return Path(module.__file__).resolve().parent / relative

    @property
    def templates_folder(self) -> Path | None:
        return self.folder(self.templates) if self.templates else None

    @property
    def static_folder(self) -> Path | None:
        return self.folder(self.static) if self.static else None

    @property
    def migrations_folder(self) -> Path | None:
        return self.folder(self.migrations) if self.migrations else None


def load_attribute(reference: str) -> Any:
    """The object a ``"module:attribute"`` reference names."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(f"{module_name} has no {attribute!r} (named by {reference!r})") from None
