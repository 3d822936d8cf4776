"""Write README screenshots of the tags, newsletters and bulk screens (fixed data, no network).

.venv/bin/python tests/bulkui/make_screenshots.py   # -> screenshots/tags*.svg, newsletters*.svg, bulk*.svg
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))  # pilot_helpers

from bulkui_helpers import FIXED_NOW, Host, fixed_clock, idle, make_session, seed_store  # noqa: E402
from pilot_helpers import svg_to_png  # noqa: E402
from textual.widgets import Input, Select, TextArea  # noqa: E402

from smstui.core.store.database import Store  # noqa: E402
from smstui.tui.screens.bulk import BulkScreen  # noqa: E402
from smstui.tui.screens.newsletters import NewslettersScreen  # noqa: E402
from smstui.tui.screens.tags import TagsScreen  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "screenshots"
SIZE = (110, 32)


async def shot(name: str, make_screen: Any, session: Any, steps: Any = None) -> None:
    app = Host(make_screen, clock=fixed_clock, session=session)
    async with app.run_test(size=SIZE) as pilot:
        Input.cursor_blink = False  # type: ignore[assignment]
        await idle(pilot)
        if steps is not None:
            await steps(pilot)
            await idle(pilot)
        app.clear_notifications()
        await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    png = svg_to_png(OUT / f"{name}.svg")
    print(f"wrote {OUT / (name + '.svg')}" + (" + png" if png else ""))


async def main() -> None:
    import os

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        store = Store(Path(tmp) / "shots.db", region="DE", clock=lambda: FIXED_NOW)
        seed_store(store)
        session = make_session(store, None)

        await shot("tags", lambda: TagsScreen(session), session)

        async def contact_dialog(pilot: Any) -> None:
            await pilot.press("a")
            await pilot.pause()
            pilot.app.screen.query_one("#contact-phone", Input).value = "0171 2345678"
            pilot.app.screen.query_one("#contact-name", Input).value = "Emma Weber"

        await shot("tags-add-contact", lambda: TagsScreen(session), session, contact_dialog)

        csv = Path(tmp) / "customers.csv"
        csv.write_text(
            'Telefon;Name;Gruppe\n+49 157 52982212;Anna Schmidt;Kunden\n+49 176 12345678;"Müller, Hans";Kunden\n'
            "0171 2345678;Emma Weber;Kunden\nnicht bekannt;Max;Kunden\n+4915752982212;Anna again;Kunden\n",
            encoding="utf-8-sig",
        )

        async def import_dialog(pilot: Any) -> None:
            await pilot.press("i")
            await pilot.pause()
            pilot.app.screen.query_one("#csv-path", Input).value = csv.name  # read from the cwd
            await pilot.press("enter")

        await shot("tags-import-csv", lambda: TagsScreen(session), session, import_dialog)
        await shot("newsletters", lambda: NewslettersScreen(session), session)

        async def newsletter_form(pilot: Any) -> None:
            await pilot.press("n")
            await pilot.pause()
            form = pilot.app.screen
            form.query_one("#nl-title", Input).value = "Weekend brunch"
            form.query_one("#nl-body", TextArea).text = "Brunch this Sunday 10-14h, 15 EUR. Reply YES to book a table!"
            form.query_one("#nl-tags").select(1)  # type: ignore[attr-defined]
            form.query_one("#nl-when", Input).value = "tomorrow 9:00"

        await shot("newsletters-new", lambda: NewslettersScreen(session), session, newsletter_form)

        async def bulk_message(pilot: Any) -> None:
            screen = pilot.app.screen
            screen.query_one(
                "#bulk-numbers", TextArea
            ).text = "+49 157 52982212\n+49 176 12345678, 0171 2345678\nnonsense"
            screen.query_one("#bulk-body", TextArea).text = "Hi {name}, your table for Sunday is ready. See you!"
            screen.query_one("#bulk-device", Select).value = 11231

        await shot("bulk", lambda: BulkScreen(session), session, bulk_message)

        async def bulk_preview(pilot: Any) -> None:
            await bulk_message(pilot)
            await idle(pilot)
            await pilot.press("ctrl+s")

        await shot("bulk-preview", lambda: BulkScreen(session), session, bulk_preview)

        async def bulk_jobs(pilot: Any) -> None:
            pilot.app.screen.query_one("#bulk-tabs").active = "bulk-jobs-pane"
            await idle(pilot)
            pilot.app.screen.query_one("#bulk-jobs").focus()

        await shot("bulk-jobs", lambda: BulkScreen(session), session, bulk_jobs)
        store.close()


if __name__ == "__main__":
    asyncio.run(main())
