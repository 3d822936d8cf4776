"""A short seeded fault soak (the full one: python bench/fault_soak.py): every message ends on
the gateway exactly once or flagged with a reason; second copies are detected; none is lost."""

from __future__ import annotations

import pytest

from bench.fault_soak import soak


@pytest.mark.parametrize("seed", [3, 11])
async def test_every_message_is_sent_once_or_flagged_under_faults_and_kills(seed: int) -> None:
    report = await soak(120, seed, fault_rate=0.5, kill_rate=0.05)
    assert report.ok, (report.line(), report.problems[:10])
    assert report.lost == 0 and report.undetected == 0
    assert report.kills > 0 and sum(report.faults.values()) >= 5  # the soak did soak
