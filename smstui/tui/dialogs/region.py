"""The question asked when the phones' SIMs are from different countries: which region should
numbers written without ``+country`` be read in? Dismisses with the code chosen, or None."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smstui.core.region import and_list
from smstui.tui.textual_internals import QuietFocus
from smstui.tui.widgets.format import clean


def _calling_code(region: str) -> str:
    import phonenumbers  # only when the dialog opens

    code = phonenumbers.country_code_for_region(region)
    return f"+{code}" if code else ""


class RegionDialog(QuietFocus, ModalScreen[str | None]):
    """Lists the SIMs' regions, the one with the most SIMs first; keys only, no mouse needed."""

    DEFAULT_CSS = """
    RegionDialog { align: center middle; }
    RegionDialog > Vertical {
        width: 72; max-width: 100%; height: auto; border: round $primary; padding: 0 1; background: $surface;
    }
    RegionDialog #region-title { text-style: bold; margin-bottom: 1; }
    RegionDialog #region-options { height: auto; max-height: 10; margin: 1 0; border: none; padding: 0; }
    RegionDialog #region-hint { color: $foreground-muted; }
    """
    BINDINGS = [
        Binding("escape", "later", "Later", id="region_dialog.later"),
    ]

    def __init__(self, regions: Sequence[str], sims: Mapping[str, Sequence[str]], current: str | None = None) -> None:
        super().__init__()
        self.regions = tuple(regions)
        self.sims = sims
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Which country are your numbers from?", id="region-title")
            seen = f"Your phones' SIMs are from {and_list(self.regions)}. Numbers written without +country "
            if self.current:
                text = (
                    f"{seen}(like 0157 52982212) are read as {self.current} numbers; pick the region they "
                    "should be read in (or set region in the profile)."
                )
            else:
                text = (
                    f"{seen}(like 0157 52982212) are read as numbers of the region you pick (or set "
                    "region in the profile); until then they need their +country code."
                )
            yield Static(Text(text), id="region-text")
            options = []
            for code in self.regions:
                # Device titles come from the gateway: literal text, control characters visible.
                label = Text(f"{code}  {_calling_code(code):<5} ", no_wrap=True, overflow="ellipsis")
                label.append(clean(", ".join(self.sims.get(code, ())), single_line=True), style="dim")
                options.append(Option(label, id=code))
            yield OptionList(*options, id="region-options")
            yield Static("↑↓ pick · enter: use it · esc: later", id="region-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        # Nothing picked for the user: the dialog may open while they type, and a stray enter
        # must not choose a country. The region already in effect (learnt before) is marked.
        options.highlighted = self.regions.index(self.current) if self.current in self.regions else None
        options.focus()

    @on(OptionList.OptionSelected, "#region-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_later(self) -> None:
        self.dismiss(None)
