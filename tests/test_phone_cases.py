"""Labelled phone cases written for Tracelight: disguises ads use, and hard negatives.

Each case is ``(text, country, expected E.164 values in order)``. The numbers are in
ranges reserved for fiction or chosen at random; none belongs to a real person we know of.
Positives are grouped by the disguise; negatives by what they resemble (prices, dates,
times, measurements, ids, card numbers, ZIP codes, heights, years, ages).
"""

from __future__ import annotations

import pytest

from helpers import text_post
from tracelight.extract import extract_post

Case = tuple[str, str | None, list[str]]

A = "+14155550123"
B = "+17026051961"
C = "+12125550199"

PLAIN: list[Case] = [
    ("Call (415) 555-0123", "US", [A]),
    ("call 415-555-0123 now", "US", [A]),
    ("415.555.0123", "US", [A]),
    ("415 555 0123", "US", [A]),
    ("4155550123", "US", [A]),
    ("1-415-555-0123", "US", [A]),
    ("+1 415 555 0123", None, [A]),
    ("+1 (415) 555-0123", "GB", [A]),
    ("001 415 555 0123", "DE", [A]),
    ("415/555/0123", "US", [A]),
    ("(415)555-0123", "US", [A]),
    ("415 - 555 - 0123", "US", [A]),
    ("text 702.605.1961 or 212-555-0199", "US", [B, C]),
    ("702-605-1961 / 212-555-0199", "US", [B, C]),
    ("702 605 1961, 212 555 0199", "US", [B, C]),
    ("Tel 020 7946 0018", "GB", ["+442079460018"]),
    ("+44 20 7946 0018", None, ["+442079460018"]),
    ("0044 20 7946 0018", "US", ["+442079460018"]),
    ("07911 123456", "GB", ["+447911123456"]),
    ("06 12 34 56 78", "FR", ["+33612345678"]),
    ("+33 6 12 34 56 78", None, ["+33612345678"]),
    ("0151 23456789", "DE", ["+4915123456789"]),
    ("+49 151 23456789", "US", ["+4915123456789"]),
    ("612 345 678", "ES", ["+34612345678"]),
    ("+34 612 34 56 78", None, ["+34612345678"]),
    ("(11) 91234-5678", "BR", ["+5511912345678"]),
    ("55 1234 5678", "MX", ["+525512345678"]),
    ("0412 345 678", "AU", ["+61412345678"]),
    ("+61 412 345 678", "US", ["+61412345678"]),
    ("0917 123 4567", "PH", ["+639171234567"]),
    ("wa.me/14155550123", None, [A]),
    ("https://api.whatsapp.com/send?phone=447911123456", None, ["+447911123456"]),
    ("tel:+14155550123", None, [A]),
    ("tel:4155550123", "US", [A]),
    ("Call me at 4155550123.", "US", [A]),
    ("[415-555-0123]", "US", [A]),
    ("«415 555 0123»", "US", [A]),
    ("call415-555-0123", "US", [A]),
    ("weekend4155550123 or", "US", [A]),
    ("4155550123tengo amigas", "US", [A]),
    ("Call 415-555-0123 $150 15min", "US", [A]),
    ("415-555-0123 hours 9-5", "US", [A]),
]

