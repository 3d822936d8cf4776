"""What the CLI says about the default region (smstui.core.region): after ``smstui login``, and when a
``sync`` or ``devices`` learnt it or found the phones' SIMs disagreeing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smstui.core import paths

if TYPE_CHECKING:
    from smstui.core.region import RegionInfo, RegionNews
    from smstui.core.session import Session


def how_to_set(session: Session, info: RegionInfo) -> str:
    """Which regions the SIMs gave and how to settle it in the profile."""
    from smstui.core.region import and_list

    example = info.seen[0] if info.seen else "DE"
    config = session.config_path or paths.config_file()
    return (
        f"Your phones' SIMs are from {and_list(info.seen)}: numbers without +country are refused until "
        f'a region is set. Add region = "{example}" under [profiles.{session.profile.name}] in {config} '
        "(or choose one in the app: ctrl+l)."
    )


def login_lines(session: Session) -> list[str]:
    """After a login: the region in effect, always."""
    info = session.regions.info()
    if info.undecided:
        return [how_to_set(session, info)]
    if info.region is None:
        return [
            f"No region: your phones' SIMs do not say their country, so numbers need their +country "
            f'code (or add region = "DE" under [profiles.{session.profile.name}] in '
            f"{session.config_path or paths.config_file()})."
        ]
    return [info.sentence() + "."]


def news_lines(session: Session, news: RegionNews | None) -> list[str]:
    """After a sync or device listing: only what is new."""
    if news is None:
        return []
    if news.learnt:
        return [news.info.sentence() + "."]
    if news.first_seen and news.info.undecided:
        return [how_to_set(session, news.info)]
    return []


def region_doc(session: Session) -> dict[str, object]:
    """The region for ``--json`` output: {"region", "source", "seen"}."""
    info = session.regions.info()
    return {"region": info.region, "source": info.source, "seen": list(info.seen)}
