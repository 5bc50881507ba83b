"""A fictional directory for the judged relevance set (tests/relevance_queries.py).

Organisations and services are invented; they sit in real municipalities of the gazetteer
(Zwolle, Kampen, Deventer, Utrecht) or work nationally. The set holds, on purpose:

* general help that every municipality has (debt help, money desk, social team, food bank);
* services meant for one group (entrepreneurs, young people, newcomers, older people, one
  community or faith), which a general question should not get first;
* decoys that share words with a need but answer another one (a clothing bank, an
  online-banking course, a housing search, a bank for entrepreneurs);
* services in other languages, with the HSDS ``languages`` of the service.

Each service has a short key; the judgements refer to these keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Municipality code and centre (from the gazetteer) of each place used.
PLACES = {
    "ZW": ("GM0193", 52.51864, 6.11840),
    "KA": ("GM0166", 52.55586, 5.93093),
    "DE": ("GM0150", 52.26823, 6.23572),
    "UT": ("GM0344", 52.09115, 5.07474),
}


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    #: A key of PLACES, or "NL" for a national service.
    where: str
    themes: tuple[str, ...]
    description: str
    terms: dict[str, list[str]] = field(default_factory=dict)
    languages: tuple[tuple[str, str], ...] = ()
    #: Kilometres east of the municipality's centre (0: no address, phone or online only).
    km: float = 1.0
    organization: str = ""
    keywords: str = ""


def E(key: str, name: str, where: str, themes: str, description: str, **kw: object) -> Entry:
    return Entry(key, name, where, tuple(themes.split()), description, **kw)  # type: ignore[arg-type]


GEMEENTE = {"organisatietype": ["gemeente"], "doelgroep": ["iedereen"]}
WELZIJN = {"organisatietype": ["welzijnsorganisatie"]}
VRIJWILLIG = {"organisatietype": ["vrijwilligersorganisatie"]}
ANDERS = {"organisatietype": ["maatschappelijke-organisatie"]}
LIJN = {"organisatietype": ["landelijke-hulplijn"], "toegang": ["telefonisch", "online"]}


def _with(base: dict[str, list[str]], **more: list[str]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in base.items()}
    for k, v in more.items():
        out[k] = out.get(k, []) + v
    return out


ENTRIES: list[Entry] = [
    # --- Zwolle ---------------------------------------------------------------------------
    E("zw_schuldhulp", "Schuldhulpverlening gemeente Zwolle", "ZW", "schulden regelingen",
      "Heeft u schulden of kunt u uw rekeningen niet meer betalen? De gemeente helpt gratis. "
      "We maken samen een overzicht, praten met schuldeisers en zoeken een schuldregeling. "
      "Ook bij een deurwaarder, beslag of een dreigende afsluiting kunt u meteen bellen.",
      terms=_with(GEMEENTE, fase=["voor-aanmelding", "tijdens-traject"], toegang=["op-afspraak"]),
      km=2.5),
    E("zw_geldloket", "Geldloket Zwolle", "ZW", "budget regelingen brieven-formulieren",
      "Vragen over geld? Loop binnen bij het Geldloket van de gemeente. Wij kijken mee naar uw "
      "inkomen en uitgaven, toeslagen, kwijtschelding en regelingen voor een laag inkomen.",
      terms=_with(GEMEENTE, toegang=["inloop"], fase=["voor-aanmelding"]), km=2.0),
    E("zw_wijkteam", "Sociaal wijkteam Zwolle", "ZW", "budget levensgebeurtenis",
      "Het wijkteam helpt als er veel tegelijk speelt: geld, gezondheid, opvoeding of werk. "
      "Een vaste hulpverlener kijkt met u wat nodig is.",
      terms=_with(WELZIJN, doelgroep=["iedereen", "meervoudige-problematiek"]), km=1.5),
    E("zw_voedselbank", "Voedselbank Zwolle", "ZW", "budget",
      "Een wekelijks voedselpakket voor huishoudens die tijdelijk te weinig geld hebben voor "
      "boodschappen. Aanmelden via een hulpverlener.",
      terms=VRIJWILLIG, km=3.0),
    E("zw_kledingbank", "Kledingbank Zwolle", "ZW", "budget",
      "Gratis kleding en schoenen voor volwassenen en kinderen met een kleine beurs.",
      terms=VRIJWILLIG, km=0.6),
    E("zw_bankieren", "Cursus online bankieren Zwolle", "ZW", "brieven-formulieren",
      "In de bibliotheek leert u internetbankieren en uw bankzaken veilig online regelen. "
      "Ook uitleg over de app van de bank en DigiD.",
      terms=_with(ANDERS, doelgroep=["laaggeletterden"]), km=0.5),
    E("zw_ondernemers", "Steunpunt ondernemers in geldnood", "ZW", "werk-inkomen schulden",
      "Voor zzp'ers en ondernemers met betalingsproblemen: een adviseur kijkt naar uw bedrijf, "
      "praat met de bank over krediet en helpt bij schulden van de zaak.",
      terms=_with(ANDERS, doelgroep=["ondernemers"]), km=0.8),
    E("zw_werkschulden", "Werk vinden met schulden", "ZW", "werk-inkomen",
      "Een jobcoach helpt u aan werk, ook als u schulden heeft of er beslag op uw uitkering "
      "ligt. Samen werken aan een vaste baan en een stabiel inkomen.",
      terms=WELZIJN, km=0.8),
    E("zw_juridisch", "Gratis juridisch spreekuur Zwolle", "ZW", "juridisch schulden",
      "Post van een deurwaarder, een dagvaarding of beslag op uw loon? Een jurist legt uit wat "
      "u kunt doen en helpt met bezwaar en uw rechten.",
      terms=_with(ANDERS, toegang=["inloop"]), km=3.5),
    E("zw_bewind", "Beschermingsbewind Op Orde", "ZW", "budget schulden",
      "Professionele bewindvoerders beheren uw geld als u dat zelf (even) niet kunt: vaste "
      "lasten betalen, leefgeld en contact met schuldeisers. Bewind wordt aangevraagd bij de "
      "kantonrechter.",
      terms=_with(ANDERS, fase=["tijdens-traject"]), km=2.2,
      organization="Op Orde Bewindvoering"),
    E("zw_formulieren", "Formulierenhulp Zwolle", "ZW", "brieven-formulieren",
      "Wij helpen met brieven van instanties en formulieren invullen, bijvoorbeeld voor "
      "toeslagen of de belastingaangifte. Kom langs op het spreekuur.",
      terms=_with(WELZIJN, toegang=["inloop"], doelgroep=["iedereen"]), km=1.2),
    E("zw_turks", "Hulp bij brieven in het Turks", "ZW", "brieven-formulieren",
      "Vrijwilligers van de vereniging lezen uw brieven samen met u en helpen met formulieren, "
      "in het Turks of het Nederlands.",
      terms=_with(VRIJWILLIG, doelgroep=["culturele-gemeenschap"]),
      languages=(("Turks", "tr"), ("Nederlands", "nl")), km=1.8,
      organization="Turkse Vrouwenvereniging Zwolle"),
    E("zw_maatje_taal", "Maatje in uw eigen taal", "ZW", "maatje",
      "Een maatje dat uw taal spreekt gaat mee naar afspraken en helpt met post en papieren.",
      terms=_with(VRIJWILLIG, doelgroep=["nieuwkomers"]),
      languages=(("Arabisch", "ar"), ("Tigrinya", "ti"), ("Perzisch (Farsi)", "fa")), km=1.1),
    E("zw_jongeren", "Jongerenpunt Geld Zwolle", "ZW", "budget levensgebeurtenis",
      "Voor jongeren tot 27 jaar: 18 worden, je eerste zorgverzekering, studieschuld bij DUO en "
      "op jezelf wonen.",
      terms=_with(WELZIJN, doelgroep=["jongeren"]), km=0.9),
    E("zw_ouderen", "Ouderenadvies Zwolle", "ZW", "regelingen thuisadministratie",
      "Voor senioren: hulp bij AOW, pensioen, rekeningen betalen en de post bijhouden.",
      terms=_with(WELZIJN, doelgroep=["ouderen"]), km=1.0),
    E("zw_thuisadmin", "Thuisadministratie Zwolle", "ZW", "thuisadministratie",
      "Een vrijwilliger komt bij u thuis, helpt de post openen en zet uw papieren en "
      "rekeningen op een rij.",
      terms=_with(VRIJWILLIG, toegang=["huisbezoek"], doelgroep=["iedereen"]), km=1.6),
    E("zw_diaconie", "Diaconie Protestantse Kerk Zwolle", "ZW", "budget",
      "De kerk helpt met een gift of een renteloze lening bij acute geldnood.",
      terms=_with(VRIJWILLIG, doelgroep=["levensbeschouwelijk"]), km=0.7),
    E("zw_moskee", "Sociaal spreekuur Moskee Zwolle", "ZW", "brieven-formulieren budget",
      "Voor leden van de gemeenschap: vragen over geld en brieven, in het Turks en Arabisch.",
      terms=_with(VRIJWILLIG, doelgroep=["levensbeschouwelijk", "culturele-gemeenschap"]),
      languages=(("Turks", "tr"), ("Arabisch", "ar")), km=2.8),
    E("zw_energie", "Energiecoach Zwolle", "ZW", "wonen-energie",
      "Een hoge energierekening? De energiecoach komt langs met tips om stroom en gas te "
      "besparen.",
      terms=_with(VRIJWILLIG, toegang=["huisbezoek"]), km=1.4),
    E("zw_huurteam", "Woonhulp bij huurachterstand Zwolle", "ZW", "wonen-energie schulden",
      "Loopt u achter met de huur? De woningcorporatie en de gemeente maken samen met u een "
      "betalingsregeling, zodat ontruiming voorkomen wordt.",
      terms=ANDERS, km=2.1),
    E("zw_woningzoeken", "Huurwoning zoeken in Zwolle", "ZW", "wonen-energie",
      "Hoe schrijft u zich in voor een sociale huurwoning? Uitleg over wachttijd, urgentie en "
      "reageren op woningen.",
      terms=ANDERS, km=0.4),
    E("zw_scheiding", "Scheidingspunt Zwolle", "ZW", "levensgebeurtenis",
      "Gaat u scheiden? Hulp bij alimentatie, de verdeling van schulden en een nieuw budget.",
      terms=WELZIJN, km=1.3),
    E("zw_gokken", "Hulp bij gokproblemen Zwolle", "ZW", "schulden",
      "Gokt u meer dan u wilt, of heeft iemand in uw gezin schulden door gokken? "
      "Verslavingszorg en schuldhulp werken samen.",
      terms=_with(WELZIJN, doelgroep=["meervoudige-problematiek"]), km=2.6),
    E("zw_kinderopvang", "Kinderopvang Zonnetje Zwolle", "ZW", "levensgebeurtenis",
      "Kinderdagverblijf en buitenschoolse opvang in Zwolle-Zuid. Vraag naar de wachtlijst.",
      terms=ANDERS, km=0.3),
    # --- Kampen ---------------------------------------------------------------------------
    E("ka_schuldhulp", "Schuldhulp gemeente Kampen", "KA", "schulden",
      "De gemeente Kampen helpt inwoners met schulden en betalingsachterstanden. Wij maken een "
      "plan en praten met schuldeisers.",
      terms=_with(GEMEENTE, fase=["voor-aanmelding"], toegang=["op-afspraak"]), km=1.5),
    E("ka_inloop", "Inloop Geldzaken Kampen", "KA", "budget brieven-formulieren",
      "Loop binnen zonder afspraak met al uw vragen over geld, brieven en papieren.",
      terms=_with(WELZIJN, toegang=["inloop"], doelgroep=["iedereen"]), km=0.8),
    E("ka_voedselbank", "Voedselbank Kampen", "KA", "budget",
      "Elke week een pakket met eten en boodschappen voor wie tijdelijk geen geld heeft.",
      terms=VRIJWILLIG, km=2.0),
    E("ka_statushouders", "Taal en geld voor statushouders", "KA", "budget regelingen",
      "Voor statushouders en vluchtelingen: uitleg over het Nederlandse geldsysteem, "
      "toeslagen en de eerste rekeningen.",
      terms=_with(VRIJWILLIG, doelgroep=["nieuwkomers"]),
      languages=(("Arabisch", "ar"), ("Tigrinya", "ti")), km=0.5),
    E("ka_budgetcursus", "Budgetcursus Kampen", "KA", "budget",
      "Leer rondkomen met uw inkomen. In vier avonden maakt u een budgetplan en krijgt u tips "
      "om te besparen.",
      terms=WELZIJN, km=1.1),
    E("ka_formulierenbrigade", "Formulierenbrigade Kampen", "KA", "brieven-formulieren",
      "Vrijwilligers komen bij u thuis en helpen met formulieren, aanvragen en brieven.",
      terms=_with(VRIJWILLIG, toegang=["huisbezoek"]), km=1.7),
    E("ka_boeren", "Erf en Geld: hulp voor boeren", "KA", "werk-inkomen schulden",
      "Voor boeren en tuinders met financiële zorgen over het bedrijf: vertrouwelijk "
      "gesprek met een ervaren agrariër.",
      terms=_with(VRIJWILLIG, doelgroep=["ondernemers"]), km=4.0),
    E("ka_kwijtschelding", "Kwijtschelding gemeentelijke belastingen Kampen", "KA",
      "regelingen",
      "Met een laag inkomen hoeft u de afvalstoffenheffing en rioolheffing soms niet te "
      "betalen. Vraag kwijtschelding aan bij de gemeente.",
      terms=GEMEENTE, km=1.5),
    E("ka_maatje", "Geldmaatjes Kampen", "KA", "maatje",
      "Een getraind maatje gaat met u mee naar afspraken en helpt overzicht te houden.",
      terms=_with(VRIJWILLIG, fase=["begeleiding"]), km=0.9),
    E("ka_jongeren", "Jongerenwerk Kampen", "KA", "levensgebeurtenis werk-inkomen",
      "Jongerenwerkers helpen met school, werk en geldzaken als je 16 tot 23 jaar bent.",
      terms=_with(WELZIJN, doelgroep=["jongeren"]), km=0.4),
    E("ka_bijzonderebijstand", "Bijzondere bijstand Kampen", "KA", "regelingen",
      "Onverwachte kosten die u niet kunt betalen, zoals een kapotte wasmachine of "
      "bewindvoering? Vraag bijzondere bijstand aan bij de gemeente.",
      terms=GEMEENTE, km=1.5),
    # --- Deventer -------------------------------------------------------------------------
    E("de_schuldhulp", "Schuldhulpverlening Deventer", "DE", "schulden regelingen",
      "Hulp bij schulden voor alle inwoners van Deventer. Aanmelden kan telefonisch of via "
      "het inloopspreekuur. Wij helpen ook bij een huurachterstand of energieschuld.",
      terms=_with(GEMEENTE, fase=["voor-aanmelding"], toegang=["inloop", "telefonisch"]),
      km=1.0),
    E("de_noodfonds", "Noodfonds Deventer", "DE", "budget",
      "Snel geld bij een noodsituatie: een gift of renteloze lening als er geen andere "
      "regeling is, bijvoorbeeld voor eten of een energierekening.",
      terms=VRIJWILLIG, km=1.9),
    E("de_voedselbank", "Voedselbank Deventer", "DE", "budget",
      "Voedselpakketten voor gezinnen en alleenstaanden die niet genoeg geld hebben voor eten.",
      terms=VRIJWILLIG, km=2.3),
    E("de_budgetbeheer", "Budgetbeheer Deventer", "DE", "budget schulden",
      "Wij betalen uw vaste lasten zoals huur en energie vanaf een beheerrekening, zodat er "
      "geen nieuwe achterstanden ontstaan.",
      terms=_with(GEMEENTE, fase=["tijdens-traject"]), km=1.0),
    E("de_thuisadmin", "Humanitas Thuisadministratie Deventer", "DE", "thuisadministratie",
      "Een vrijwilliger helpt u met uw administratie: post ordenen, rekeningen betalen en een "
      "overzicht maken.",
      terms=_with(VRIJWILLIG, toegang=["huisbezoek"], doelgroep=["iedereen"]), km=1.2),
    E("de_pools", "Poradnia: hulp in het Pools", "DE", "brieven-formulieren werk-inkomen",
      "Voor arbeidsmigranten uit Polen: hulp met brieven, loonstroken, toeslagen en de "
      "belastingaangifte, in het Pools.",
      terms=_with(VRIJWILLIG, doelgroep=["culturele-gemeenschap"]),
      languages=(("Pools", "pl"),), km=0.6),
    E("de_oekraine", "Steunpunt Oekraïners Deventer", "DE", "regelingen brieven-formulieren",
      "Hulp voor ontheemden uit Oekraïne met leefgeld, zorgverzekering en brieven, in het "
      "Oekraïens en Russisch.",
      terms=_with(VRIJWILLIG, doelgroep=["nieuwkomers"]),
      languages=(("Oekraïens", "uk"), ("Russisch", "ru")), km=0.7),
    E("de_energiefonds", "Energiefonds Deventer", "DE", "wonen-energie",
      "Een bijdrage in de energiekosten als u de energierekening niet meer kunt betalen.",
      terms=GEMEENTE, km=1.0),
    E("de_sociaalraadslid", "Sociaal raadslieden Deventer", "DE", "juridisch regelingen",
      "Gratis advies over uw rechten, bezwaar maken tegen een besluit van de Belastingdienst "
      "of het UWV, en hulp bij toeslagen.",
      terms=ANDERS, km=1.3),
    E("de_ouderen", "Ouderenwerk Deventer", "DE", "regelingen",
      "Ouderenadviseurs voor 65-plussers: AOW, pensioen, huishoudelijke hulp en regelingen.",
      terms=_with(WELZIJN, doelgroep=["ouderen"]), km=0.9),
    E("de_zzp", "Zzp-loket Deventer", "DE", "werk-inkomen regelingen",
      "Zelfstandigen zonder personeel met te weinig inkomen: Bbz-uitkering, advies over uw "
      "bedrijf en stoppen of doorgaan.",
      terms=_with(GEMEENTE, doelgroep=["ondernemers"]), km=1.0),
    E("de_taalhuis", "Taalhuis Deventer", "DE", "brieven-formulieren",
      "Moeite met lezen en schrijven? In het Taalhuis oefent u met taal en leest u samen "
      "moeilijke brieven.",
      terms=_with(ANDERS, doelgroep=["laaggeletterden"]), km=0.5),
    E("de_fietsbank", "Fietsenbank Deventer", "DE", "budget",
      "Een opgeknapte tweedehands fiets voor kinderen en volwassenen met een laag inkomen.",
      terms=VRIJWILLIG, km=0.4),
    # --- Utrecht --------------------------------------------------------------------------
    E("ut_schuldhulp", "Schuldhulp Utrecht", "UT", "schulden",
      "De gemeente Utrecht helpt met schulden, betalingsachterstanden en brieven van "
      "incassobureaus. Meld u aan, ook als u niet weet waar u moet beginnen.",
      terms=_with(GEMEENTE, fase=["voor-aanmelding"], toegang=["op-afspraak", "telefonisch"]),
      km=1.0),
    E("ut_buurtteam", "Buurtteam Utrecht", "UT", "budget brieven-formulieren",
      "Het buurtteam helpt gratis met geld, brieven, opvoeding en andere vragen. Loop binnen "
      "of bel.",
      terms=_with(WELZIJN, toegang=["inloop"], doelgroep=["iedereen"]), km=0.6),
    E("ut_voedselbank", "Voedselbank Utrecht", "UT", "budget",
      "Noodpakketten en voedselpakketten voor inwoners die geen geld meer hebben voor eten.",
      terms=VRIJWILLIG, km=2.4),
    E("ut_eritrees", "Eritrese gemeenschap Utrecht", "UT", "brieven-formulieren maatje",
      "Hulp met post en formulieren in het Tigrinya, door en voor Eritreeërs.",
      terms=_with(VRIJWILLIG, doelgroep=["culturele-gemeenschap"]),
      languages=(("Tigrinya", "ti"),), km=1.6),
    E("ut_somalisch", "Somalisch Vrouwen Netwerk", "UT", "budget brieven-formulieren",
      "Vrouwen uit de Somalische gemeenschap helpen elkaar met geld en brieven, in het "
      "Somalisch.",
      terms=_with(VRIJWILLIG, doelgroep=["culturele-gemeenschap"]),
      languages=(("Somalisch", "so"),), km=2.0),
    E("ut_studenten", "Studentenloket Geld Utrecht", "UT", "budget",
      "Voor studenten: studiefinanciering, studieschuld bij DUO, huur en een bijbaan.",
      terms=_with(WELZIJN, doelgroep=["jongeren"]), km=0.9),
    E("ut_juridisch", "Juridisch Loket Utrecht", "UT", "juridisch",
      "Gratis juridisch advies: beslag, deurwaarder, ontslag, huur en bezwaar.",
      terms=ANDERS, km=1.4),
    E("ut_wsnp", "WSNP-bewindvoering Utrecht", "UT", "schulden",
      "Wettelijke schuldsanering (WSNP): als een minnelijke schuldregeling niet lukt. De "
      "rechter spreekt de WSNP uit; een bewindvoerder begeleidt u drie jaar.",
      terms=_with(ANDERS, fase=["tijdens-traject"]), km=1.2),
    E("ut_energie", "Energieloket Utrecht", "UT", "wonen-energie",
      "Advies over uw energierekening, een energietoeslag en besparen op stroom en gas.",
      terms=GEMEENTE, km=0.8),
    E("ut_gezinnen", "Gezinscoach Utrecht", "UT", "budget",
      "Voor ouders met jonge kinderen: kindgebonden budget, kinderopvangtoeslag en "
      "schoolkosten.",
      terms=_with(WELZIJN, doelgroep=["gezinnen"]), km=1.1),
    E("ut_nazorg", "Nazorg na schuldhulp Utrecht", "UT", "schulden",
      "Na de schuldregeling kijkt een vrijwilliger een jaar met u mee, zodat u niet terugvalt.",
      terms=_with(VRIJWILLIG, fase=["nazorg"]), km=1.8),
    E("ut_papiaments", "Antilliaans Steunpunt Utrecht", "UT", "budget brieven-formulieren",
      "Hulp met geld en brieven in het Papiaments, voor mensen van de eilanden.",
      terms=_with(VRIJWILLIG, doelgroep=["culturele-gemeenschap"]),
      languages=(("Papiaments", "pap"),), km=2.2),
    E("ut_bankzaken", "Bankzaken voor iedereen Utrecht", "UT", "brieven-formulieren",
      "Een bankrekening openen zonder vaste woonplaats en uitleg over de bankpas.",
      terms=ANDERS, km=0.7),
    # --- National -------------------------------------------------------------------------
    E("nl_geldfit", "Geldlijn Nederland", "NL", "budget schulden",
      "Anoniem bellen of chatten over geldzorgen. Wij luisteren en wijzen u de weg naar hulp "
      "in uw gemeente.",
      terms=LIJN, km=0),
    E("nl_ondernemers", "Ondernemersklankbord Geldnood", "NL", "werk-inkomen schulden",
      "Landelijke hulplijn voor ondernemers en zzp'ers met schulden of betalingsproblemen.",
      terms=_with(LIJN, doelgroep=["ondernemers"]), km=0),
    E("nl_energiebank", "Energiebank Nederland", "NL", "wonen-energie",
      "Hulp als u de energierekening niet kunt betalen: een energiecoach en soms een "
      "bijdrage.",
      terms=LIJN, km=0),
    E("nl_cjib", "Boetes en CJIB: uitleg en regelingen", "NL", "schulden regelingen",
      "Een verkeersboete of boete van het CJIB die u niet kunt betalen? Uitleg over een "
      "betalingsregeling en wat er gebeurt als u niet betaalt.",
      terms=LIJN, km=0),
    E("nl_toeslagen", "Toeslagen Hulplijn", "NL", "regelingen",
      "Vragen over huurtoeslag, zorgtoeslag, kinderopvangtoeslag of een terugvordering van "
      "toeslagen? Bel gratis.",
      terms=LIJN, km=0),
    E("nl_duo", "Studieschuld Infolijn", "NL", "schulden",
      "Uitleg over het terugbetalen van een studieschuld bij DUO en aflossen naar draagkracht.",
      terms=_with(LIJN, doelgroep=["jongeren"]), km=0),
    E("nl_gokhulp", "Gokhulplijn", "NL", "schulden",
      "Anoniem chatten over gokken en de schulden die het geeft, ook voor naasten.",
      terms=_with(LIJN, doelgroep=["meervoudige-problematiek"]), km=0),
    E("nl_belastingtelefoon", "Hulp bij de belastingaangifte", "NL", "brieven-formulieren",
      "Vrijwilligers helpen met de aangifte inkomstenbelasting en post van de Belastingdienst.",
      terms=_with(LIJN, doelgroep=["iedereen"]), km=0),
    E("nl_ouderen", "Seniorenlijn Geld", "NL", "regelingen",
      "Voor ouderen: vragen over AOW, pensioen en geld, aan de telefoon.",
      terms=_with(LIJN, doelgroep=["ouderen"]), km=0),
    E("nl_rechtshulp", "Landelijk Rechtshulpnummer", "NL", "juridisch",
      "Gratis juridische eerste hulp bij een dagvaarding, deurwaarder of conflict met een "
      "instantie.",
      terms=LIJN, km=0),
    E("nl_kerkhulp", "Kerkelijke Noodhulp Nederland", "NL", "budget",
      "Noodhulp vanuit de kerken: een gift of renteloze lening als er geen geld meer is.",
      terms=_with(LIJN, doelgroep=["levensbeschouwelijk"]), km=0),
    E("nl_english", "Expat Money Helpline", "NL", "budget schulden",
      "Help in English with Dutch letters, debts and benefits for people new to the "
      "Netherlands.",
      terms=_with(LIJN, doelgroep=["nieuwkomers"]),
      languages=(("Engels", "en"),), km=0),
    E("nl_waterschap", "Kwijtschelding waterschapsbelasting", "NL", "regelingen",
      "Met een laag inkomen kunt u kwijtschelding vragen van de waterschapsbelasting.",
      terms=LIJN, km=0),
]

#: The municipality's debt help (Municipality.debt_help_service_id) in the places that set it.
DEBT_HELP = {"ZW": "zw_schuldhulp", "UT": "ut_schuldhulp"}

KEYS = {e.key for e in ENTRIES}
