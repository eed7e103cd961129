"""Persona names: the name an ad gives its subject (``my name is Jessy`` -> ``Jessy``).

A name is a capitalised token of 2–20 letters (a hyphenated pair is one name) found
after a cue, in English, Spanish, French, Portuguese and German:

* strong cues (``my name is``, ``name:``, ``me llamo``, ``je m'appelle``, ``meu nome é``,
  ``ich heiße``): confidence 0.9 for a known given name, 0.7 for any other token;
* weaker cues (``I'm``, ``I am``, ``it's``, ``this is``, ``call``, ``ask for``, ``soy``,
  ``je suis``, ``sou a``, ``ich bin``): 0.8 known, 0.45 other;
* a name right before a phone number (``Jessy 7139975313``): 0.6 known, 0.35 other;
* a sign-off (``~Draya``, ``xoxo Draya``): 0.7 known, 0.5 other.

Never a name: a stop word (``new``, ``here``, ``available``, ``sexy``, ``latina`` ...),
a major city or country name that is not also a given name, or, after a weak cue, an
all-capitals token that is not a known given name (``I'M HERE``). :data:`GIVEN_NAMES`
is a small list of common given names typed for this module (no personal data).
"""

from __future__ import annotations

import re

from tracelight.extract.gazetteer import fold, fold_token, gazetteer
from tracelight.extract.gazetteer import words as _words
from tracelight.model import Mention, Post

METHOD = "cue"

GIVEN_NAMES: frozenset[str] = _words(
    """
    aaliyah abby abigail ada adele adriana agnes aileen aisha alejandra alessandra alexa
    alexandra alexis alice alicia alina alisha alison alyssa amanda amber amelia amy ana
    anastasia andrea angel angela angelica angelina anita ann anna annabelle anne annie
    antonella april ariana ariel arianna ashley asia aubrey audrey aurora autumn ava
    barbara beatriz becky bella bianca bonnie brandy brenda brianna bridget brittany
    brooke brooklyn caitlin camila camille candace candy cara carla carmen carol
    caroline carolina cassandra cassidy catalina catherine cecilia celeste celine chanel
    chantal charlotte chelsea cherry cheyenne chloe christina cindy claire clara claudia
    coco colette crystal cynthia daisy dana daniela danielle daphne daria dasha dawn
    debbie delilah desiree destiny diamond diana diane dominique donna dora draya ebony
    eden elena eliza elizabeth ella ellie elsa emilia emily emma erica erika esmeralda
    esperanza estela esther eva evelyn fabiola faith fatima felicia fernanda fiona flor
    florence francesca gabriela gabrielle gemma genesis georgia gina giselle gloria
    grace gracie gretchen guadalupe hailey haley hannah harley hazel heather heidi helen
    helena holly honey hope imani india ingrid irene iris isabel isabella isabelle ivy
    jackie jade jamie jana janet jasmin jasmine jenna jennifer jenny jessica jessie
    jessy jill joanna jocelyn josephine joy julia juliana julie juliet justine kaitlyn
    karen karina karla kate katherine kathy katie katrina kayla keisha kelly kendra
    kennedy kenya kiara kim kimberly kitty krista kristen kylie lacey laila lana lara
    laura lauren layla lea leah leila lena leslie lexi lexy lia liliana lily lina linda
    lisa lola lora lorena lori louise lucia luciana lucy luisa luna lydia lyla mackenzie
    madeline madison maggie maia mallory mandy mara margarita maria mariah mariana marie
    marina marisol marta martina mary maya megan melanie melissa mercedes mia michelle
    mila milena miranda misty molly monica monique morgan nadia nancy naomi natalia
    natalie natasha natalya nicole nikki nina noelle nora olga olivia paige paloma
    pamela paola paris patricia paula penelope peyton phoenix piper precious priscilla
    rachel raquel raven rebecca regina rena renee riley rita roberta rosa rosalie rose
    roxanne roxy ruby ruth sabrina sadie sage salma samantha sandra sara sarah sasha
    savannah scarlett selena serena shakira shannon sharon shay shayla sheila shelby
    sienna sierra simone sofia sonia sonya sophia sophie stacy stella stephanie summer
    susan suzy svetlana sydney tamara tania tanya tara taylor teresa tiffany tina tracy
    trinity valentina valeria valerie vanessa vera veronica vicky victoria violet
    virginia vivian wendy whitney xena yasmin yolanda yvette yvonne zara zoe zoey aaron
    adam adrian alan alberto alejandro alex alexander ali andre andrew andy angelo
    anthony antonio ben benjamin brandon brian bruno carlos charles chris christian
    daniel david diego dylan eddie eduardo eric ethan felipe fernando francisco frank
    gabriel george giovanni hans henry hugo ian ivan jack jacob james jason javier jean
    jesse joe john jonathan jordan jorge jose joseph juan julian justin kevin leo leon
    lucas luis luke marc marco marcus mario mark martin mateo matthew max michael miguel
    mike nathan nick noah oliver omar oscar pablo patrick paul pedro peter pierre rafael
    ricardo rick robert roberto ryan sam samuel sean sebastian sergio steve thomas tom
    tony tyler victor vincent william
    """
)
"""Common given names (lower case, accents removed), mostly the personas' own."""

