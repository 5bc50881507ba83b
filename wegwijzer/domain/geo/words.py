"""Hand-made word lists and patterns for reading place names and postcodes in what people type."""

from __future__ import annotations

import re

# Longest input resolve() looks at; nothing in the gazetteer is longer than ~45 chars.
MAX_QUERY = 200
# A place is looked for in the first 2,000 characters of a free-text query only.
MAX_TEXT = 2000


def _wordset(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of text as a set."""
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    """Return the comma-separated phrases of text as a set."""
    return frozenset(p.strip() for p in text.split(",") if p.strip())


# Place names (normalised) that are never taken from free text: they are far more likely
# to be ordinary words ("een", "heel", "in de wijk") or a region ("Zeeland", "Noord").
# resolve() still finds them when they are the whole query.
NEVER_IN_TEXT = _phrases(
    """
    een, heel, hem, ie, anderen, nederland, zeeland, noord, noorden, oost, zuid, west, centrum,
    binnenstad, binnenhof, oranje, t waar, de punt, de heen, de noord, een west, oude meer,
    de wijk, de haven, de steeg, de hoeve, de hoven, de hagen, de engel, de kiel, de krim,
    de horst, de pol, de bult, de klomp, de moer, de waal, de glip, de groeve, de wilgen,
    de domp, de peulen, de knipe, de hoef, de kieviet, t veld, t zand, de uithof,
    nieuwe kerk en omgeving, oude kerk en omgeving
    """
)

# Place names that are also common Dutch or English words ("Best", "Echt", "Kampen",
# "Leiden", "Winkel"). From free text these are only taken after a location word
# ("in Best", "omgeving Echt"), as the whole query, or as a capitalised last word that is
# not also the first ("Schuldhulp Kampen").
GUARDED = _wordset(
    """
    best echt heer brand winkel waarde leek neer huizen hoek hoeven berg bergen broek handel
    leest houten buren raam boer loon hoorn graaf helden velden vries beek leeuwen appel rijen
    made goes hall america est horst doorn balk heide veen son waal well amen wier spier
    linden linde lies grave erica leur ven gracht stein hank malta halle mill nes enter born
    borne horn erp hees laar marken ballast kessel bong tuk sion neck beets gees lent zurich
    bears beers warns philippine thorn melle ens putte putten riel kaag spui vilt zegge schijf
    wateren klimmen sloten opende dieren zetten duiven dorst vuren groet baard dalen rekken
    dijken herten gieten uitweg orden ingen tivoli belfort austerlitz griffioen brabander
    baak kampen leiden delft haren goor sluis ruinen wetering halfweg graft elim lith mook
    dongen loven noordeinde westeinde oosteinde kruisstraat westhoek overslag oosterpark
    westerpark nieuwland hoogland spangen axel ee bern oosterend loo bilt gauw blije hingen
    meeuwen leunen baars wedde donderen zuidzijde tuindorp kats
    """
) | _phrases(
    """
    hoge mors, maria hoop, witte paarden, kop van zuid, gulden bodem, berg en bos, ten post,
    ten boer, hoge enk, alde leie, de rijp, het loo, de loo, t loo, den horn, den hout,
    den velde, sint maarten, van starkenborgh, langestraat en omgeving,
    leliegracht en omgeving, rembrantplein en omgeving, bg terrein en omgeving
    """
)

# Words that make a query a sentence rather than a list of keywords. A town's name that is
# also an ordinary word (LOWER_CASE_TOWNS) is read as the place in lower case only at the end
# of a keyword query ("schulden kampen"), never in a sentence ("dat kan tot problemen leiden").
FUNCTION_WORDS = _wordset(
    """
    de het een en of met van voor naar op aan in bij te om tot over uit door dat die dit deze
    wat hoe wie waar wanneer waarom ik je jij u we wij ze zij hij mij me mijn uw ons onze hun
    is ben bent zijn was waren kan kun kunt wil wilt moet moeten heb hebt heeft hebben niet
    geen echt heel erg zo al nog ook maar dan als er hier daar nu
    the a an my our your with for to of and or is are am not in at on by from how what
    """
)

# Municipality names that are also ordinary words but, as the last word of a keyword query,
# almost always mean the town ("schulden kampen", "budgetbeheer houten"). Names that are
# everyday words in a question about money ("best", "buren", "huizen", "hoorn", "beek",
# "sluis") are not in it: those need a location word, a capital or the whole query.
LOWER_CASE_TOWNS = _wordset(
    """
    kampen leiden delft houten goes dongen borne stein duiven putten
    """
)

# Short names that are real towns and no ordinary word.
SHORT_OK = frozenset({"oss", "ede", "urk", "epe", "yde"})

# Words that announce a location; "bij" is weak (it also means "with": "hulp bij schulden").
STRONG_TRIGGERS = _wordset(
    """
    in te rond rondom omgeving omstreken regio gemeente nabij near around plaats
    woonplaats postcode uit
    """
)
_WEAK_TRIGGERS = frozenset({"bij"})
# Words removed together with the place when they directly precede it.
_DANGLING = (
    STRONG_TRIGGERS
    | _WEAK_TRIGGERS
    | _phrases(
        """
    gem, in de buurt van, omgeving van, in de omgeving van, in de regio, buurt van, regio van,
    in de gemeente, de gemeente, in gemeente, gemeente van, in de buurt, dichtbij, vlakbij
    """
    )
)
DANGLING_PHRASES = sorted((tuple(p.split()) for p in _DANGLING), key=len, reverse=True)

# Query prefixes stripped by resolve(): "gemeente Zwolle", "plaats Kampen".
QUERY_PREFIXES = (
    "gemeente ",
    "gem ",
    "municipality of ",
    "municipality ",
    "plaats ",
    "woonplaats ",
    "postcode ",
    "in ",
    "te ",
    "city of ",
)
QUERY_SUFFIXES = (" nederland", " nl", " the netherlands", " netherlands", " holland")

# Province/region qualifiers GeoNames appends to ambiguous names ("Loo Gld", "Well L").
QUALIFIERS = _wordset(
    """
    l lb nb gld gl gn gr nh zh ut u ov o dr fr f ze z zl fl ac ca
    """
)

# "1e Exloërmond", "Tweede Exloërmond" are also found as "Exloërmond".
ORDINALS = frozenset({"1e", "2e", "3e", "1ste", "2de", "eerste", "tweede", "derde"})

# Extra names: colloquial names and former municipalities merged since 2019.
ALIASES = {
    "den bosch": ("Den Bosch", "GM0796"),
    "langedijk": ("Langedijk (Dijk en Waard)", "GM1980"),
    "westvoorne": ("Westvoorne (Voorne aan Zee)", "GM1992"),
    "landerd": ("Landerd (Maashorst)", "GM1991"),
    "mill en sint hubert": ("Mill en Sint Hubert (Land van Cuijk)", "GM1982"),
    "haarlemmerliede en spaarnwoude": ("Haarlemmerliede (Haarlemmermeer)", "GM0394"),
    "haarlemmerliede": ("Haarlemmerliede (Haarlemmermeer)", "GM0394"),
}

PC_QUERY = re.compile(r"(\d{4})(?:\s*([a-z]{2}))?(?:[\s,]+(.*))?", re.IGNORECASE)
PC_TOKEN = re.compile(r"(\d{4})([a-z]{2})?", re.IGNORECASE)
PC_LETTERS = re.compile(r"[a-z]{2}", re.IGNORECASE)
# Two-letter Dutch words that follow a number and are no postcode letters ("8011 en ...").
NOT_PC_LETTERS = _wordset(
    """
    en in op of te om al nu je ik we ze na er is ga de da ja nee bv me
    um km pm am to at on or eu uw zo do an as be by he if it my no so up
    us ok
    """
)
MONEY_WORDS = frozenset({"euro", "eur", "euros", "e", "k", "p", "pm", "per", "duizend"})
YEAR_WORDS = frozenset({"sinds", "vanaf", "jaar", "tot", "per", "since", "year", "in"})
TOKEN = re.compile(r"[\w'\u2019\u2018`\u00b4]+")
