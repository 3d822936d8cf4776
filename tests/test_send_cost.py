"""The cost of a send: recipients × parts = SMS, measured per message after placeholders, and the
character that added parts named."""

from __future__ import annotations

from smstui.core.send_cost import cost_of, cost_of_one, cost_text, culprit_note, culprit_text


def test_one_text_to_many_recipients() -> None:
    cost = cost_of_one("Hallo, 20% off today", 3)
    assert (cost.messages, cost.sms, cost.ucs2, cost.culprit) == (3, 3, 0, None)
    assert cost_text(cost) == "3 recipient(s) × 1 SMS = 3 SMS"


def test_an_umlaut_that_doubles_the_parts_is_named() -> None:
    # 99 characters: one GSM-7 SMS; with one 'ő' (not in GSM-7) the whole text is UCS-2: 2 SMS.
    plain = "Liebe Kundin, unser Sommerschlussverkauf beginnt morgen um neun Uhr mit bis zu fuenfzig Prozent ab!"
    assert len(plain) == 99
    assert cost_of_one(plain, 1).sms == 1
    cost = cost_of_one(plain.replace("fuenfzig", "fűnfzig"), 4)
    assert cost_text(cost) == "4 recipient(s) × 2 SMS = 8 SMS"
    assert culprit_note(cost) == "'ű' makes it UCS-2: 2 SMS instead of 1"
    # ä/ö/ü/ß are in GSM-7: they cost nothing extra.
    assert cost_of_one(plain.replace("fuenfzig", "fünfzig"), 1).culprit is None


def test_ucs2_that_does_not_add_parts_is_not_blamed() -> None:
    cost = cost_of_one("Danke 🙏", 2)
    assert cost.ucs2 == 2 and cost.sms == 2 and cost.culprit is None


def test_placeholders_filled_per_message() -> None:
    template = "Hallo {name}, Ihr Termin ist morgen um 9 Uhr. Bitte bringen Sie Ihre Karte mit. Bis dann!!"
    bodies = [template.format(name=n) for n in ("Anna", "Jörg", "Müller", "Łukasz")]
    sims = [(1, 0), (1, 0), (1, 1), (1, 1)]
    cost = cost_of(bodies, sims)
    assert cost.messages == 4 and cost.min_parts == 1 and cost.max_parts == 2
    assert cost_text(cost) == "4 message(s), 1-2 SMS each = 5 SMS"
    assert culprit_text(cost) == "'Ł' makes 1 message(s) UCS-2: 2 SMS each instead of 1"
    assert cost.per_sim == {(1, 0): 2, (1, 1): 3}