STOP_WORDS: frozenset[str] = _words(
    """
    a an the and or but if of in on at to for from with by up out off over into near
    here there now new back real sexy hot available ready open only always just so very
    not no yes me my mine your you we us our they them he him she her it its i im me
    this that these those what who how when where why all any some one two three ten am
    is are was be been being do does did have has had will would can could should may
    might must shall sweet nice fun good great best better beautiful gorgeous pretty
    cute young old little big busty petite thick curvy slim tall short sexy hottest
    sensual exotic erotic naughty kinky classy discreet clean safe friendly independent
    latina latin asian ebony black white blonde blond brunette redhead ginger mixed
    american african european russian brazilian colombian mexican cuban puerto dominican
    spanish french german italian japanese korean chinese thai filipina indian arab
    persian hawaiian canadian girl girls lady ladies woman women babe baby honey sugar
    doll princess queen mami mommy milf cougar teen student model escort provider
    companion masseuse therapist massage spa incall outcall call text calls texts txt
    contact email phone number cell whatsapp kik snap snapchat instagram twitter
    telegram ask visiting traveling travelling waiting looking here available today
    tonight tomorrow weekend week day night morning afternoon evening late early monday
    tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec hi hello hey hola bonjour ciao welcome thanks thank please xoxo
    kisses love gentlemen gentleman guys men man sir daddy papi special specials promo
    deal deals price rates rate donation hour hours hr hrs min mins half full session
    sessions service services nueva nuevo aqui aquí disponible lista caliente bonita
    linda chica chicas mujer nouvelle nouveau ici disponible jolie belle femme fille
    nova novinha aqui gata linda mulher neu neue hier da bereit heiss heiß la el los las
    le les un une una uno des del de du der die das den dem ein eine yo je ich eu moi tu
    lol omg ok okay wow yeah yep nope outcalls incalls specializing special real pics
    pic photos photo verified
    """
)
"""Words a cue is often followed by that are never a persona name."""

_APOS = "['’]"
_NAME_SRC = r"(?P<name>[^\W\d_]+(?:-[^\W\d_]+)?)"
_STRONG = re.compile(
    r"(?<![^\W\d_])(?:"
    r"my\s+names?(?:\s*'\s*s|\s*’\s*s|\s+is|\s*:)?|names?\s*:|"
    r"me\s+llamo|mi\s+nombre\s+es|je\s+m" + _APOS + r"\s*appelle|mon\s+nom\s+est|"
    r"meu\s+nome\s+(?:é|e)|me\s+chamo|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist"
    r")[ \t]*" + _NAME_SRC,
    re.IGNORECASE,
)
_WEAK = re.compile(
    r"(?<![^\W\d_])(?:"
    r"i\s*" + _APOS + r"\s*m|i\s+am|it\s*" + _APOS + r"\s*s|it\s+is|this\s+is|"
    r"call\s+me|call|ask\s+for|soy|je\s+suis|moi\s+c\s*" + _APOS + r"\s*est|"
    r"sou\s+a|eu\s+sou|ich\s+bin"
    r")[ \t]+" + _NAME_SRC,
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(r"(?:~|(?<![^\W\d_])(?:xoxo|kisses|besos|bisous),?)[ \t]*" + _NAME_SRC, re.I)
_PHONE = re.compile(r"[\[(+]?\d[\d \t().\-\[\]*/]{5,}\d")
_BEFORE_PHONE = re.compile(_NAME_SRC + r"[ \t]*[:\-–~]?[ \t]*$")
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_DIGITS = 15


def _value(token: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in token.split("-"))


def _is_place(key: str) -> bool:
    index = gazetteer()
    entries = index.cities.get(key)
    if entries and any(e.place.major for e in entries):
        return True
    return key in index.countries or key in index.regions


def _judge(token: str, known_conf: float, other_conf: float, *, strong: bool) -> float | None:
    """The confidence that ``token`` is a persona name, or None when it is not one."""
    letters = token.replace("-", "")
    if not 2 <= len(letters) <= 20 or not token[:1].isupper():
        return None
    key = fold(token)
    if key in STOP_WORDS or fold_token(token.split("-", maxsplit=1)[0]) in STOP_WORDS:
        return None
    known = key in GIVEN_NAMES or all(p in GIVEN_NAMES for p in key.split(" "))
    if known:
        return known_conf
    shouting = token.isupper() and len(letters) > 2
    if shouting and not strong:
        return None
    if _is_place(key):
        if not strong:
            return None
        other_conf -= 0.1
    return other_conf - (0.1 if shouting else 0.0)


def _mention(post: Post, field: str, text: str, *, start: int, end: int, conf: float) -> Mention:
    return Mention.found(
        post_id=post.id,
        kind="name",
        value=_value(text[start:end]),
        field=field,
        original=text,
        start=start,
        end=end,
        method=METHOD,
        confidence=conf,
    )


def extract_names(post: Post, field: str, text: str) -> list[Mention]:
    """Persona names after cues, before phone numbers and in sign-offs, one per span."""
    found: dict[tuple[int, int], Mention] = {}

    def keep(start: int, end: int, conf: float | None) -> None:
        if conf is None:
            return
        old = found.get((start, end))
        if old is None or old.confidence < conf:
            found[(start, end)] = _mention(post, field, text, start=start, end=end, conf=conf)

    for match in _STRONG.finditer(text):
        keep(*match.span("name"), _judge(match["name"], 0.9, 0.7, strong=True))
    for match in _WEAK.finditer(text):
        keep(*match.span("name"), _judge(match["name"], 0.8, 0.45, strong=False))
    for match in _SIGN_OFF.finditer(text):
        keep(*match.span("name"), _judge(match["name"], 0.7, 0.5, strong=False))
    for phone in _PHONE.finditer(text):
        digits = sum(ch.isdigit() for ch in phone.group())
        if not _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
            continue
        window_start = max(0, phone.start() - 40)
        before = _BEFORE_PHONE.search(text, window_start, phone.start())
        if before is None:
            continue
        start, end = before.span("name")
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        keep(start, end, _judge(before["name"], 0.6, 0.35, strong=False))
    return sorted(found.values(), key=lambda m: m.start)


__all__ = ["GIVEN_NAMES", "STOP_WORDS", "extract_names"]
