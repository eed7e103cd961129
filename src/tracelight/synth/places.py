"""Sites, countries and cities of the synthetic world.

Everything downstream (phone ranges, language, currency, the way a place is
written in an ad) hangs off a :class:`City`, so a post's city, country, language
and phone numbers always agree with each other, the way they do in real scrapes.
Site domains use the reserved ``.example`` and ``.test`` top-level domains only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Site:
    """A fake classifieds site with its own id format and extra scraped fields.

    ``extras`` names the unknown fields its scraper adds (kept by ingest as
    metadata); ``footer`` is a site disclaimer some of its pages carry, a second
    kind of boilerplate that must not link posts.
    """

    name: str
    domain: str
    style: str  # escort | massage | dating | jobs
    id_format: str  # str.format pattern with {n}
    path: str
    extras: tuple[str, ...] = ()
    footer: str = ""


SITES: tuple[Site, ...] = (
    Site("citynights", "citynights.example", "escort", "{n}", "ads", ("category", "age_field")),
    Site("velvetlist", "velvetlist.example", "escort", "vl{n}", "listing", ("scraper_version",)),
    Site(
        "rosepages",
        "rosepages.test",
        "escort",
        "rp{n}",
        "p",
        ("category",),
        footer=(
            "RosePages is a directory of independent advertisers. All advertisers state "
            "they are over 18. RosePages does not arrange meetings and takes no part in any "
            "transaction. Report misuse through the form on this page."
        ),
    ),
    Site(
        "spafinder",
        "spafinder.example",
        "massage",
        "SF-{n}",
        "spa",
        ("category", "scraper_version"),
    ),
    Site("sweetmatch", "sweetmatch.example", "dating", "u{n}", "profile", ("age_field",)),
    Site("jobtrove", "jobtrove.example", "jobs", "JT{n}", "job", ("category", "salary_field")),
    Site("workabroad", "workabroad.test", "jobs", "wa-{n}", "offer", ("scraper_version",)),
)

SITE_BY_NAME = {site.name: site for site in SITES}
SITES_BY_STYLE: dict[str, tuple[Site, ...]] = {
    style: tuple(site for site in SITES if site.style == style)
    for style in ("escort", "massage", "dating", "jobs")
}


@dataclass(frozen=True, slots=True)
class Country:
    """Conventions that change how numbers look in an ad of this country."""

    code: str
    name_en: str
    currency: str  # symbol as written in ads
    imperial: bool  # 34-24-36 and 5'6 rather than 90-60-90 and 1,65 m
    weight: float  # share of actors based here


COUNTRIES: tuple[Country, ...] = (
    Country("US", "USA", "$", True, 0.30),
    Country("CA", "Canada", "$", True, 0.10),
    Country("GB", "UK", "£", True, 0.12),
    Country("FR", "France", "€", False, 0.12),
    Country("ES", "Spain", "€", False, 0.10),
    Country("DE", "Germany", "€", False, 0.10),
    Country("MX", "Mexico", "$", False, 0.09),
    Country("BR", "Brazil", "R$", False, 0.07),
)
COUNTRY = {country.code: country for country in COUNTRIES}


@dataclass(frozen=True, slots=True)
class City:
    """A city and the ways people write it.

    ``phone_keys`` name the number blocks a local poster's phone comes from (area
    codes for North America, drama-range prefixes elsewhere, mobile area codes
    where no fiction range exists); ``postcode`` is a pattern whose ``#`` become
    digits and ``@`` letters, used as a numeric decoy.
    """

    name: str
    country: str
    languages: tuple[tuple[str, float], ...]
    written: tuple[str, ...]
    hoods: tuple[str, ...]
    phone_keys: tuple[str, ...]
    postcode: str
    weight: float = 1.0
    slug: str = ""

    def speaks(self, language: str) -> bool:
        return any(lang == language for lang, _ in self.languages)


def _c(  # noqa: PLR0917 - a row of the city table, read positionally
    name: str,
    country: str,
    langs: tuple[tuple[str, float], ...],
    written: tuple[str, ...],
    hoods: tuple[str, ...],
    keys: tuple[str, ...],
    postcode: str,
    weight: float = 1.0,
) -> City:
    slug = "-".join(name.lower().replace(".", "").split())
    return City(name, country, langs, written, hoods, keys, postcode, weight, slug)


EN = (("en", 1.0),)
ES = (("es", 1.0),)
FR = (("fr", 1.0),)
PT = (("pt", 1.0),)
DE = (("de", 1.0),)

CITIES: tuple[City, ...] = (
    # United States: NANP 555-01XX numbers are reserved for fiction in every area code.
    _c(
        "New York",
        "US",
        (("en", 0.9), ("es", 0.1)),
        ("New York", "NYC", "New York, NY", "Manhattan", "NY"),
        ("Midtown", "Queens", "Brooklyn", "Bronx", "Times Square", "Upper East Side"),
        ("212", "646", "718", "917", "347"),
        "100##",
        1.6,
    ),
    _c(
        "Los Angeles",
        "US",
        (("en", 0.75), ("es", 0.25)),
        ("Los Angeles", "LA", "Los Angeles, CA", "L.A."),
        ("Hollywood", "Downtown", "Koreatown", "Van Nuys", "Santa Monica"),
        ("213", "310", "323", "818", "424"),
        "900##",
        1.4,
    ),
    _c(
        "Houston",
        "US",
        (("en", 0.75), ("es", 0.25)),
        ("Houston", "Houston, TX", "HTX", "H-Town"),
        ("Galleria", "Downtown", "Westchase", "Bellaire"),
        ("713", "281", "832"),
        "770##",
    ),
    _c(
        "Miami",
        "US",
        (("en", 0.55), ("es", 0.45)),
        ("Miami", "Miami, FL", "MIA"),
        ("South Beach", "Brickell", "Doral", "Little Havana"),
        ("305", "786"),
        "331##",
    ),
    _c(
        "Las Vegas",
        "US",
        (("en", 0.9), ("es", 0.1)),
        ("Las Vegas", "Vegas", "LV", "Las Vegas, NV"),
        ("The Strip", "Downtown", "Henderson"),
        ("702", "725"),
        "891##",
    ),
    _c(
        "Chicago",
        "US",
        EN,
        ("Chicago", "Chicago, IL", "Chi-town"),
        ("Loop", "River North", "O'Hare", "Wicker Park"),
        ("312", "773", "872"),
        "606##",
    ),
    _c(
        "Atlanta",
        "US",
        EN,
        ("Atlanta", "ATL", "Atlanta, GA"),
        ("Buckhead", "Midtown", "Airport"),
        ("404", "470", "678"),
        "303##",
    ),
    _c(
        "Dallas",
        "US",
        (("en", 0.85), ("es", 0.15)),
        ("Dallas", "Dallas, TX", "DFW"),
        ("Uptown", "Love Field", "Deep Ellum"),
        ("214", "469", "972"),
        "752##",
    ),
    _c(
        "Phoenix",
        "US",
        (("en", 0.85), ("es", 0.15)),
        ("Phoenix", "PHX", "Phoenix, AZ"),
        ("Scottsdale", "Tempe", "Downtown"),
        ("602", "480", "623"),
        "850##",
    ),
    _c(
        "Seattle",
        "US",
        EN,
        ("Seattle", "SEA", "Seattle, WA"),
        ("Capitol Hill", "Bellevue", "SeaTac"),
        ("206", "425"),
        "981##",
    ),
    # Canada: same NANP fiction range.
    _c(
        "Toronto",
        "CA",
        EN,
        ("Toronto", "TO", "Toronto, ON", "the 6ix"),
        ("Downtown", "North York", "Scarborough", "Mississauga"),
        ("416", "647", "437"),
        "M#@ #@#",
        1.5,
    ),
    _c(
        "Vancouver",
        "CA",
        EN,
        ("Vancouver", "Van", "Vancouver, BC"),
        ("Downtown", "Richmond", "Burnaby"),
        ("604", "778"),
        "V#@ #@#",
    ),
    _c(
        "Montreal",
        "CA",
        (("fr", 0.7), ("en", 0.3)),
        ("Montréal", "Montreal", "MTL", "Montréal, QC"),
        ("Centre-ville", "Plateau", "Laval"),
        ("514", "438"),
        "H#@ #@#",
        1.2,
    ),
    _c(
        "Calgary",
        "CA",
        EN,
        ("Calgary", "YYC", "Calgary, AB"),
        ("Beltline", "Downtown"),
        ("403", "587"),
        "T#@ #@#",
    ),
    _c(
        "Ottawa",
        "CA",
        (("en", 0.7), ("fr", 0.3)),
        ("Ottawa", "Ottawa, ON", "Ottawa-Gatineau"),
        ("ByWard Market", "Centretown"),
        ("613", "343"),
        "K#@ #@#",
    ),
    _c(
        "Quebec City",
        "CA",
        FR,
        ("Québec", "Quebec City", "Ville de Québec"),
        ("Vieux-Québec", "Sainte-Foy"),
        ("418", "581"),
        "G#@ #@#",
    ),
    # United Kingdom: Ofcom drama numbers (e.g. 020 7946 0xxx, 0161 496 0xxx).
    _c(
        "London",
        "GB",
        EN,
        ("London", "Central London", "London W1", "Ldn"),
        ("Soho", "Paddington", "Kensington", "Canary Wharf", "Heathrow"),
        ("02079460",),
        "W1@ #@@",
        1.8,
    ),
    _c(
        "Manchester",
        "GB",
        EN,
        ("Manchester", "Manc", "MCR"),
        ("City Centre", "Salford", "Piccadilly"),
        ("01614960",),
        "M# #@@",
    ),
    _c(
        "Birmingham",
        "GB",
        EN,
        ("Birmingham", "Brum", "B'ham"),
        ("City Centre", "Edgbaston", "Digbeth"),
        ("01214960",),
        "B# #@@",
    ),
    _c(
        "Leeds",
        "GB",
        EN,
        ("Leeds", "Leeds LS1"),
        ("City Centre", "Headingley"),
        ("01134960",),
        "LS# #@@",
    ),
    _c(
        "Glasgow",
        "GB",
        EN,
        ("Glasgow", "Glasgow City"),
        ("West End", "Merchant City"),
        ("01414960",),
        "G# #@@",
    ),
    _c(
        "Liverpool",
        "GB",
        EN,
        ("Liverpool", "L'pool"),
        ("City Centre", "Anfield"),
        ("01514960",),
        "L# #@@",
    ),
    _c("Bristol", "GB", EN, ("Bristol",), ("Harbourside", "Clifton"), ("01174960",), "BS# #@@"),
    # France: ARCEP numbers for fiction (01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49).
    _c(
        "Paris",
        "FR",
        FR,
        ("Paris", "Paris 75", "Paris 8e", "Paris (75)"),
        ("8ème", "Pigalle", "La Défense", "Montparnasse", "Bastille"),
        ("019900",),
        "750##",
        2.0,
    ),
    _c(
        "Lyon",
        "FR",
        FR,
        ("Lyon", "Lyon 69", "Lyon Part-Dieu"),
        ("Part-Dieu", "Croix-Rousse"),
        ("046571",),
        "6900#",
    ),
    _c(
        "Marseille",
        "FR",
        FR,
        ("Marseille", "Marseille 13"),
        ("Vieux-Port", "Castellane"),
        ("046571",),
        "130##",
    ),
    _c("Nice", "FR", FR, ("Nice", "Nice 06"), ("Promenade", "Vieux-Nice"), ("046571",), "060##"),
    _c(
        "Lille", "FR", FR, ("Lille", "Lille 59"), ("Vieux-Lille", "Euralille"), ("035301",), "590##"
    ),
    _c(
        "Bordeaux",
        "FR",
        FR,
        ("Bordeaux", "Bordeaux 33"),
        ("Chartrons", "Mériadeck"),
        ("053649",),
        "330##",
    ),
    _c(
        "Toulouse",
        "FR",
        FR,
        ("Toulouse", "Toulouse 31"),
        ("Capitole", "Compans"),
        ("053649",),
        "310##",
    ),
    _c(
        "Nantes",
        "FR",
        FR,
        ("Nantes", "Nantes 44"),
        ("Centre", "Île de Nantes"),
        ("026191",),
        "440##",
    ),
    # Spain: no fiction range is known; numbers are generated valid mobiles.
    _c(
        "Madrid",
        "ES",
        ES,
        ("Madrid", "Madrid centro", "MAD"),
        ("Chamberí", "Salamanca", "Atocha", "Gran Vía"),
        ("6",),
        "280##",
        1.5,
    ),
    _c(
        "Barcelona",
        "ES",
        ES,
        ("Barcelona", "BCN", "Barna"),
        ("Eixample", "Gràcia", "Sants"),
        ("6",),
        "080##",
        1.4,
    ),
    _c("Valencia", "ES", ES, ("Valencia", "València"), ("Ruzafa", "El Carmen"), ("6",), "460##"),
    _c("Sevilla", "ES", ES, ("Sevilla", "Seville"), ("Triana", "Nervión"), ("6",), "410##"),
    _c(
        "Malaga",
        "ES",
        ES,
        ("Málaga", "Malaga", "Costa del Sol"),
        ("Centro", "Torremolinos"),
        ("6",),
        "290##",
    ),
    # Germany: Bundesnetzagentur numbers for film and TV (030 23125, 040 66969, ...).
    _c(
        "Berlin",
        "DE",
        DE,
        ("Berlin", "Berlin-Mitte", "Berlin Charlottenburg"),
        ("Mitte", "Kreuzberg", "Charlottenburg", "Neukölln"),
        ("03023125",),
        "10###",
        1.6,
    ),
    _c(
        "Hamburg",
        "DE",
        DE,
        ("Hamburg", "HH", "Hamburg St. Pauli"),
        ("St. Pauli", "Altona", "Eimsbüttel"),
        ("04066969",),
        "20###",
    ),
    _c(
        "Munich",
        "DE",
        DE,
        ("München", "Muenchen", "Munich"),
        ("Schwabing", "Sendling"),
        ("08999998",),
        "80###",
    ),
    _c(
        "Cologne",
        "DE",
        DE,
        ("Köln", "Koeln", "Cologne"),
        ("Ehrenfeld", "Deutz"),
        ("02214710",),
        "50###",
    ),
    _c(
        "Frankfurt",
        "DE",
        DE,
        ("Frankfurt", "Frankfurt am Main", "FFM"),
        ("Bahnhofsviertel", "Sachsenhausen"),
        ("06990009",),
        "60###",
    ),
    # Mexico: no fiction range is known; generated valid numbers in the city's area code.
    _c(
        "Mexico City",
        "MX",
        ES,
        ("CDMX", "Ciudad de México", "DF", "Mexico City"),
        ("Polanco", "Condesa", "Roma Norte", "Zona Rosa"),
        ("55",),
        "06###",
        1.6,
    ),
    _c(
        "Guadalajara",
        "MX",
        ES,
        ("Guadalajara", "GDL"),
        ("Chapultepec", "Providencia"),
        ("33",),
        "44###",
    ),
    _c("Monterrey", "MX", ES, ("Monterrey", "MTY"), ("San Pedro", "Centro"), ("81",), "64###"),
    _c(
        "Cancun",
        "MX",
        ES,
        ("Cancún", "Cancun", "Cancún Q. Roo"),
        ("Zona Hotelera", "Centro"),
        ("998",),
        "77###",
    ),
    _c("Tijuana", "MX", ES, ("Tijuana", "TJ"), ("Zona Río", "Centro"), ("664",), "22###"),
    # Brazil: no fiction range is known; generated valid mobiles in the city's DDD.
    _c(
        "Sao Paulo",
        "BR",
        PT,
        ("São Paulo", "Sao Paulo", "SP", "Sampa"),
        ("Jardins", "Moema", "Pinheiros", "Centro"),
        ("11",),
        "0####-###",
        1.8,
    ),
    _c(
        "Rio de Janeiro",
        "BR",
        PT,
        ("Rio de Janeiro", "Rio", "RJ"),
        ("Copacabana", "Barra", "Centro"),
        ("21",),
        "2####-###",
        1.4,
    ),
    _c(
        "Belo Horizonte",
        "BR",
        PT,
        ("Belo Horizonte", "BH"),
        ("Savassi", "Centro"),
        ("31",),
        "30###-###",
    ),
    _c(
        "Brasilia",
        "BR",
        PT,
        ("Brasília", "Brasilia", "DF"),
        ("Asa Sul", "Asa Norte"),
        ("61",),
        "70###-###",
    ),
)

CITIES_BY_COUNTRY: dict[str, tuple[City, ...]] = {
    country.code: tuple(city for city in CITIES if city.country == country.code)
    for country in COUNTRIES
}