DISGUISED: list[Case] = [
    ("four one five five five five zero one two three", "US", [A]),
    ("four one five, five five five, zero one two three", "US", [A]),
    ("FOUR ONE FIVE - FIVE FIVE FIVE - ZERO ONE TWO THREE", "US", [A]),
    ("4one5 5five5 0one2three", "US", [A]),
    ("fouronefive fivefivefive zeroonetwothree", "US", [A]),
    ("41five 555 oh one two three", "US", [A]),
    ("4I5-555-OI23", "US", [A]),
    ("4l5 555 0l23", "US", [A]),
    ("4 1 5 5 5 5 0 1 2 3", "US", [A]),
    ("4.1.5.5.5.5.0.1.2.3", "US", [A]),
    ("4-1-5-5-5-5-0-1-2-3", "US", [A]),
    ("415*555*0123", "US", [A]),
    ("415~555~0123", "US", [A]),
    ("415_555_0123", "US", [A]),
    ("415\n555\n0123", "US", [A]),
    ("415 🔥 555 🔥 0123", "US", [A]),
    ("702🔥️605❣️1961", "US", [B]),
    ("702*605*1961~Draya", "US", [B]),
    ("4️⃣1️⃣5️⃣5️⃣5️⃣5️⃣0️⃣1️⃣2️⃣3️⃣", "US", [A]),
    ("４１５－５５５－０１２３", "US", [A]),
    ("④①⑤ ⑤⑤⑤ ⓪①②③", "US", [A]),
    ("❹❶❺ ❺❺❺ ⓿❶❷❸", "US", [A]),
    ("𝟒𝟏𝟓 𝟓𝟓𝟓 𝟎𝟏𝟐𝟑", "US", [A]),
    ("٤١٥ ٥٥٥ ٠١٢٣", "US", [A]),
    ("415\u200b555\u200b0123", "US", [A]),
    ("4155\u200b550123", "US", [A]),
    ("four15 five55 zero123", "US", [A]),
    ("fore1five 555 0123", "US", [A]),
    ("for15 555 0one23", "US", [A]),
    ("7o2 6o5 l96l", "US", [B]),
    ("seven oh two six oh five one nine six one", "US", [B]),
    ("seven zero two, six zero five, nineteen sixty one", "US", [B]),
    ("2O2-555-O1two3", "US", ["+12025550123"]),
    ("two oh two five five five oh one two three", "US", ["+12025550123"]),
    ("3tothree 4three0 zerothree8seven", "US", ["+13234300387"]),
    ("six02 twotwoeight fouronenine2", "US", ["+16022284192"]),
    ("for80 2sixseven one9zerofor", "US", ["+14802671904"]),
    ("6seven8 threeseven8 7eight39", "US", ["+16783787839"]),
    ("[773$2four0$13seventeen", "US", ["+17732401317"]),
    ("cuatro uno cinco cinco cinco cinco cero uno dos tres", "US", [A]),
    ("quatre un cinq cinq cinq cinq zéro un deux trois", "US", [A]),
    ("quatro um cinco cinco cinco cinco zero um dois três", "US", [A]),
    ("vier eins fünf fünf fünf fünf null eins zwei drei", "US", [A]),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "FR", ["+33612345678"]),
    ("zero six, twelve, thirty four, fifty six, seventy eight", "FR", ["+33612345678"]),
    ("seis uno dos, tres cuatro cinco, seis siete ocho", "ES", ["+34612345678"]),
    ("seiscientos", "ES", []),
    ("cero seis doce treinta y cuatro cincuenta y seis setenta y ocho", "FR", ["+33612345678"]),
    ("null eins fünf eins, zwei drei vier fünf sechs sieben acht neun", "DE", ["+4915123456789"]),
    ("four one five, triple five, zero one double two", "US", ["+14155550122"]),
    ("four one five triple five zero one two three", "US", [A]),
    ("four one five (five five five) zero one two three", "US", [A]),
    ("4 one 5 - 5 five 5 - 0 one 2 three", "US", [A]),
    ("Four1Five.FiveFiveFive.ZeroOneTwoThree", "US", [A]),
    ("FOUR one FIVE fIvE five five ZERO one TWO three", "US", [A]),
    ("call me 415 five five five 0123 xx", "US", [A]),
    ("four hundred fifteen", "US", []),
]

NEGATIVES: list[Case] = [
    ("Rates $150/hr, 300 for 2 hrs", "US", []),
    ("$150 $200 $300 $400", "US", []),
    ("150 200 300 400 500", "US", []),
    ("100$ 200$ 300$", "US", []),
    ("roses 150 half 250 hour 350 overnight", "US", []),
    ("150hh 250h 350hr", "US", []),
    ("60min 150 90min 200 120min 300", "US", []),
    ("34-24-36", "US", []),
    ("34D-24-36", "US", []),
    ("36-24-36 5'6 130lbs", "US", []),
    ("5'7\" 125 lbs 34C", "US", []),
    ("170cm 55kg 90-60-90", "ES", []),
    ("22 yo, 5 ft 4", "US", []),
    ("Posted 2016 06 17 - 21", "US", []),
    ("2016-06-17 21:30", "US", []),
    ("06/17/2016 9:30pm", "US", []),
    ("17.06.2016 21:30", "DE", []),
    ("12/25/2024", "US", []),
    ("2024 12 25 10 30", "US", []),
    ("10:30 am to 11:45 pm", "US", []),
    ("open 9am-5pm, 7 days", "US", []),
    ("since 1998, 2005 and 2016", "US", []),
    ("zip 94103", "US", []),
    ("ZIP 94103-1234", "US", []),
    ("San Francisco, CA 94103", "US", []),
    ("Post ID: 4155550123", "US", []),
    ("post id 7026051961", "US", []),
    ("ID#7026051961", "US", []),
    ("Ref: 4155550123", "US", []),
    ("order 4155550123", "US", []),
    ("#4155550123", "US", []),
    ("4111 1111 1111 1111", "US", []),
    ("4532 0151 1283 0366", "US", []),
    ("5555555555554444", "US", []),
    ("card 4155 5501 2341 5555", "US", []),
    ("1234567890123456789", "US", []),
    ("9" * 40, "US", []),
    ("555-1234", "US", []),
    ("555 0123", "US", []),
    ("call 911", "US", []),
    ("1-800", "US", []),
    ("I have one friend and two sisters", "US", []),
    ("one or two hours, three or four girls", "US", []),
    ("twenty three years old, five foot four", "US", []),
    ("Room 212, floor 5, suite 0199", "US", []),
    ("v1.2.3.4 build 5678", "US", []),
    ("192.168.100.200", "US", []),
    ("(123) 456-7890", "US", []),
    ("(000) 000-0000", "US", []),
    ("111-111-1111", "US", []),
    ("415-555-012", "US", []),
    ("41-55-55-01", "US", []),
    ("price 1,500 or 2,000", "US", []),
    ("1.500,00 €", "DE", []),
    ("Hello Olivia, BOOK now lol", "US", []),
    ("once upon a time", "US", []),
    ("to be or not to be, for you", "US", []),
    ("9to5 job, 24/7", "US", []),
    ("gr8 4u 2nite b4 10", "US", []),
    ("2for1 special 24hrs", "US", []),
    ("sixty9 and 69", "US", []),
    ("tenfour", "US", []),
    ("4155550123", None, []),
    ("415 555 0123", None, []),
    ("00000000000", "US", []),
    ("+0 415 555 0123", None, []),
    ("+999 123 456 789", None, []),
]

MULTI: list[Case] = [
    ("415-555-0123 or 702-605-1961 or 212-555-0199", "US", [A, B, C]),
    ("A: 4155550123 B: 7026051961", "US", [A, B]),
    ("Call 415 555 0123, WhatsApp +44 7911 123456", "US", [A, "+447911123456"]),
    ("call 702.605.1961 text four one five five five five zero one two three", "US", [B, A]),
    ("Rates $150 call 415-555-0123 2016 06 17", "US", [A]),
    ("34-24-36 call 415-555-0123", "US", [A]),
    ("zip 94103 call 415-555-0123", "US", [A]),
    ("ID 7026051961 call 415-555-0123", "US", [A]),
    ("2016 06 17 - 21 call 415 555 0123 - 23 - 23", "US", [A]),
    ("415 555 0123 415 555 0123", "US", [A]),
    ("Pune call 09921488 433", None, ["+919921488433"]),
    ("Quito anuncios 0998130640", "US", ["+593998130640"]),
    ("Chicago call 0998130640", "US", []),
]

CASES = PLAIN + DISGUISED + NEGATIVES + MULTI


def phones(text: str, country: str | None) -> list[str]:
    found = [m for m in extract_post(text_post(text, country=country)) if m.kind == "phone"]
    for m in found:
        assert text[m.start : m.end] == m.text
    out: list[str] = []
    for m in found:
        if m.value not in out:
            out.append(m.value)
    return out


def test_there_are_enough_labelled_cases() -> None:
    assert len(CASES) >= 150
    assert len(NEGATIVES) >= 50


@pytest.mark.parametrize(("text", "country", "expected"), CASES)
def test_labelled_case(text: str, country: str | None, expected: list[str]) -> None:
    assert phones(text, country) == expected
