"""The first layer: named rules, grouped by the clinical category they stand for.

Rules are built from vocabulary classes (means, acts, times, quantities) rather than whole sentences, so
"swallowed 40 of my seroquel" and "took the rest of my lithium" meet the same rule. Every rule has a label a
clinician reads on the alert. The text is normalised first (lower case, accents and apostrophes dropped,
"my self" -> "myself", "su!c!dal" -> "suicidal", "od'd" -> "overdosed"), so rules never spell variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from clinic.core.text import accents_fold
from clinic.messaging.opt_out import opt_out_requests_blanked

# --- vocabulary classes -----------------------------------------------------------------------------

MEDS = (
    r"(?:pills?|meds?|medications?|medicines?|medicinas?|tablets?|capsules?|caps|bottles?|pastillas?|frasco|"
    r"pill\s+bottle|sleeping\s+pills|painkillers?|tylenol|advil|ibuprofen|aspirin|acetaminophen|paracetamol|"
    r"benadryl|xanax|klonopin|ativan|valium|benzos?|seroquel|trazodone|lithium|sertraline|zoloft|prozac|"
    r"lexapro|wellbutrin|ambien|gabapentin|oxy\w*|percocet|fentanyl|opioids?|heroin|insulin|antidepressants?|"
    r"lamictal|lamotrigine|abilify|zyprexa|olanzapine|quetiapine|clonazepam|lorazepam|alprazolam|diazepam|"
    r"hydrocodone|vicodin|tramadol|morphine|methadone|suboxone|adderall|ritalin|melatonin|nyquil|citalopram|"
    r"escitalopram|celexa|fluoxetine|paroxetine|paxil|venlafaxine|effexor|cymbalta|duloxetine|bupropion|"
    r"mirtazapine|remeron|amitriptyline|propranolol|buspirone|hydroxyzine|prazosin|topamax|depakote|"
    r"sleep\s+aids?|scripts?|prescriptions?|refills?|supply|percs|zolpidem|clonazepam|receta|them|everything|it\s+all)"
)
GUN = r"(?:guns?|pistol|rifle|shotgun|revolver|firearm|handgun|glock|pistola|arma|escopeta|fierro|cuete)"
LIGATURE = r"(?:rope|noose|belt|cord|ligature|cuerda|soga)"
BLADE = r"(?:razors?|blades?|knife|knives|box\s*cutter|navaja|cuchillo)"
HEIGHT = (
    r"(?:bridge|roof|rooftop|ledge|balcony|overpass|cliff|building|parking\s+garage|top\s+floor|tower|"
    r"window|edge|puente|azotea|edificio|techo|balcon)"
)
EXPOSED = r"(?:bridge|roof|rooftop|ledge|balcony|overpass|cliff|edge|tracks|train\s+tracks|railroad|puente|azotea|techo|cornisa|vias)"
VEHICLE = r"(?:train|tracks|traffic|truck|bus|car|cars|highway|freeway|road|subway|tren|vias|carro|coche)"
INTENT = (
    r"(?:want(?:ed|s|ing)?\s+to|wanna|going\s+to|gonna|gunna|about\s+to|ready\s+to|plan(?:ning)?\s+(?:to|on)|"
    r"thinking\s+(?:of|about|abt)|think\s+about|might|could\s+just|will|ill|im\s+going\s+to|decided\s+to|"
    r"have\s+to|need\s+to|urges?\s+to|tempted\s+to|wish\s+i\s+could|should\s+just|try(?:ing)?\s+to)"
)
ALL_OF = (
    r"(?:all|every|the\s+whole|a\s+whole|the\s+entire|an\s+entire|whole|entire|the\s+rest|a\s+handful|"
    r"handful|a\s+bunch|a\s+lot|way\s+too\s+many|too\s+many|a\s+ton|(?:approximately|about|around|maybe)\s+(?:twenty|thirty|forty|fifty|sixty|a\s+hundred|\d+)|"
    r"twenty|thirty|forty|fifty|sixty|a\s+dozen|dozens\s+of|(?:like\s+)?[1-9]\d+(?!\s*(?:mg|mcg|ml|min|am|pm|:|%)))"
)
ROUTINE = r"(?:today|this\s+morning|tonight\s+as\s+usual|as\s+(?:usual|prescribed|normal)|like\s+(?:normal|usual)|on\s+time|hoy|esta\s+manana)"
# An ordinary reason for a farewell or for giving things away: it sets those rules aside.
ORDINARY_REASON = (
    r"\b(?:moving(?!\s+on)|move(?!\s+on)|moved|relocat\w*|new\s+(?:place|apartment|house|job|baby)|allerg\w*|landlord|lease\s+(?:ends|is\s+up)|"
    r"downsiz\w*|declutter\w*|spring\s+cleaning|baby|newborn|pregnan\w*|wedding|deploy\w*|diagnos\w*|lawyer|attorney|"
    r"estate\s+plan\w*|trip|travel(?:ing|ling)?\s+(?:to|for|abroad)|mudo|mudanza|mudamos|alergi\w*|bebe|naci\w*|abogado|viaje)\b"
)


@dataclass(frozen=True)
class Rule:
    category: str
    label: str
    pattern: re.Pattern[str]
    # An ordinary reason anywhere in the text that sets this rule aside ("giving my dog away, we're moving").
    unless: re.Pattern[str] | None = None

    def matches(self, normalized: str) -> bool:
        return bool(self.pattern.search(normalized)) and not (self.unless and self.unless.search(normalized))


def _rules(category: str, *pairs: tuple[str, str]) -> list[Rule]:
    return [Rule(category, label, re.compile(pattern)) for label, pattern in pairs]


# --- rules, by category ------------------------------------------------------------------------------
# Categories follow the C-SSRS (wish to be dead, active ideation, method, intent, plan, preparatory
# behaviour, actual attempt), PHQ-9 item 9, and 988 / Crisis Text Line warning signs (farewells, giving
# things away, burden, no way out, "I don't feel safe").

ACT_TAKEN = _rules(
    "act_taken",
    (
        "pills already swallowed in quantity",
        rf"\b(?:took|taken|swallowed|downed|popped|ingested|drank|chugged|tome|me\s+tome|me\s+trague|trague)\s+"
        rf"(?:like\s+|about\s+|over\s+)?{ALL_OF}\b(?:\s+\w+){{0,4}}?\s*(?:of\s+)?(?:my\s+|the\s+|mis\s+|las\s+|los\s+|\w+\s+)?"
        rf"{MEDS}\b(?!\s+{ROUTINE})",
    ),
    (
        "all of a medicine taken, just now",
        r"\b(?:took|swallowed|downed)\s+(?:all|the\s+rest)\s+(?:\d+\s+)?(?:of\s+)?my\s+\w+(?:\s+(?!today|tonight|this|as|like|on|with|for)\w+)?\s*(?:[.!]*$|at\s+once|already|on\s+purpose|an?\s+hour|\d+\s+min|and\s+(?:some|a|the)\s+(?:wine|vodka|beer|whiskey))",
    ),
    (
        "took too much on purpose",
        r"\b(?:took|swallowed|taken|downed)\b.{0,40}\b(?:on\s+purpose|than\s+i\s+should\s+have)\b",
    ),
    ("a whole bottle taken", r"\b(?:took|taken|swallowed|downed|drank|tome)\b.{0,25}\b(?:bottles?|frasco)\b"),
    (
        "a number of pills taken",
        r"\b(?:took|taken|swallowed|downed|popped)\s+(?:like\s+)?[1-9]\d+\s+(?!mg|mcg|ml|min|minutes)\w+",
    ),
    (
        "swallowed them all",
        r"\b(?:swallowed|took|downed)\s+(?:them|it|everything)\s*(?:all\b|,|\.|$)|\bswallowed\s+them\b",
    ),
    ("already did it", r"\b(?:already|just)\s+(?:did|done)\s+it\b|\bits\s+done\b.{0,15}\btook\b"),
    (
        "attempt made",
        r"\b(?:tried|attempted|try|trying|intente|intento)\s+(?:to\s+)?(?:kill|hang|end|drown|jump|overdose|cut|shoot|"
        r"suffocate|poison|matarme|ahorcarme|suicidarme|quitarme|tirarme)\b(?!\s+(?:me|us|you|him|her|them)\b)|\bi\s+attempted\b|\bmade\s+an\s+attempt\b"
        r"|\battempted\s+suicide\b|\bsuicide\s+attempt\b",
    ),
    ("overdose taken", r"\b(?:i\s+(?:just\s+)?(?:already\s+)?overdosed|took\s+an\s+overdose)\b|^overdosed\b"),
    (
        "everything taken",
        r"\b(?:took|swallowed|downed|taken)\s+(?:everything|all)\s+(?:in|from|i\s+(?:had|have|could\s+find))\b|\b(?:took|swallowed|downed|taken)\b.{0,40}\bat\s+once\b",
    ),
    (
        "wrists or veins cut",
        r"\b(?:cut|slit|slashed|sliced|corte)\s+(?:my\s+|mis\s+|las\s+)?(?:wrists?|veins?|venas|throat)\b",
    ),
    (
        "bleeding from a cut",
        r"\bcut\s+(?:too\s+)?deep\b|\bbleeding\s+(?:a\s+lot|badly|bad)\b|\bno\s+para\s+de\s+sangrar\b",
    ),
    ("poison swallowed", r"\b(?:drank|swallowed|took)\s+(?:some\s+)?(?:bleach|poison|antifreeze|rat\s+poison|cloro)\b"),
    (
        "pills mixed with alcohol",
        rf"\b{MEDS}\s+with\s+(?:alcohol|vodka|wine|beer|whiskey|booze|liquor)\b|\bmixed\s+(?:all\s+)?my\s+{MEDS}\b",
    ),
    ("in hospital after an attempt", r"\b(?:woke\s+up|ended\s+up)\s+in\s+(?:the\s+)?(?:er|hospital|icu)\s+after\b"),
)

MEANS_PLAN = _rules(
    "means_plan",
    (
        "a gun at hand",
        rf"\b(?:bought|buy|buying|got|have|holding|hold|loaded|loading|cleaning|took\s+out|get|getting|tengo)\s+"
        rf"(?:\w+\s+){{0,2}}?(?:new\s+)?{GUN}\b(?!\s+(?:license|safety\s+class|range))",
    ),
    ("a gun taken out", rf"\b(?:got|took|get|getting|pulled|sacar|saque)\s+(?:\w+\s+){{0,2}}{GUN}\s+(?:out|down)\b"),
    (
        "a gun loaded or aimed",
        rf"\b{GUN}\s+(?:is\s+)?loaded\b|\bloaded\s+{GUN}|\b{GUN}\b.{{0,30}}\b(?:mouth|head|temple|chest)\b",
    ),
    (
        "a ligature ready",
        rf"\b{LIGATURE}\b.{{0,25}}\b(?:ready|lista|tied|around\s+my\s+neck|door|closet|beam|ceiling)\b|\b(?:tied|tying|tie|bought|got)\s+(?:a\s+|my\s+|the\s+)?{LIGATURE}\b(?!\s+(?:for\s+the|to\s+the\s+(?:car|roof)))|\bnoose\b|\bneckrope\b",
    ),
    (
        "a blade ready",
        rf"\b{BLADE}\b.{{0,25}}\b(?:ready|to\s+my\s+(?:wrist|arm|throat|neck|skin)|in\s+my\s+hand|just\s+for\s+this)\b|\b(?:holding|hold)\s+(?:a\s+|the\s+|my\s+)?{BLADE}",
    ),
    (
        "at a height",
        rf"\b(?:im|i\s+am|standing|sitting|parked|lying|estoy)\s+(?:on|at|en)\s+(?:the\s+|a\s+|la\s+|el\s+)?(?:(?:top|edge|roof)\s+of\s+(?:the\s+|a\s+|my\s+)?{HEIGHT}|{EXPOSED})\b(?!\s+(?:club|level|parking))|\bedge\s+of\s+the\s+{HEIGHT}",
    ),
    (
        "jumping from a height",
        rf"(?<!who\s)(?<!he\s)(?<!she\s)(?<!they\s)\b(?:jump(?:ing)?|leap(?:ing)?|throw\s+myself|yeet\s+myself|tirarme|aventarme|lanzarme|saltar|me\s+(?:voy\s+a|quiero)\s+(?:aventar|tirar|lanzar))\s+(?:off|from|of|del?|desde)\s+(?:a\s+|the\s+|el\s+|la\s+|my\s+)?{HEIGHT}",
    ),
    (
        "thinking about jumping",
        rf"\b{INTENT}\s+(?:just\s+)?(?:jump|jumping|saltar)\b(?!\s+(?:in|into|on|back|ahead|start|rope|the\s+gun))|\btried\s+to\s+jump\b",
    ),
    (
        "in front of a vehicle",
        rf"\b(?:walk|step|jump|run|throw\s+myself|lie\s+down|lay\s+down|walking|stepping|tirarme|aventarme)\s+(?:out\s+)?(?:in\s+front\s+of|into|onto|on|in|a|al?|a\s+las)\s+(?:a\s+|the\s+|oncoming\s+|las\s+)?{VEHICLE}\b",
    ),
    (
        "driving to crash",
        r"\b(?:drive|driving|crash|crashing|swerve|swerving|steer|wreck|estrellar)\s+(?:my\s+|the\s+|el\s+)?(?:car\s+|carro\s+)?(?:into|off|el\s+carro|el\s+coche|my\s+car)\b(?!\s+(?:the\s+)?(?:parking|garage\s+to\s+park|town|work|the\s+shop))",
    ),
    (
        "going to the tracks",
        r"\b(?:train\s+)?tracks\s+tonight\b|\b(?:going|go|went)\s+to\s+the\s+(?:train\s+)?tracks\b|\bvias\s+del\s+tren\b",
    ),
    ("car exhaust", r"\bengine\s+running\b.{0,25}\bgarage\b|\bgarage\b.{0,25}\bengine\s+running\b"),
    (
        "lethal method researched",
        r"\b(?:looked\s+up|googled|googling|researching|research|searched|searching|reading\s+about)\b.{0,40}\b(?:lethal|ways\s+to\s+die|how\s+to\s+(?:die|kill)|overdose|how\s+many\s+pills|painless)\b|\blethal\s+dose\b|\bways\s+to\s+(?:die|kill\s+myself)\b",
    ),
    (
        "pills stockpiled",
        rf"\b(?:saving|saved|stockpil\w*|hoard\w*|collecting|stashing|stashed|guardando|juntando|juntadas)\s+(?:up\s+)?(?:my\s+|all\s+my\s+|las\s+|mis\s+)?{MEDS}\b|\benough\s+{MEDS}\b|\b{MEDS}\s+(?:lined\s+up|juntadas|saved)\b|\bpastillas\s+juntadas\b",
    ),
    (
        "a plan made",
        r"\b(?:i\s+have|ive\s+got|i\s+got|made|making|tengo)\s+(?:a|un|the)\s+plan\b(?!\s+(?:b\b|for\s+(?:the|my)\s+(?:week|trip|ride|appointment|session|payment)))(?![\W_]*(?:to\s+(?:finally\s+)?|para\s+|:\s*)?(?:clean|sleep|dormir|eat|comer|go\s+to|ir\s+a|watch|ver|binge|nap|rest|relax|study|cook|buy|shop|garden|limpiar|descansar|pay|save|quit\s+(?:smoking|vaping|drinking)|lose\s+weight|get\s+(?:fit|healthy|better)|travel|viajar))|\bplan\s+(?:to|para)\s+(?:kill|end|die|matarme|morir)\b",
    ),
    ("a date chosen", r"\b(?:picked|chose|chosen|set|decided\s+on)\s+(?:the|a)\s+(?:date|day)\b(?!\s+for)"),
    (
        "a method decided",
        r"\b(?:know|knew|decided)\s+how\s+(?:i\s*d|i\s+would|i\s+will|ill|to)\s+do\s+it\b|\bhow\s+i\s+would\s+do\s+it\b|\beverything\s+i\s+need\s+to\s+(?:end|do\s+it|die)\b",
    ),
)

OVERDOSE = _rules(
    "overdose",
    (
        "overdose intended",
        rf"\b(?:{INTENT}|i)\s+(?:an?\s+)?(?:overdos\w*|od|oding|sobredosis)\b|\bsobredosis\b|\bod\s+tonight\b|\bgonna\s+od\b",
    ),
    (
        "all the pills at once, intended",
        rf"\b{INTENT}\s+(?:just\s+)?(?:take|taking|swallow|swallowing|down|tomarme|tragarme|tomar)\s+{ALL_OF}\b.{{0,30}}\b{MEDS}\b",
    ),
    (
        "whole bottle",
        r"\b(?:take|taking|swallow|tomarme|tomar)\s+(?:the|a|todo\s+el)\s+(?:whole|entire)?\s*(?:bottle|frasco)\b|\btodo\s+el\s+frasco\b",
    ),
    (
        "everything at once",
        r"\b(?:take|taking|tomar)\s+(?:all\s+(?:of\s+)?(?:my\s+|the\s+)?\w+|everything(?:\s+i\s+have)?)\s+(?:at\s+once|at\s+the\s+same\s+time)\b|\btake\s+everything\s+i\s+have\b",
    ),
    (
        "lethal amount asked",
        rf"\b(?:lethal|fatal|enough\s+to\s+(?:die|kill)|would\s+(?:it\s+)?(?:kill|take\s+to)|to\s+(?:not\s+wake\s+up|die)|kill\s+(?:me|someone|a\s+person)|para\s+morir|para\s+no\s+despertar)\b"
        rf"(?=.*\b(?:{MEDS}|how\s+many|how\s+much|cuantas)\b)|\b(?:how\s+many|how\s+much|cuantas)\b.{{0,40}}\b(?:lethal|kill|die|not\s+wake\s+up|morir)\b",
    ),
    (
        "would the pills kill",
        rf"\b(?:would|will|could|does|is)\s+(?:a|an|the|all|\d+)\b[^.?!]{{0,40}}\b{MEDS}\b[^.?!]{{0,20}}\b(?:kill\s+(?:me|someone|you|a\s+person)|enough\s+to\s+(?:die|kill))\b",
    ),
    ("staring at the pills", rf"\b(?:staring|looking|stare|look)\s+at\s+(?:my|the|all\s+my)\s+(?:pill\s+)?{MEDS}\b"),
    ("all the pills", r"\b(?:todas\s+(?:las|mis)\s+pastillas)\b(?!\s+(?:hoy|esta\s+manana))"),
)

SAFETY = _rules(
    "safety",
    (
        "does not trust themself",
        r"\b(?:dont|do\s+not|cant|cannot|can\s+not|no)\s+(?:trust|confio\s+en)\s+(?:myself|mi|me)\b|\bno\s+confio\s+en\s+mi\b",
    ),
    (
        "does not feel safe",
        r"\b(?:not|dont\s+feel|do\s+not\s+feel|never\s+feel|dont\s+think\s+im|no\s+estoy|no\s+me\s+siento)\s+(?:feel\s+)?(?:safe|a\s+salvo|segur[ao])\b(?!\s+(?:to\s+drive|driving|in\s+(?:the|that)\s+(?:car|neighborhood|office|parking)))",
    ),
    (
        "cannot keep safe",
        r"\b(?:cant|cannot|can\s+not|unable\s+to|not\s+sure\s+i\s+can|dont\s+think\s+i\s+can|wont\s+be\s+able\s+to)\s+(?:keep|stay|promise)\b.{0,20}\bsafe\b|\bcant\s+promise\b.{0,25}\bsafe\b",
    ),
    (
        "afraid of what they might do",
        r"\b(?:scared|afraid|terrified|frightened|miedo|temo)\s+(?:of\s+|de\s+)?(?:what\s+i\s+(?:might|could|will|would|may)\s+do|myself|hurting\s+myself|ill\s+hurt|im\s+going\s+to\s+hurt|i\s+wont\s+stop|hacerme\s+dano)",
    ),
    (
        "something drastic",
        r"\bdo\s+something\s+(?:stupid|bad|drastic|dumb|i\s+(?:regret|cant\s+take\s+back))\b(?!\s+(?:at\s+work|with\s+my\s+money))|\bdo\s+something\s+to\s+myself\b|\bsomething\s+bad\s+to\s+myself\b",
    ),
    (
        "asks for means to be taken away",
        rf"\b(?:take|keep|hold|lock)\s+(?:onto\s+)?(?:my\s+)?(?:{MEDS}|{GUN}|{BLADE})\s+(?:away|from\s+me|for\s+me)\b|\bhold\s+onto\s+my\s+{MEDS}",
    ),
    (
        "should not be alone",
        r"\b(?:shouldnt|should\s+not|cant|cannot)\s+be\s+(?:left\s+)?alone\s+(?:tonight|right\s+now|now)\b|\bcome\s+get\s+me\s+before\b",
    ),
    (
        "may not survive the night",
        r"\b(?:not\s+sure|dont\s+think|dont\s+know\s+if|might\s+not|may\s+not|wont|cant)\b.{0,12}\b(?:make\s+it|survive|get)\s+through\s+(?:the\s+night|tonight|this\s+night)\b|\b(?:might|may|wont)\s+not\s+be\s+(?:here|alive|around)\s+(?:tomorrow|much\s+longer|by)\b|\bmight\s+not\s+be\s+(?:here|around|alive)\b|\b(?:wont|not\s+gonna|not\s+going\s+to)\s+be\s+(?:around|here|alive)\s+(?:much\s+)?longer\b|\baguantar\s+esta\s+noche\b",
    ),
    ("not around much longer", r"\bbe\s+(?:around|alive|here)\s+(?:much|very)\s+longer\b"),
    ("losing control", r"\blosing\s+control\b|\b(?:wont|cant|couldnt)\s+stop\s+myself\b"),
    (
        "urgent call for help",
        r"\b(?:i\s+)?need\s+help\s+(?:right\s+)?now\b|\bhelp\s+me\s+please\b|\bplease\s+help\s+me\b",
    ),
)

FAREWELL = _rules(
    "farewell",
    (
        "goodbye for good",
        r"\b(?:good\s*bye|bye|adios|farewell)\s+(?:to\s+)?(?:everyone|everybody|all|forever|for\s+good|world|para\s+siempre|a\s+todos)\b|\bthis\s+is\s+(?:my\s+)?(?:final\s+)?goodbye\b|\bfinal\s+goodbye\b|\bso\s+long\s+everyone\b",
    ),
    (
        "saying goodbye",
        r"\b(?:say(?:ing)?|wanted\s+to\s+say)\s+(?:my\s+)?goodbyes?\b(?!\s+to\b)|\bmy\s+goodbyes\b|\bmi\s+despedida\b",
    ),
    (
        "last message",
        r"\b(?:this\s+is\s+my|my|el\s+ultimo|mi\s+ultimo)\s+(?:last|final|ultimo)\s+(?:message|text|words|mensaje)\b|\blast\s+text\b(?=.{0,5}\blove\b)",
    ),
    (
        "will not be heard from again",
        r"\b(?:wont|will\s+not|never)\s+(?:hear\s+from|see)\s+me\s+(?:again|anymore)\b|\bno\s+me\s+van\s+a\s+volver\s+a\s+ver\b|\bya\s+no\s+me\s+(?:van\s+a\s+)?ver\w*\b",
    ),
    (
        "will not be around or needing care",
        r"\bwont\s+be\s+(?:needing|coming\s+back|around\s+for|here\s+for)\b|\bwont\s+need\s+(?:them|these|it|anything)\s+(?:anymore|any\s+more)\b",
    ),
    (
        "a note or letters left",
        r"\b(?:wrote|written|writing|left|leaving|dejé|deje|escribi)\s+(?:a\s+|my\s+|una\s+|mi\s+|la\s+|las\s+)?(?:suicide\s+)?(?:note|letters?|carta|cartas|nota)\b(?!\s+(?:from\s+(?:my|the)\s+doctor|for\s+(?:my\s+)?(?:employer|work|school|insurance)))",
    ),
    (
        "possessions given away",
        r"\b(?:giving|gave|give)\s+(?:away\s+)?(?:all\s+)?my\s+(?:stuff|things|belongings|possessions)\b|\bgave\b.{0,20}\b(?:things|stuff)\s+away\b|\bregale\s+mis\s+cosas\b|\bmade\s+my\s+will\b",
    ),
    (
        "after I am gone",
        r"\b(?:after|when|once)\s+im\s+gone\b|\bby\s+the\s+time\s+you\s+read\s+this\b|\bbefore\s+i\s+go\s+for\s+good\b",
    ),
    (
        "parting words",
        r"\bit\s+(?:wasnt|was\s+not|is\s+not|isnt)\s+your\s+fault\b|\bthank\s+you\s+for\s+trying\b|\bsorry\s+for\s+everything\b|\bperdon\s+por\s+todo\b|\btell\s+(?:\w+\s+){1,3}(?:i\s+love\s+(?:her|him|them|you)|im\s+sorry)\s*[.!]*$|\bremember\s+me\b|\blove\s+you\s+all\b",
    ),
    ("closing words", r"\btake\s+care\s+of\s+yourselves\b|\bgoodbye\b.{0,20}\bthank\s+you\b"),
)

EXPLICIT = _rules(
    "explicit_ideation",
    ("suicide named", r"\bs+u+[iy]*[cs]+[iy]*d(?!e\s+prevention\s+(?:training|course|class))|\bsewer\s*slide|\bsuicid"),
    (
        "kill oneself",
        r"\b(?:kil+(?:ing|ed|s)?|off(?:ing)?|unaliv\w*)\s+myself\b|(?<!\d\s)(?<!\d)\bkms\b|\bunaliv\w*|\bself\s*-?\s*delet\w*|\bctb\b|\bcatch\s+the\s+bus\b(?=.*\b(?:done|wanna|want|ready)\b)",
    ),
    (
        "end one's life",
        r"\b(?:end(?:ing)?|take|taking|taken)\s+(?:it\s+all|my\s+(?:own\s+)?life|everything|things|my\s+life)\b(?!\s+back)",
    ),
    (
        "end it, intended",
        rf"\b(?:{INTENT}|im|i\s+am|close\s+to|feel\s+like)\s+(?:just\s+)?end(?:ing)?\s+(?:it|things|this)\b(?!\s+(?:with|early|at|here|now\s+and|for\s+today|there))|\bend\s+it\s+tonight\b",
    ),
    (
        "wants to die",
        r"\b(?:want(?:ed|s|ing)?|wanna|wish|ready|deserve|urge\s+to|feel\s+like|thoughts\s+of|thinking\s+(?:of|about)|think\s+about)\s+(?:to\s+|2\s+)?(?:just\s+)?(?:d+i+e+|dying|be\s+dead|death)\b",
    ),
    ("thinks about dying", r"\bthink\s+about\s+dying\b|\bthoughts\s+(?:of|about)\s+(?:dying|death|killing)\b"),
    (
        "wants life to be over",
        r"\bwant\s+(?:my\s+life|it\s+all|everything)\s+to\s+(?:be\s+over|end|stop)\b|\bwant\s+to\s+stop\s+(?:living|existing)\b",
    ),
    (
        "Spanish: wants to die or kill oneself",
        r"\b(?:quiero|quisiera|queria|quise|ganas\s+de|voy\s+a|pienso\s+en|pensaba\s+en|pensando\s+en|he\s+pensado\s+en|me\s+quiero|me\s+queria|me\s+voy\s+a)\s+(?:morir\w*|matar\w*(?!\s+a\s+(?!mi\s+mism))|suicid\w*|quitar(?:me)?\s+la\s+vida|estar\s+muert[ao]|dejar\s+de\s+vivir)",
    ),
    (
        "Spanish: take one's life, end it all",
        r"\bquitarme\s+la\s+vida\b|\bacabar\s+con\s+(?:todo|mi\s+vida|esto)\b|\bno\s+quiero\s+vivir\b|\bya\s+no\s+quiero\s+vivir\b|\bmatarme\b",
    ),
)

SELF_HARM_RELAPSE = _rules(
    "self_harm_relapse",
    (
        "self-harm relapse",
        r"\brelaps\w*\b.{0,40}\b(?:cut|cutting|self\s*harm|sh|hurt\w*|burn\w*|blade|razor)\b|\b(?:cut|cutting|self\s*harm|sh)\b.{0,30}\brelaps\w*",
    ),
    (
        "cutting again",
        r"\b(?:cut|cutting|hurt\w*\s+myself|burn\w*\s+myself|harm\w*\s+myself|self\s*harm\w*)\s+again\b|\bstarted\s+(?:cutting|hurting\s+myself|burning\s+myself)\s+again\b",
    ),
    (
        "back to self-harm",
        r"\b(?:back\s+to|went\s+back\s+to|going\s+back\s+to)\s+(?:cutting|hurting\s+myself|burning\s+myself|self\s*harm\w*)|\bcutting\s+is\s+back\b|\b(?:broke|lost)\s+my\s+(?:streak|clean)\b.{0,20}\bcut",
    ),
    ("blade picked up again", rf"\bpicked\s+up\s+the\s+{BLADE}\s+again\b|\bold\s+habits\s+with\s+the\s+{BLADE}"),
    (
        "Spanish: self-harm again",
        r"\bvolvi\s+a\s+(?:cortarme|lastimarme|hacerme\s+dano|quemarme)\b|\breca\w*\b.{0,20}\bcort\w*|\bhaciendo\s+dano\s+otra\s+vez\b",
    ),
)

SELF_HARM = _rules(
    "self_harm",
    (
        "self-harm named",
        r"\bself\s*-?\s*(?:harm|injur|mutilat)\w*|\bs/h\b|\bsh\s*d\b|\b(?:urge|urges|relapse\w*|with|on)\s+sh\b",
    ),
    (
        "hurting oneself",
        r"\b(?:cut|cutting|cuts|burn|burned|burnt|burning|hit|hitting|hurt|hurting|harm|harming|punch|punching|scratch\w*|carve\w*|starv\w*|stab\w*|poison\w*|hang|hanging|hanged|drown\w*|shoot|shooting|slit\w*)\s+(?:myself|my\s+(?:arms?|legs?|thighs?|wrists?|skin|stomach|body))\b(?!\s+(?:some\s+slack|slack|a\s+(?:slice|piece|break)|off\s+from))",
    ),
    (
        "cutting",
        r"\b(?:been|started|keep|kept|back\s+to|gonna|going\s+to|want(?:ed)?\s+to|wanna|urge\s+to|need\s+to|so\s+i|ive\s+been|im)\s+(?:wanting\s+to\s+)?cut(?:ting)?\b(?!\s+(?:myself\s+(?:some\s+)?slack|my\s+(?:hair|finger|nails?|hand|losses|hours)|the|it|down|back|out|off|class|ties|in|some|me|costs?|carbs|sugar|that|coffee|my\s+(?:dose|meds)))|\bcut\s+(?:tonight|last\s+night|deep)\b",
    ),
    (
        "hurt on purpose",
        r"\b(?:hurt|hit|burn\w*|cut|bang\w*|punch\w*|broke|scratch\w*|lastime|queme|corte|golpee)\b.{0,40}\b(?:on\s+purpose|a\s+proposito)\b",
    ),
    ("self-harm in the past, named", r"\bused\s+to\s+(?:cut|self\s*harm|hurt\s+myself|burn\s+myself)\b"),
    (
        "wants to hurt oneself",
        r"\b(?:want|wanna|urge|urges|feel\s+like|going|gonna|need)\s+(?:to\s+)?(?:hurt|harm|punish|cut)(?:ing)?\s+(?:myself)\b",
    ),
    (
        "wounds kept open or made to bleed",
        r"\b(?:till|until)\s+(?:they|it|i)\s+bleeds?\b|\bmake\s+myself\s+bleed\b|\bpicking\s+at\s+my\s+cuts\b|\bcarved\s+into\s+my\b",
    ),
    (
        "Spanish: self-harm",
        r"\bme\s+(?:quiero|voy\s+a|dan\s+ganas\s+de)\s+(?:hacer\s+dano|lastimar|quemar|cortar\b(?!\s+(?:el|la|las|los|un|una)\b))|\bme\s+voy\s+a\s+cortar\b(?!\s+(?:el|la|las|los|un|una)\b)|\bcortarme\b(?!\s+(?:el|la|las|los)\b)|\bme\s+corte\b(?!\s+(?:el|la|con\s+(?:el|un)\s+(?:cuchillo|papel))\b)|\bhacerme\s+dano\b|\blastimarme\b",
    ),
)

PASSIVE_WISH = _rules(
    "passive_wish",
    (
        "wish not to wake up",
        r"\bno\s+quiero\s+despertar\w*|\b(?:not|never|dont|wont|wouldnt|no)\s+(?:to\s+)?(?:wake|waking|despertar\w*|desperta\w*)\b(?!\s+(?:up\s+)?(?:early|on\s+time|the\s+(?:baby|kids)|in\s+time))|\bsleep\s+(?:forever|and\s+never|and\s+not)\b|\basleep\s+forever\b|\bdie\s+in\s+my\s+sleep\b|\bdied\s+in\s+my\s+sleep\b",
    ),
    (
        "wish to be dead",
        r"\b(?:wish|hope|hoping|pray|praying|ojala)\b(?!\s+(?:you|he|she|they|it|him|her|them)\b).{0,25}\b(?:kills\s+me|dead|muert[ao]|not\s+alive|wasnt\s+alive|never\s+(?:been\s+)?born|no\s+hubiera\s+nacido|didnt\s+exist|die|died|me\s+muera|crash\w*|hit\s+me|takes?\s+me|kill\s+me|get\s+hit)\b",
    ),
    (
        "does not want to exist",
        r"\b(?:dont|do\s+not|no|not|never)\s+(?:want|wanna|quiero)\s+(?:to\s+)?(?:exist|existir|be\s+alive|be\s+here|live|wake\s+up|seguir\s+aqui|seguir\s+viviendo|go\s+on)\b|\b(?:stop|not)\s+existing\b|\bno\s+existir\b|\bdont\s+(?:see\s+why\s+i\s+should|want\s+to)\s+stay\s+alive\b",
    ),
    (
        "rather be dead",
        r"\brather\s+be\s+dead\b|\brather\s+not\s+(?:exist|be\s+alive)\b|\bbetter\s+off\s+dead\b|\bbe\s+gone\b(?=.{0,10}$)|\bwant\s+to\s+be\s+gone\b",
    ),
    (
        "indifferent to living",
        r"\bdont\s+care\s+if\s+i\s+(?:live|die)\b|\bme\s+da\s+igual\s+(?:vivir|morir)\b|\bwouldnt\s+mind\s+(?:if\s+i\s+)?(?:died|dying|not\s+waking)\b|\bif\s+i\s+died\b.{0,30}\b(?:fine|ok|okay|better|relief)\b",
    ),
    (
        "better not alive",
        r"\b(?:easier|better)\s+(?:to\s+not\s+be|not\s+to\s+be|if\s+i\s+(?:just\s+)?(?:wasnt|werent|was\s+not)|if\s+i\s+(?:just\s+)?didnt)\b|\bnot\s+be\s+alive\b",
    ),
    ("disappear for good", r"\bdisappear\w*\s+(?:forever|for\s+good|and\s+never)\b|\bdesaparecer\b"),
    ("with the dead", r"\bbe\s+with\s+(?:my\s+)?\w+\s+in\s+heaven\b|\bjoin\s+(?:my\s+)?\w+\s+in\s+heaven\b"),
    (
        "does not want to live like this",
        r"\b(?:dont|do\s+not)\s+(?:want|wanna)\s+(?:to\s+)?live\s+like\s+this\b|\bwant\s+everything\s+to\s+stop\b",
    ),
)

BURDEN = _rules(
    "burden",
    (
        "better off without them",
        r"\b(?:better|easier|happier|fine|mejor)\s+(?:off\s+)?(?:without\s+me|sin\s+mi)\b|\bbetter\s+off\s+if\s+i\b|\b(?:happier|better|easier)\s+if\s+i\s+(?:was|were|wasnt|werent)\s+(?:gone|not\s+here|dead)\b|\bthey\s*d\s+be\s+better\s+off\b|\b(?:life|lives)\s+would\s+be\s+easier\s+without\s+me\b",
    ),
    ("a burden", r"\b(?:a|such\s+a|just\s+a|nothing\s+but\s+a|una)\s+(?:burden|carga)\b|\bburden\s+(?:to|on|for)\b"),
    (
        "would not be missed",
        r"\b(?:nobody|no\s+one|noone|no\s+body|nadie)\s+(?:would|will|me)\s+(?:even\s+)?(?:notice|care|miss\s+me|extranaria|importaria)\b|\bnadie\s+me\s+extranaria\b|\ba\s+nadie\s+le\s+importaria\b",
    ),
    (
        "worthless",
        r"\bwaste\s+of\s+(?:space|air|oxygen|life)\b|\b(?:relieved|happier)\s+if\s+i\s+(?:died|was\s+gone|disappeared)\b|\bdrag\s+everyone\s+down\b|\bdeserve\s+better\s+than\s+me\b",
    ),
)

HOPELESSNESS = _rules(
    "hopelessness",
    (
        "no way out",
        r"\bno\s+way\s+out\b|\bno\s+hay\s+salida\b|\bcant\s+see\s+(?:a|any)\s+way\s+(?:forward|out)\b|\btrapped\b.{0,20}\bno\s+way\b",
    ),
    (
        "cannot go on",
        r"\b(?:cant|can\s+not|cannot|no\s+longer)\s+(?:do\s+this|take\s+(?:it|this)|go\s+on|keep\s+going|keep\s+living|keep\s+doing\s+this|handle\s+(?:it|this|life))\b(?!\s+(?:tuesday|monday|wednesday|thursday|friday|today|tomorrow|on\s+\w+day))|\bcant\s+go\s+on\s*(?:anymore|any\s+more|like\s+this|living|[.!]*$)",
    ),
    (
        "giving up",
        r"\bgive\s+up\s+on\s+(?:everything|life|living|myself)\b|\bi\s+(?:just\s+)?give\s+up\b(?!\s+on\b)|\bme\s+rendi\b",
    ),
    (
        "no hope, no future",
        r"\bnothing\s+(?:will|is\s+going\s+to)\s+(?:ever\s+)?(?:get|be)\s+better\b|\bno\s+(?:hope|future)\s+(?:left|for\s+me)\b|\bno\s+hope\s+left\b|\bsee\s+no\s+(?:future|way|point)\b|(?<!dont\sfeel\s)(?<!not\s)\bhopeless\b(?!\s+(?:about|at|with|anymore))|\bno\s+future\s+for\s+me\b",
    ),
    (
        "no point in living",
        r"\b(?:no|dont\s+see\s+the|whats\s+the|what\s+is\s+the|theres\s+no)\s+point\s+(?:in|of|to)?\s*(?:living|going\s+on|anything|anymore|life|being\s+alive|trying)\b|\bno\s+point\s+anymore\b",
    ),
    (
        "nothing to live for",
        r"\bnothing\s+(?:left\s+)?to\s+live\s+for\b|\bno\s+reason\s+to\s+(?:live|keep\s+going|go\s+on|be\s+alive)\b|\brazon\w*\s+para\s+vivir\b|\bsentido\s+(?:a\s+la\s+vida|seguir|vivir)\b",
    ),
    (
        "life not worth living",
        r"\b(?:not|isnt|aint|no\s+longer)\s+worth\s+(?:living|it\s+anymore)\b|\bno\s+vale\s+la\s+pena\s+vivir\b",
    ),
    ("end of the rope", r"\bend\s+of\s+my\s+rope\b"),
    (
        "tired of living",
        r"\b(?:tired|sick|done)\s+(?:of|with)\s+(?:living|life|being\s+alive|existing|fighting)\b|\bcansad[ao]\s+de\s+vivir\b|\bdone\s+with\s+life\b",
    ),
    (
        "Spanish: cannot take any more",
        r"\bya\s+no\s+(?:aguanto|puedo)\s+(?:mas|esta\s+vida)\b|\bya\s+no\s+(?:aguanto|puedo)\s*[.!]*$|\bno\s+puedo\s+mas\b",
    ),
)

# --- phrasings found by probing with texts written apart from the corpus ---------------------------------
ACT_TAKEN += _rules(
    "act_taken",
    (
        "the pills, all of them",
        rf"\b(?:took|taken|swallowed|downed)\s+(?:the|my)\s+{MEDS}\b.{{0,15}}\ball\s+of\s+them\b|\b(?:already|just)\s+(?:took|taken|swallowed|downed)\s+(?:the|all\s+the|all\s+my)\s+{MEDS}\b",
    ),
    (
        "Spanish: many pills taken",
        r"\b(?:tome|trague)\s+(?:un\s+monton|muchas|todas|un\s+punado|un\s+frasco|una\s+caja|[1-9]\d+)\b.{0,20}\b(?:pastillas|pildoras|medicinas|tabletas)\b(?!\s+(?:hoy|esta\s+manana|como\s+siempre))",
    ),
    ("overdose just taken", r"\b(?:just|already)\s+overdosed\b|\boverdosed\s+on\s+my\b"),
)
MEANS_PLAN += _rules(
    "means_plan",
    ("access to a gun", rf"\b{GUN}\b.{{0,40}}\b(?:i\s+know\s+where|the\s+key|combination|bullets|ammo)\b"),
    (
        "went to a height",
        r"\b(?:drove|walked|went|came|going|driving|walking|headed|heading)\s+(?:up\s+)?to\s+the\s+(?:bridge|roof|cliff|ledge|tracks|overpass|rooftop)\b(?!\s+club)",
    ),
    ("Spanish: a rope", r"\b(?:tengo|compre|consegui)\s+(?:una\s+|la\s+)?(?:soga|cuerda)\b"),
)
SAFETY += _rules(
    "safety",
    ("asks not to be left alone", r"\b(?:dont|do\s+not)\s+let\s+me\s+be\s+alone\b"),
    (
        "asks for means to be locked away",
        r"\b(?:lock|hide)\s+(?:up\s+)?(?:my|the)\s+(?:pills|meds|medications?|gun|guns|knives|razors?)\b",
    ),
)
FAREWELL += _rules(
    "farewell",
    (
        "love and goodbye",
        r"\blove\s+(?:you|them)\b.{0,30}\bgood\s*bye\b|\b(?:im\s+done|im\s+sorry|this\s+is\s+it)\W+(?:good\s*bye|bye)\b",
    ),
    ("the end for me", r"\bthis\s+is\s+the\s+end\s+(?:for|of)\s+me\b|\bme\s+despido\b"),
)
EXPLICIT += _rules("explicit_ideation", ("Spanish: better dead", r"\bmejor\s+me\s+muero\b|\bmejor\s+muert[ao]\b"))
SELF_HARM_RELAPSE += _rules("self_harm_relapse", ("Spanish: cutting again", r"\bcort\w*\s+otra\s+vez\b"))
PASSIVE_WISH += _rules(
    "passive_wish",
    (
        "wants to be hit",
        r"\b(?:want|wanna|wish|hope|hoping)\s+(?:to\s+|i\s+)?(?:get|be|got)\s+(?:hit|run\s+over)\s+by\b",
    ),
    (
        "easier if dead",
        r"\b(?:easier|better)\s+if\s+i\s+(?:just\s+)?(?:died|was\s+dead|were\s+dead|disappeared|wasnt\s+here)\b",
    ),
    ("Spanish: does not want to be here", r"\bno\s+quiero\s+estar\s+(?:aqui|viv[oa])\b"),
)
BURDEN += _rules("burden", ("Spanish: nobody will miss me", r"\bnadie\s+(?:me\s+)?(?:va\s+a\s+)?extran\w*"))
HOPELESSNESS += _rules(
    "hopelessness",
    (
        "no reason to live",
        r"\b(?:dont|do\s+not|cant)\s+see\s+(?:a|any)\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go\s+on|going\s+on|being\s+alive)\b|\bno\s+tiene\s+(?:caso|sentido)\s+(?:vivir|seguir)\b",
    ),
    (
        "life is pointless",
        r"\b(?:my\s+)?life\s+is\s+(?:pointless|meaningless|worthless|over)\b|\bnothing\s+left\s+for\s+me\b",
    ),
)

MEANS_PLAN += _rules(
    "means_plan",
    (
        "a car driven off the road",
        r"\b(?:run|drive|driving|crash|steer|roll)\s+(?:my\s+)?car\s+off\s+(?:the\s+|a\s+)?(?:road|bridge|cliff|highway)\b",
    ),
)
SAFETY += _rules(
    "safety",
    (
        "asks for means to be removed",
        r"\b(?:take|get|remove)\s+(?:the|my|all\s+the|all\s+my)\s+(?:knives|pills|meds|guns?|razors?|blades?)\s+(?:out|away)\b",
    ),
)
FAREWELL += _rules(
    "farewell",
    (
        "affairs put in order",
        r"\b(?:affairs|things)\s+in\s+order\b(?!\s+for\s+(?:the|my)\s+(?:trip|move|appointment))|\bmy\s+(?:own\s+)?funeral\b",
    ),
)
EXPLICIT += _rules(
    "explicit_ideation",
    ("wants it over", r"\bwant\s+(?:it|this|it\s+all)\s+(?:all\s+)?to\s+(?:be\s+over|end)\s*[.!]*$"),
)
SELF_HARM_RELAPSE += _rules("self_harm_relapse", ("Spanish: hurt again", r"\b(?:lastim|quem|golpe)\w*\s+otra\s+vez\b"))
BURDEN += _rules("burden", ("dead weight", r"\bdead\s+weight\b|\bun\s+estorbo\b"))
HOPELESSNESS += _rules(
    "hopelessness", ("Spanish: cannot with this life", r"\bya\s+no\s+puedo\s+con\s+(?:esta|la|mi)\s+vida\b")
)

# --- preparation, method research, and a future without oneself ------------------------------------------
# Warning signs that name no death word: looking up a method, putting affairs in order, giving away what one
# loves, arranging to be found, not planning to be there for what comes next (988 warning signs; C-SSRS
# preparatory behaviour). Each names the class of act, not a sentence; an ordinary reason in the same text
# (a move, a new baby, a diagnosis) sets the possessions and will rules aside.
MEANS_WORD = (
    rf"(?:{MEDS}|ketamine|troches?|{GUN}|{LIGATURE}|{BLADE}|bridge|roof|ledge|tracks|platform|garage|car\s+running|"
    r"engine\s+running|bag\s+over)"
)
MEANS_PLAN += _rules(
    "means_plan",
    (
        "how much it takes, looked up",
        rf"\bhow\s+(?:much|many)\b[^.?!]{{0,40}}\b(?:{MEDS}|ketamine)\b[^.?!]{{0,30}}\b(?:it\s+takes|does\s+it\s+take|would\s+it\s+take|"
        rf"would\s+take|it\s+would\s+take|to\s+(?:die|kill|od|overdose|wreck|destroy|not\s+wake|stop\s+(?:my|your)\s+heart))\b"
        rf"|\bhow\s+(?:much|many)\s+(?:would|does)\s+it\s+take\b(?=.*\b(?:od|overdose|die|lethal|{MEDS})\b)",
    ),
    (
        "how long a method takes",
        r"\bhow\s+long\s+(?:does\s+it|would\s+it|will\s+it|until|till|til|before|it\s+takes)\b[^.?!]{0,40}\b(?:pass\s+out|bleed\s+out|"
        r"die|suffocate|drown|lose\s+consciousness|stop\s+breathing|carbon\s+monoxide|it\s+s?\s*over|for\s+(?:the\s+)?(?:pills|meds)\s+to\s+work)\b",
    ),
    (
        "can one overdose on it",
        r"\bcan\s+(?:you|u|someone|somebody|a\s+person|people|i)\s+(?:od|overdose|die)\s+(?:on|from)\b(?=.*\b(?:how\s+much|how\s+many|enough|would\s+it\s+take|really|for\s+real|asking)\b)",
    ),
    (
        "Spanish: lethal dose asked",
        rf"\bdosis\s+(?:letal|mortal)\b|\bcantidad\s+(?:letal|mortal)\b|\bcuant[ao]s\b[^.?!]{{0,30}}\b{MEDS}\b[^.?!]{{0,30}}\b(?:hacen\s+falta|se\s+necesitan|necesito|para\s+(?:morir|no\s+despertar|matar))\b",
    ),
    (
        "suffocation means",
        r"\bbag\s+over\s+(?:my|your|his|her|the)\s+head\b|\bhelium\s+tank\b|\bcharcoal\b.{0,30}\b(?:room|car|bathroom|closed)\b|\bcarbon\s+monoxide\b(?=.*\b(?:car|garage|myself|how)\b)",
    ),
    (
        "engine running in a closed garage",
        r"\b(?:car|engine|motor)\s+(?:is\s+)?running\b.{0,40}\bgarage\b|\bgarage\b.{0,40}\b(?:car|engine|motor)\s+(?:is\s+)?running\b",
    ),
    (
        "an attempt stopped short",
        rf"^(?=.*\b{MEANS_WORD}\b).*\b(?:chickened\s+out|backed\s+out|couldnt\s+go\s+through\s+with\s+it|almost\s+(?:did\s+it|went\s+through|jumped|let\s+go)|"
        r"talked\s+myself\s+(?:down|out\s+of\s+it)|stepped\s+back|next\s+time\s+i\s+(?:might|wont)\s+(?:not\s+)?(?:stop|step\s+back|chicken\s+out))\b",
    ),
    (
        "asks for weapons or pills to be taken",
        r"\b(?:need\s+(?:someone|somebody|you|u)\s+to|can\s+(?:someone|somebody|you|u)|could\s+(?:someone|somebody|you|u)|please)\s+(?:come\s+)?"
        r"(?:take|hold|keep|lock\s+up|hide|get\s+rid\s+of|remove)\s+(?:my|the|all\s+my|all\s+the)\s+(?:guns?|rifles?|firearms?|pistol|knives|razors?|blades?|pills|meds)\b",
    ),
    (
        "means kept close, just in case",
        rf"\b(?:{GUN}|{LIGATURE}|{BLADE}|pills|meds|veneno|poison)\b.{{0,50}}\b(?:just\s+in\s+case|por\s+si\s+acaso|por\s+si\s+las\s+dudas)\b"
        rf"|\b(?:just\s+in\s+case|por\s+si\s+acaso)\b.{{0,50}}\b(?:{GUN}|{LIGATURE}|{BLADE}|pills|veneno|poison)\b"
        rf"|\b{GUN}\b.{{0,20}}\b(?:in\s+my\s+(?:nightstand|lap|hand|pocket|purse)|under\s+my\s+pillow|next\s+to\s+me|by\s+my\s+bed|on\s+my\s+bed)\b",
    ),
    (
        "arranged to be found",
        r"\bif\s+i\s+(?:dont|do\s+not|cant)\s+(?:answer|respond|reply|text\s+back|pick\s+up|show\s+up)\b.{0,40}\b(?:send|call|check|come)\b"
        r"|\bsi\s+no\s+(?:contesto|respondo|aparezco)\b.{0,40}\b(?:manden|llamen|envien|vengan|mandan)\b"
        r"|\b(?:door|doors)\s+(?:is\s+|s\s+|are\s+|will\s+be\s+)?(?:unlocked|open)\b.{0,40}\b(?:send|someone|find|police|911)\b|\bkey\s+(?:is\s+)?under\s+the\s+mat\b",
    ),
    (
        "poison bought",
        r"\b(?:compre|consegui|bought|got|ordered)\s+(?:some\s+|un\s+|una\s+)?(?:veneno|rat\s+poison|poison|cianuro|cyanide|antifreeze)\b",
    ),
    (
        "Spanish: pills bought or gathered to end it",
        r"\b(?:compre|consegui|junte|tengo|guarde)\b.{0,40}\bpara\s+(?:terminar|acabar|ponerle\s+fin|dejar\s+de\s+sufrir|no\s+despertar|irme)\b",
    ),
)
FAREWELL += [
    *_rules(
        "farewell",
        (
            "cherished things or pets given away",
            r"\b(?:gave|giving|given|give|gave\s+away|regale|le\s+regale|regalando|le\s+di|deje)\s+(?:away\s+)?(?:all\s+)?(?:my|mi|mis)\s+(?:\w+\s+){0,2}?"
            r"(?:cat|dog|pets?|puppy|kitten|bird|parrot|hamster|rabbit|bunny|turtle|snake|lizard|horse|fish|loro|perico|conejo|tortuga|caballo|plants?|guitar|piano|bike|jewelry|rings?|watch|books|records|collection|perr[oa]|gat[oa]|"
            r"mascotas?|plantas?|guitarra|cosas|ropa|joyas|anillo)\b",
        ),
        (
            "affairs settled: will, passwords, who gets what",
            r"\b(?:updated|wrote|made|finished|signed|did)\s+(?:my\s+)?(?:will|testament)\b|\b(?:hice|termine|actualice)\s+(?:mi\s+)?testamento\b"
            r"|\b(?:wrote|writing|left|leaving|made)\s+(?:down\s+)?(?:a\s+list\s+of\s+)?(?:all\s+)?(?:my\s+|everyones\s+|the\s+)?(?:passwords|bank\s+(?:info|details)|account\s+(?:info|numbers))\b"
            r"|\bwho\s+gets\s+my\b|\bdeje\s+todo\s+(?:arreglado|listo|en\s+orden)\b|\btodo\s+(?:arreglado|en\s+orden)\s+para\b",
        ),
        (
            "what happens after my death, asked",
            r"\b(?:after|when|once|if)\s+i\s+(?:die|pass\s+away|am\s+dead|im\s+dead)\b|\bif\s+im\s+(?:not\s+around|gone|dead)\s*(?:anymore|any\s+more)\b"
            r"|\b(?:cuando|si)\s+(?:yo\s+)?(?:me\s+muera|muera|ya\s+no\s+este)\b",
        ),
        (
            "an apology and goodbye",
            r"\bsorry\s+for\s+(?:being|everything|all|putting|the\s+trouble|the\s+mess)\b.{0,60}\b(?:good\s*bye|bye)\b|\bsorry\s+for\s+the\s+mess\b",
        ),
        (
            "a note left",
            r"\bmy\s+(?:note|letter|letters)\s+(?:is|are)\s+(?:on|in|under)\b|\bya\s+escribi\s+(?:las|la|mis|una)\s+cartas?\b",
        ),
        (
            "said goodbye to everyone",
            r"\bya\s+me\s+despedi\b|\bme\s+despedi\s+de\s+todos\b|\bsaid\s+(?:my\s+)?goodbyes?\s+to\s+(?:everyone|everybody|all|my\s+\w+)\b",
        ),
        (
            "if something happens to me",
            r"\bif\s+(?:anything|something)\s+(?:happens|were\s+to\s+happen|should\s+happen)\s+to\s+me\b|\bsi\s+(?:me\s+pasa|algo\s+me\s+pasa|me\s+llega\s+a\s+pasar)\s+algo\b",
        ),
        (
            "Spanish: tell them I love them",
            r"\b(?:diganle|dile|digale|decile)s?\s+a\s+(?:mi|mis)\s+\w+\s+que\s+(?:l[oa]s?\s+)?(?:quiero|amo)\b",
        ),
    ),
]
SAFETY += _rules(
    "safety",
    (
        "no future with oneself in it",
        r"\b(?:not\s+planning\s+on|dont\s+plan\s+on|no\s+plans?\s+(?:on|of))\s+(?:being|be|still\s+being)\s+(?:here|around|alive)\b"
        r"|\b(?:dont|cant|do\s+not|cannot)\s+(?:see|picture|imagine)\s+myself\s+(?:alive|at\s+\d+|old|getting\s+old|in\s+(?:a|the|five|ten|\d+)\s+(?:years?|future)|"
        r"next\s+(?:year|week|month)|being\s+(?:here|around|alive)|making\s+it|there)\b"
        r"|\bno\s+(?:me\s+)?(?:imagino|veo)\s+(?:viv[oa]|aqui|llegando|en\s+(?:un|el)\s+(?:ano|futuro))\b"
        r"|\b(?:no\s+version\s+of\s+the\s+future|no\s+future)\s+(?:where|in\s+which|with)\s+(?:im|i\s+am|me)\b",
    ),
    (
        "a last holiday or birthday",
        r"\b(?:this\s+(?:is|will\s+be|s)\s+my|my)\s+last\s+(?:christmas|birthday|bday|thanksgiving|holiday|summer|new\s+year|easter|"
        r"mothers\s+day|fathers\s+day)\b(?!\s+(?:was|party\s+was))|\b(?:esta\s+(?:es|sera)\s+mi\s+ultima|mi\s+ultima)\s+(?:navidad|cumple\w*|noche|semana|ano)\b",
    ),
    (
        "appointments cancelled for good",
        r"\bcancel\w*\b.{0,40}\b(?:for\s+good|forever|permanently)\b|\bwont\s+need\s+(?:it|them|this|any\s+of\s+(?:it|this))\s+where\s+im\s+going\b|\bwhere\s+im\s+going\b(?=.{0,20}$)"
        r"|\b(?:no|nunca)\s+(?:voy\s+a|va\s+a)\s+(?:estar|necesitar\w*|llegar)\b.{0,30}\b(?:ya\s+no|nunca\s+mas|para\s+siempre)\b|\bya\s+no\s+voy\s+a\s+estar\b",
    ),
    (
        "may not last until the next appointment",
        r"\b(?:not\s+sure|dont\s+(?:think|know\s+if))\s+(?:i\s+(?:can|will)|ill|i)\s+(?:make\s+it|last|hold\s+on|survive|hang\s+on)\s+(?:til|till|until|through)\b"
        r"|\bno\s+creo\s+(?:aguantar|durar|llegar\s+viv[oa])\b",
    ),
    (
        "did something that cannot be undone",
        r"\bdid\s+something\s+(?:i\s+cant\s+(?:take\s+back|undo)|i\s+cannot\s+(?:take\s+back|undo))\b"
        r"|\bdid\s+something\s+(?:stupid|bad|dumb)\s+(?:w|with|to)\s+(?:my\s+)?(?:meds|pills|medication|myself|arms?|wrists?)\b",
    ),
)
HOPELESSNESS += _rules(
    "hopelessness",
    (
        "cannot keep doing this",
        r"\b(?:dont|do\s+not)\s+(?:think|know\s+if)\s+i\s+can\s+(?:keep\s+(?:doing\s+this|going|living|fighting)|do\s+this\s+(?:anymore|much\s+longer)|"
        r"go\s+on|take\s+(?:it|this|much\s+more)(?:\s+anymore)?\s*[.!]*$)",
    ),
)
SELF_HARM += _rules(
    "self_harm",
    (
        "head struck on purpose",
        r"\b(?:bang\w*|hit\w*|slam\w*)\s+my\s+head\s+(?:on|against|into)\b.{0,40}\b(?:til|till|until|over\s+and\s+over|on\s+purpose|helped|bled|bleed|saw\s+stars|again)\b",
    ),
    (
        "Spanish: burned myself",
        r"\bme\s+queme\s+(?:los|las|el|la|mis)\s+(?:brazos?|piernas?|manos?|muslos?|piel)\b(?!.{0,30}\b(?:cocinando|con\s+el\s+sol|horno|estufa|plancha)\b)",
    ),
)
PASSIVE_WISH += _rules(
    "passive_wish",
    (
        "wants to join someone who died",
        r"^(?=.*\b(?:again|heaven|passed|died|gone|come\s+home|dead|grave|other\s+side)\b).*\bwant\s+to\s+(?:go\s+)?be\s+with\s+(?:her|him|them|my\s+\w+)\b"
        r"|\b(?:irme|ir)\s+con\s+(?:mi\s+\w+|dios|el\s+senor)\b.{0,20}\b(?:cielo|otro\s+lado)\b|\bal\s+cielo\s+con\s+(?:mi\s+\w+)\b|\b(?:que\s+)?dios\s+me\s+(?:lleve|recoja)\b",
    ),
    (
        "relief at the thought of death",
        r"\b(?:being\s+dead|dying|death|not\s+existing|not\s+being\s+here)\s+(?:feels|sounds|seems|would\s+be)\s+(?:like\s+)?(?:a\s+)?(?:relief|peaceful|nice|good|better)\b"
        r"|\bid\s+(?:be\s+relieved|finally\s+get\s+to\s+go)\b",
    ),
)
BURDEN += _rules(
    "burden",
    (
        "worth more dead: insurance, an accident",
        r"\blife\s+insurance\b(?=.{0,80}\b(?:pays?|payout|goes\s+to|covers?\s+suicide|suicide\s+clause|2\s+(?:yrs|years)|two\s+years|better\s+off|worth\s+more)\b)"
        r"|\bworth\s+more\s+dead\b|\b(?:make|made)\s+it\s+look\s+like\s+an?\s+accident\b|\bseguro\s+de\s+vida\b.{0,30}\b(?:para|cobr\w+|queda)\b",
    ),
    (
        "everyone better off or relieved",
        r"\b(?:everyone|everybody|they|family|kids|world)\s+(?:would|will|d)\s+(?:honestly\s+|really\s+|probably\s+)?be\s+(?:better\s+off|relieved|fine)\b(?!\s+(?:with|if)\s+(?:a|the|my)\s+(?:new|different|another)\b)",
    ),
)

# --- acts, means and signs named in other words ---------------------------------------------------------
# Each rule stands for a class of phrasings found missing when the detector was measured on texts written
# apart from its rules: Spanish acts and doses, weapons kept close, water and heights in Spanish, command
# hallucinations, relapse told through scars and sleeves, burden and farewells without their usual words.
ACT_TAKEN += _rules(
    "act_taken",
    (
        "Spanish: a dose or a poison taken",
        r"\b(?:me\s+)?(?:tome|trague|meti|inyecte|bebi)\s+(?:de\s+una\s+vez\s+)?(?:como\s+|unas?\s+|unos\s+|mas\s+de\s+)?"
        r"(?:[1-9]\d+|veinte|treinta|cuarenta|cincuenta|toda\s+la\s+caja|todo\s+el\s+frasco|todo\s+lo\s+(?:que|q|de)|todas?\s+(?:las|mis)|todos\s+(?:los|mis)|"
        r"el\s+(?:cloro|clorox)|la\s+lejia|veneno|lo\s+(?:que|q)\s+(?:me\s+)?quedaba|los\s+\w+\s+de\s+todo\s+el\s+mes)\b"
        r"(?!.{0,30}\b(?:de\s+hoy|como\s+siempre|a\s+tiempo|como\s+me\s+dijeron|con\s+comida)\b)",
    ),
    (
        "took everything that was left",
        rf"\b(?:took|swallowed|downed|taken|ate)\s+(?:what\s+was\s+left|whats\s+left|the\s+rest)\s+(?:of\s+)?(?:my\s+|the\s+)?{MEDS}?|\btook\s+(?:a\s+lot|way)\s+(?:extra|more)\b"
        rf"|\b(?:took|swallowed|tome)\s+(?:them\s+)?(?:all|todas|todo)\s*[.!]*$|\btook\s+something\b(?=.*\b(?:er|hospital|ride|weird|sleepy|dizzy|sorry)\b)",
    ),
    (
        "an attempt told after the fact",
        r"\bit\s+(?:wasnt|was\s+not)\s+an\s+accident\b|\bon\s+purpose\b.{0,40}\b(?:totaled|crashed|jumped|fell|er|hospital)\b|\b(?:totaled|crashed|jumped)\b.{0,40}\bon\s+purpose\b"
        r"|\bpumped\s+my\s+stomach\b|\b(?:me\s+tire|salte)\s+(?:al|del|de\s+la|desde)\s+\w+.{0,20}\bme\s+(?:sacaron|rescataron|salvaron)\b"
        r"|\bme\s+encerre\s+en\s+el\s+(?:carro|coche|garaje)\b|\bmotor\s+prendido\b",
    ),
)
MEANS_PLAN += _rules(
    "means_plan",
    (
        "a means bought, and not for its use",
        rf"\b(?:{GUN}|{LIGATURE}|{BLADE}|pills|blades|chemicals|poison)\b.{{0,60}}\b(?:its\s+not|it\s+s\s+not|not|wasnt|and\s+its\s+not)\s+for\s+(?:climbing|cooking|protection|camping|hunting|deer|the\s+(?:garden|yard|kitchen)|work)\b"
        rf"|\btold\s+(?:him|her|them|everyone)\s+it\s+was\s+for\b.{{0,30}}\b(?:its\s+not|it\s+s\s+not|it\s+wasnt)\b|\b(?:bought|got)\s+(?:a|the|some)\s+(?:{GUN}|{LIGATURE}|{BLADE})\b.{{0,30}}\bfor\s+me\s*[.!]*$",
    ),
    (
        "a gun kept close or loaded",
        rf"\b{GUN}\b.{{0,30}}\b(?:into|in|under)\s+my\s+(?:room|bed|car|truck|troca|nightstand|drawer|pillow)\b|\b{GUN}\b.{{0,30}}\bcargad[ao]\b|\bif\s+i\s+had\s+(?:a\s+)?{GUN}\b.{{0,20}}\b(?:use|id)\b"
        rf"|\bsi\s+tuviera\s+(?:una\s+)?{GUN}\b|\bpegar(?:me)?\s+un\s+tiro\b|\beat\s+my\s+gun\b",
    ),
    (
        "Spanish: at a height or the water's edge",
        r"\b(?:me\s+)?(?:subi|estoy|ando|sigo|sentad[oa])\s+(?:en|al|a\s+la|arriba\s+de)\s+(?:el\s+|la\s+)?(?:techo|azotea|puente|ultimo\s+piso|orilla|borde|cornisa|malecon|acantilado)\b"
        r".{0,60}\b(?:abajo|orilla|borde|saltar|tirarme|carros\s+pasar|agua|sentad[oa])\b|\bya\s+ubique\s+el\s+(?:puente|edificio|lugar)\b",
    ),
    (
        "into the water",
        r"\b(?:walk|walking|swim|swimming|wade|wading)\s+(?:out\s+)?(?:into|in)\s+(?:the\s+)?(?:lake|ocean|sea|river|water|waves|bay)\b|\b(?:wont|dont\s+think\s+ill|not\s+going\s+to|not\s+gonna)\s+swim\s+back\b"
        r"|\b(?:lanzar|tirar|aventar)(?:me)?\s+al\s+(?:mar|rio|lago|agua)\b|\bme\s+tire\s+al\s+(?:rio|mar|lago|agua)\b",
    ),
    (
        "a day chosen, a plan for after",
        r"\bya\s+(?:escogi|elegi)\s+(?:el\s+dia|la\s+fecha)\b|\b(?:thats|that\s+is)\s+the\s+plan\s*[.!]*$|\bi\s+have\s+plans\s+for\s+after\b|\bhave\s+a\s+different\s+plan\b"
        r"|\b(?:make|makes|that\s*ll\s+make)\s+it\s+(?:quick|fast|painless)\b",
    ),
    (
        "enough medication gathered",
        rf"^(?=.*\b(?:{MEDS}|insulin|insulina|supply|script|refill|receta)\b).*\b(?:now\s+i\s+have|i\s+have|ive\s+got|tengo|ya\s+junte)\s+(?:more\s+than\s+)?(?:enough|suficiente|2\s+bottles|two\s+bottles)\b"
        rf"|\bsaved\s+up\s+(?:a|two|three|\d+)\s+(?:months?|weeks?)\s+(?:worth\s+)?of\b|\bstacked\s+up\b|\bcalcul\w+\s+cuant[ao]s?\b|\bnot\s+(?:planning\s+to\s+|going\s+to\s+|gonna\s+)?(?:take|use)\s+(?:it|them)\s+the\s+(?:normal|right|usual|prescribed)\s+way\b",
    ),
)
SAFETY += _rules(
    "safety",
    (
        "emergency help asked",
        r"\bcall\s+911\b|\b(?:take|drive|ride)\s+(?:me\s+)?to\s+(?:the\s+)?(?:er|emergency\s+room|hospital)\b(?=.*\b(?:took|swallowed|did|hurt|cut|bleeding|something)\b)"
        r"|\bwant\s+to\s+be\s+admitted\b|\bbefore\s+i\s+(?:do\s+it|do\s+something|hurt\s+myself|act\s+on\s+it)\b|\bantes\s+de\s+(?:que\s+)?(?:lo\s+haga|hacer\s+algo|hacerme\s+algo)\b",
    ),
    (
        "a dangerous state of mind",
        r"\b(?:dangerous|not\s+safe|unsafe|peligros[oa])\s+(?:for|para)\s+(?:me|mi)\b|\b(?:head|mind|headspace|cabeza)\s+(?:is\s+|esta\s+)?(?:in\s+|en\s+)?(?:a\s+|un\s+)?(?:really\s+|very\s+|muy\s+)?(?:dangerous|scary|peligros[oa])\s+(?:spot|place|lugar)\b"
        r"|\ben\s+un\s+lugar\s+muy\s+oscuro\b|(?<!nada\sde\s)(?<!sin\s)(?<!ni\s)(?<!no\stengo\s)(?<!cero\s)\bpensamientos\s+(?:muy\s+)?(?:feos|oscuros|de\s+muerte|malos)\b",
    ),
    (
        "urges or thoughts back",
        r"\b(?:the\s+)?(?:urges?|thoughts|dark\s+thoughts|voices|ideas)\s+(?:are|is|came|come|have\s+come|coming)\s+back\b|\bvolvieron\b.{0,20}\b(?:pensamientos|ganas|voces)\b|\b(?:pensamientos|ganas|voces)\b.{0,20}\bvolvieron\b",
    ),
    (
        "voices that command",
        r"\b(?:voices?|someone|something|they|it)\s+(?:keeps?\s+|keep\s+)?(?:telling|tells|told|saying|says|said)\s+(?:me\s+)?(?:to\s+|i\s+(?:have|need|should)\s+to\s+)?(?:jump|die|do\s+it|kill|end\s+it|hurt|cut|walk\s+into)\b"
        r"|\bhear(?:ing)?\s+(?:someone|voices?|a\s+voice|them)\s+(?:say|saying|tell|telling)\b.{0,20}\b(?:jump|die|do\s+it|kill|end|hurt)\b|\blas?\s+voces?\s+(?:me\s+)?(?:dicen|dice|piden|ordenan)\b"
        r"|\bvoices?\s+(?:are\s+|is\s+)?(?:so\s+)?(?:loud|louder|back)\b",
    ),
)
SELF_HARM_RELAPSE += _rules(
    "self_harm_relapse",
    (
        "new wounds by old scars",
        r"\b(?:fresh|new)\s+(?:ones|cuts|marks|scars|wounds|lines|burns)\b(?=.*\b(?:scars?|arm|arms|leg|legs|thigh|skin|old\s+ones|again|hide|cicatrices)\b)|\b(?:cicatrices|marcas|cortes|heridas)\s+nuev\w+|\bnuev\w+\s+(?:cicatrices|marcas|cortes|heridas)\b"
        r"|\bautolesi\w+|\b(?:rompi|perdi)\s+(?:mi\s+)?racha\b|\bbroke\s+my\s+(?:clean\s+)?streak\b|\bclean\s+\d+\s+(?:days|weeks|months|years)\s+and\s+(?:i\s+)?(?:threw\s+it\s+away|lost\s+it|broke\s+it|relapsed)\b"
        r"|\breca\w*\s+(?:con\s+)?(?:las?\s+)?(?:quemaduras|cortes|autolesiones)\b",
    ),
    (
        "wounds hidden",
        r"\b(?:long\s+sleeves|hoodies?|sleeves|mangas\s+largas)\b.{0,50}\b(?:hide|hiding|bc\s+my\s+arms|because\s+my\s+arms|dont\s+tell|havent\s+told|so\s+no\s+one|why|again)\b"
        r"|\bmy\s+(?:arms?|legs?|thighs?|wrists?|skin)\s+(?:is|are|s)\s+(?:bad|a\s+mess|messed\s+up|cut\s+up)\b|\bskins\s+a\s+mess\b|\bit\s+wasnt\s+the\s+cat\b",
    ),
)
SELF_HARM += _rules(
    "self_harm",
    (
        "hurting oneself, other words",
        r"\b(?:bit|bite|biting)\s+(?:my|myself)\b.{0,30}\b(?:blood|bled|bleed|marks|hard)\b|\bme\s+estoy\s+(?:golpeando|cortando|quemando|lastimando|pegando)\b"
        r"|\bme\s+(?:marque|golpee|queme|corte|rasgue|arane)\s+(?:la\s+piel|los\s+brazos|las\s+piernas|el\s+brazo|la\s+pierna|los\s+muslos)\b",
    ),
)
PASSIVE_WISH += _rules(
    "passive_wish",
    (
        "wishes to be taken, or that it had killed them",
        r"\b(?:god|lord|dios|jesus)\s+(?:can|could|please|will|should|just)?\s*(?:take|takes|took|come\s+get)\s+me\b|\bdios\s+me\s+(?:lleve|recoja|lleva)\b"
        r"|\bwish\w*\s+(?:it|that|the\s+\w+|they)\s+(?:had|would\s+have|could\s+have)\s+(?:killed\s+me|finished\s+(?:me|the\s+job))\b|\bfinished\s+the\s+job\b"
        r"|\b(?:fine|ok|okay|good|happy)\s+if\s+(?:today|tonight|this)\s+(?:was|were|is)\s+(?:my\s+)?(?:the\s+)?last\b|\bpal\s+cielo\b|\bal\s+cielo\s+antes\s+de\s+tiempo\b",
    ),
    (
        "wants out",
        r"\b(?:want(?:ing|s)?|wanna|ready)\s+out\b(?!\s+of\s+(?:this|the|my)\s+(?:job|contract|lease|relationship|meeting|plan|series|program|insurance|house|apartment))",
    ),
)
BURDEN += _rules(
    "burden",
    (
        "better off without me, other words",
        r"\bsin\s+mi\s+(?:les|le|estarian|estaria|iria|irian|vivirian|serian|podria|podrian)\b.{0,20}\b(?:mejor|bien|tranquil\w+|feliz\w*|empezar)\b|\bmejor\s+(?:que|q)\s+(?:yo\s+)?no\s+este\b"
        r"|\bya\s+no\s+(?:les|le)\s+(?:voy\s+a\s+)?(?:ser|dar)\s+(?:una\s+)?(?:carga|problemas?|molestia)\b|\bme\s+voy\s+yo\s+primero\b|\bmerece\s+(?:a\s+)?alguien\s+mejor\b"
        r"|\b\w+er\s+if\s+i\s+(?:was|were|am|m)\s+(?:gone|dead|not\s+(?:here|around))\b|\bremove\s+the\s+problem\b|\bspare\s+them\b",
    ),
    (
        "a policy that pays out",
        r"\bpolicy\b(?=.{0,80}\b(?:pays?\s+out|payout|even\s+for\s+that|suicide\s+clause|2\s+(?:yrs|years)|two\s+years)\b)",
    ),
)
HOPELESSNESS += _rules(
    "hopelessness",
    (
        "over for me, out of options",
        r"\b(?:its|it\s+is)\s+over\s+for\s+me\b|\bthis\s+is\s+it\s+for\s+me\b|\bim\s+(?:out\s+of\s+options|out\s+of\s+reasons)\b|\bim\s+finished\s*[.!]*$|\bno\s+more\s+reasons\b"
        r"|\bout\s+of\s+(?:options|reasons|hope)\b|\bnothin[g]?\s+left\s+for\s+me\b|\b(?:dont|cant|do\s+not)\s+see\s+a\s+way\s+(?:forward|out|through)\b|\bno\s+exit\b"
        r"|\bnada\s+me\s+va\s+a\s+salvar\b|\bno\s+hay\s+(?:mas\s+)?(?:salida|esperanza|nada\s+para\s+mi)\b|\bya\s+no\s+hay\s+nada\b|\bno\s+hay\s+mas\s+dias\s+buenos\b|\bno\s+va\s+a\s+haber\s+(?:proxima|otra)\b",
    ),
)
FAREWELL += _rules(
    "farewell",
    (
        "a last text",
        r"\b(?:last|final)\s+(?:time\s+(?:ill|i\s+will|youll|you\s+will)\s+(?:reply|text|write|hear)|text\s+from\s+me|message\s+from\s+me)\b(?!\s+(?:today|tonight|for\s+(?:today|tonight|now|a\s+while|the\s+day|this\s+week)))|\b(?:my|this\s+is\s+my)\s+final\s+check\s*-?\s*in\b"
        r"|\b(?:este|esta)\s+es\s+(?:mi\s+)?(?:ultimo\s+mensaje|la\s+despedida)\b|\buna\s+ultima\s+vez\b|\bone\s+last\s+time\b|\bsee\s+(?:you|yall|ya|u)\s+(?:all\s+)?on\s+the\s+other\s+side\b"
        r"|\bim\s+checking\s+out\b|\bchecking\s+out\s+(?:early|for\s+good|permanently)\b|\bthanks\s+for\s+trying\b|\bgracias\s+por\s+intentarlo\b",
    ),
    (
        "belongings handed out",
        r"\b(?:can\s+have|gets|should\s+get|se\s+queda\s+con)\s+(?:my|the|mi)\s+\w+\b.{0,40}\b(?:and|y)\s+(?:my|mi)\s+\w+\s+(?:can\s+have|gets|get|se\s+queda)\b"
        r"|\bpasswords?\s+(?:are|is)\s+(?:in|on|under)\s+the\b|\b(?:sent|gave|left|told)\s+(?:\w+\s+){0,3}(?:the\s+|my\s+)?passwords\b|\btiene\s+la\s+clave\s+del\s+banco\b"
        r"|\blast\s+thing\s+on\s+my\s+list\b|\bthe\s+rest\s+is\s+easy\b|\b(?:it|everything)\s*(?:ll|will)\s+be\s+handled\b|\btodo\s+listo\s+(?:pa|para)\s+cuando\b|\b(?:ya\s+)?no\s+este\b(?=.{0,10}$)",
    ),
    (
        "no further appointments wanted",
        r"\b(?:not|wont|shall\s+not|will\s+not|dont)\s+(?:require|need)\s+(?:any\s+)?(?:further|more|future)\s+(?:appointments|sessions|appts)\b(?!.*\b(?:insurance|cost|afford|better|done\s+with\s+the\s+series|finished|graduat\w*|moving|move)\b)"
        r"|\bno\s+me\s+reagenden\b|\bya\s+no\s+voy\s+a\s+necesitar\s+(?:la\s+|las\s+|mas\s+)?citas?\b|\bwont\s+be\s+confirming\b",
    ),
    (
        "I won't be around",
        r"\b(?:wont|will\s+not|not\s+gonna|not\s+going\s+to)\s+be\s+(?:around|here|alive)\s*(?:[.!]*$|after|anymore|much|by\s+then|for\s+(?:christmas|the\s+holidays|her|his|my\s+(?:kids|birthday)))"
        r"|\bill\s+(?:probably\s+|likely\s+)?be\s+dead\b|\bill\s+(?:probably\s+|already\s+)?be\s+gone\s+(?:before|by|soon|anyway)\b|\b(?:dont|do\s+not)\s+(?:intend|plan|expect)\s+(?:to\s+be|on\s+being)\s+(?:here|around|alive)\b"
        r"|\b(?:dont|cant)\s+see\s+(?:me|myself)\s+making\s+it\b|\bno\s+(?:creo|veo\s+como)\s+(?:que\s+|q\s+)?(?:voy\s+a\s+)?lleg\w+\s+a\s+(?:esa\s+fecha|la\s+proxima|navidad|manana|el\s+\w+|mi\s+cumple\w*)\b(?!.{0,20}\b(?:a\s+tiempo|tarde|temprano|a\s+la\s+hora|trafico|trabajo)\b)",
    ),
)

# --- the last time, if still alive, nothing needed after tonight ----------------------------------------
FAREWELL += _rules(
    "farewell",
    (
        "the last time they will see me",
        r"\blast\s+(?:time|one)\s+(?:you(?:ll)?|you\s+will|anyone|they(?:ll)?)\s+(?:see|sees|hear\s+from|hears\s+from)\s+me\b"
        r"|\bultima\s+vez\s+que\s+me\s+(?:vean|ven|escuchen|lean|van\s+a\s+ver)\b|\bif\s+you\s+(?:dont|do\s+not)\s+hear\s+(?:back\s+)?from\s+me\b"
        r"|\bsi\s+no\s+(?:saben|sabes|saben\s+nada)\s+de\s+mi\b",
    ),
    (
        "if still alive, if I die today",
        r"\bif\s+im\s+still\s+(?:alive|here|around|breathing)\b|\bsi\s+(?:sigo|todavia\s+estoy|aun\s+estoy)\s+viv[oa]\b"
        r"|\b(?:if|si)\s+(?:i\s+die|me\s+muero)\s+(?:today|tonight|tomorrow|hoy|esta\s+noche|manana)\b"
        r"|\b(?:no\s+se\s+culpen|no\s+te\s+culpes|dont\s+blame\s+(?:yourselves|yourself|anyone))\b",
    ),
    (
        "thanks before I go",
        r"\b(?:thanks?|thank\s+you|gracias)\b.{0,25}\bbefore\s+i\s+go\b(?!\s+(?:on|to|into|in|out|back|away\s+(?:on|for)))"
        r"|\bwont\s+need\s+(?:anything|a\s+thing|it|them|any\s+of\s+(?:it|this))\s+(?:after|past|beyond)\s+(?:tonight|today|tomorrow|this\s+week|\w+day)\b",
    ),
)
SAFETY += _rules(
    "safety",
    (
        "safe for now, not later",
        r"\bsafe\s+for\s+now\b.{0,30}\b(?:not\s+sure|dont\s+know|later|tonight)\b|\b(?:not\s+sure|dont\s+know)\s+(?:about|if\s+ill\s+be\s+safe)\s+(?:later|tonight)\b"
        r"|\ba\s+salvo\s+por\s+ahora\b|\bpor\s+ahora\s+(?:estoy\s+)?(?:bien|a\s+salvo)\b.{0,20}\b(?:no\s+se|despues|mas\s+tarde|esta\s+noche)\b",
    ),
)
ACT_TAKEN += _rules(
    "act_taken",
    (
        "alcohol with pills",
        rf"\b(?:alcohol|vodka|tequila|vino|cerveza|wine|whiskey|booze|liquor|ron)\s+(?:con|with)\s+(?:mis\s+|las\s+|los\s+|my\s+|the\s+)?{MEDS}\b"
        rf"|\b(?:tome|me\s+tome|mezcle)\b.{{0,20}}\b{MEDS}\s+con\s+(?:alcohol|vodka|tequila|vino|cerveza|ron)\b",
    ),
)


# --- ordinary reasons that set a rule aside -----------------------------------------------------------
# A rope for climbing, a shotgun for duck season, a cut while shaving, a goodbye before a move, an appointment
# no longer needed because the insurance changed: the same words with an everyday purpose stated in the text.
ORDINARY_USE = (
    r"\b(?:camping|camp|climb\w*|hiking|hike|boat\w*|sailing|tow\w*|garden\w*|tarp|tent|hammock|escalar|acampar|"
    r"(?:duck|deer|turkey|hunting|dove|elk)\s+season|range|hunting\s+trip|skeet|target\s+practice|cazar|caceria|"
    r"shaving|cooking|cocinando|kitchen|frying|stove|oven|grease|curling\s+iron|by\s+accident|accidentally|on\s+accident|sin\s+querer|"
    r"slipped|tripped|fell\s+off|paper\s+cut|sarten|aceite|haciendo\s+la\s+comida|horno|estufa|plancha|accidente)\b"
)
ADMINISTRATIVE = (
    r"\b(?:insurance|seguro|cubre|covers?|afford|cost|new\s+(?:job|clinic|provider|doctor)|switching|provider\s+closer|thread|"
    r"accountant|paperwork|taxes|tax|release\s+form|curiosity|worrier|prepaid|me\s+cambio|clinica|expediente|nuevo\s+trabajo)\b"
)
TREATMENT_DONE = (
    r"\b(?:treatment|tratamiento|series|serie|infusions?|program|programa|sesiones)\b.{0,20}\b(?:done|finished|complete\w*|over|terminad\w*)\b"
    r"|\b(?:finished|completed|termine|terminamos|complete|graduated?\s+from)\s+(?:el\s+|la\s+|las\s+|mis\s+|my\s+|the\s+)?"
    r"(?:treatment|tratamiento|series|serie|infusions?|program|programa|sesiones)\b|\bfinal\s+(?:treatment|infusion|session)\s+(?:done|complete)"
    r"|\b(?:on\s+my\s+own|keep\s+in\s+touch|stay\s+in\s+touch|see\s+you\s+(?:around|soon|next)|graduat\w*)\b"
)
AWAY_FOR_A_WHILE = (
    r"\b(?:for\s+a\s+(?:bit|while|few\s+days|week|month)|detox|vacation|vacaciones|trip|retreat|camping|training|out\s+of\s+(?:town|state)|"
    r"conference|business|work\s+travel|visiting|honeymoon|deploy\w*)\b"
)
PLACES = r"\b(?:apartment|house|office|coworkers|class|job|team|school|neighborhood|city|town)\b"
OUTGROWN = (
    r"\b(?:new\s+one|got\s+a\s+new|upgrad\w*|outgrown|too\s+small|doesnt\s+fit|old\s+(?:bike|car|phone|couch|tv))\b"
)
_UNLESS = {
    "a gun at hand": ORDINARY_USE,
    "a ligature ready": ORDINARY_USE,
    "Spanish: a rope": ORDINARY_USE,
    "hurting oneself": ORDINARY_USE,
    "saying goodbye": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{PLACES}",
    "said goodbye to everyone": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{PLACES}",
    "last message": f"{ORDINARY_REASON}|{ADMINISTRATIVE}",
    "a last text": f"{ORDINARY_REASON}|{ADMINISTRATIVE}",
    "will not be around or needing care": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{TREATMENT_DONE}",
    "no further appointments wanted": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{TREATMENT_DONE}",
    "closing words": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{TREATMENT_DONE}",
    "goodbye for good": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{TREATMENT_DONE}",
    "affairs put in order": f"{ORDINARY_REASON}|{ADMINISTRATIVE}",
    "what happens after my death, asked": f"{ORDINARY_REASON}|{ADMINISTRATIVE}",
    "if something happens to me": f"{ORDINARY_REASON}|{ADMINISTRATIVE}",
    "cherished things or pets given away": f"{ORDINARY_REASON}|{OUTGROWN}",
    "affairs settled: will, passwords, who gets what": f"{ORDINARY_REASON}|{ADMINISTRATIVE}",
    "possessions given away": f"{ORDINARY_REASON}|{OUTGROWN}",
    "a note or letters left": (
        r"\bletter\s+to\s+(?:my\s+)?(?:younger|future|past|older|inner|old)\s+self\b|\b(?:integration|homework|journal\w*|therapist|coach|"
        r"assignment|exercise|gratitude|cover\s+letter|reference|recommendation|landlord|congress\w*|senator)\b"
    ),
    "I won't be around": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{AWAY_FOR_A_WHILE}",
    "the last time they will see me": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{AWAY_FOR_A_WHILE}",
    "the end for me": f"{ORDINARY_REASON}|{ADMINISTRATIVE}|{TREATMENT_DONE}|\\b(?:seguir\\s+sol[oa]|por\\s+mi\\s+cuenta|list[oa]\\s+para)\\b",
    "Spanish: burned myself": ORDINARY_USE,
    "giving up": r"\b(?:portal|website|site|app|printer|password|login|logged|phone|form|forms|parking|traffic|wifi|internet|computer)\b",
    "arranged to be found": f"{ORDINARY_REASON}|\\b(?:no\\s+signal|off\\s+grid|camping)\\b",
}


def _with_reasons(rules: list[Rule]) -> list[Rule]:
    return [replace(rule, unless=re.compile(_UNLESS[rule.label])) if rule.label in _UNLESS else rule for rule in rules]


# Most urgent first: the finding names the first category that matches.
RULES: tuple[Rule, ...] = tuple(
    _with_reasons(
        [
            *ACT_TAKEN,
            *MEANS_PLAN,
            *OVERDOSE,
            *SAFETY,
            *FAREWELL,
            *EXPLICIT,
            *SELF_HARM_RELAPSE,
            *SELF_HARM,
            *PASSIVE_WISH,
            *BURDEN,
            *HOPELESSNESS,
        ]
    )
)

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(rule.category for rule in RULES))

# --- a past ideation the patient says is over ---------------------------------------------------------
# "Last year I wanted to die, now I'm better" is a recovery story. Only ideation, a wish or past self-harm
# may be set aside this way, only with both a past anchor and an explicit resolution, and never with any
# sign that it is present again. When in doubt the rule stands and a clinician reads it.
_RESOLVABLE = {
    "explicit_ideation",
    "passive_wish",
    "self_harm",
    "self_harm_relapse",
    "act_taken",
    "means_plan",
    "burden",
    "hopelessness",
    "farewell",
    "safety",
}
_PAST = re.compile(
    r"\b(?:used\s+to|last\s+year|years?\s+ago|a\s+year\s+ago|months\s+ago|back\s+then|in\s+the\s+past|"
    r"before\s+(?:the|my)\s+(?:treatment|infusions?|sessions?|ketamine)|when\s+i\s+(?:started|was\s+younger)|"
    r"back\s+in\s+(?:19|20)\d\d|in\s+(?:19|20)\d\d|as\s+a\s+(?:teen|teenager|kid|child)|in\s+(?:high\s+school|college)|"
    r"hace\s+(?:(?:\d+|un|una|unos|muchos|varios)\s+)?(?:anos?|meses)|last\s+(?:spring|summer|fall|autumn|winter|month|time)|"
    r"(?:one|two|three|a\s+few|\d+)\s+(?:years?|months?|yrs)\s+ago|before\s+(?:starting|i\s+started|treatment|this)|i\s+had\s+before|"
    r"i\s+would\s*(?:ve|have)\s+(?:said|told\s+you)|i\s+wouldve\s+(?:said|told\s+you)|el\s+ano\s+pasado|antes\s+de\s+(?:empezar|la\s+ketamina|el\s+tratamiento)|"
    r"once|(?:a\s+few\s+)?years\s+back|back\s+in\s+my|last\s+(?:january|february|march|april|may|june|july|august|september|october|november|december)|"
    r"in\s+(?:january|february|march|april|june|july|august|september|october|november|december)|after\s+my\s+first\s+(?:kid|baby|child)|"
    r"when\s+i\s+(?:began|was\s+in)|cuando\s+empece|antes\s+(?:pensaba|tenia|vivia|queria|me|sentia)|remember\s+(?:in|when))\b"
)
_RESOLVED = re.compile(
    r"\b(?:now\s+(?:im|i\s+am|i)\s+(?:so\s+much\s+|much\s+|a\s+lot\s+|actually\s+|really\s+)?(?:better|good|ok|okay|fine|happy|"
    r"grateful|glad|planning|doing\s+(?:great|well|better|good|ok|fine)|want\s+to\s+(?:live|see))|today\s+im\s+(?:grateful|glad|happy)|havent\s+in|no\s+longer|"
    r"(?:years?|months?)\s+clean|grateful\s+to\s+be\s+alive|glad\s+(?:to\s+be|im)\s+(?:alive|still\s+here)|"
    r"now\s+i\s+(?:actually\s+)?want\s+to\s+(?:live|see)|(?:im|i\s+am|been)\s+(?:stable|safe|well)\s+(?:now|since|for)|"
    r"(?:its|it\s+has)\s+been\s+\d+\s+(?:yrs|years)|no\s+(?:thoughts|urges)\s+(?:like\s+that|since)|"
    r"(?:\d+|many|several)\s+(?:yrs|years)\s+(?:with\s+no|without|free|clean|since)|"
    r"(?:theyve|they\s+have|theyre|its|it\s+has|been)\s+(?:been\s+)?(?:gone|over|stopped|done)\s+(?:since|for)|"
    r"(?:ya\s+)?llevo\s+(?:\d+|varios|muchos)\s+(?:anos?|meses)\s+(?:bien|sin|limpi[oa])|(?:basically|mostly|totally|completely|all)\s+gone|"
    r"(?:way\s+)?behind\s+me|today\s+i\s+(?:actually\s+)?(?:feel|am|m)\s+(?:so\s+)?(?:hopeful|good|better|great|ok|okay|alive)|"
    r"this\s+(?:spring|summer|fall|winter|year)\s+im|hoy\s+(?:me\s+siento|estoy)\s+(?:mucho\s+)?(?:mejor|bien)|ya\s+(?:paso|quedo\s+atras)|"
    r"(?:now|today|hoy|ahora|these\s+days)\b[^.!?]{0,40}\b(?:planning|planeando|celebr\w+|excited|emocionad\w+|happy|feliz|great|grateful|agradecid\w+|"
    r"glad|enjoy\w*|dancing|bailar|viajar|boda|wedding|party|fiesta|sunrise|alarm|cumple\w*)\b|"
    r"not\s+anymore|no\s+longer|dont\s+think\s+that\s+anymore|not\s+in\s+that\s+(?:spot|place)\s+anymore|long\s+past|has\s+not\s+recurred|"
    r"havent\s+(?:returned|come\s+back)|no\s+han\s+vuelto|se\s+me\s+quit\w+|(?:are|is)\s+gone|got\s+(?:help|treatment)|sober\s+and\s+safe|"
    r"(?:im|i\s+am)\s+good\s+now|presently\s+well|stable\s+(?:for|since)|(?:in\s+)?a\s+(?:much\s+)?better\s+place\s+now|been\s+(?:solid|stable|ok|okay|good|well|fine|sober)|feels\s+like\s+a\s+different\s+person|"
    r"ya\s+no(?=\s*[.!,?]|\s*$)|ni\s+me\s+acuerdo)\b"
)
_PRESENT_AGAIN = re.compile(
    r"\b(?:again|creeping\s+back|coming\s+back|lately|still|tonight|right\s+now|these\s+days|this\s+week|today\s+i\s+(?:want|feel\s+like)|"
    r"(?<!years\s)(?<!while\s)(?<!ways\s)back\b(?!\s+(?:then|in\s+(?:19|20)\d\d|in\s+(?:my|the|those|high|college))))"
)


# A streak is a past anchor and a resolution in one: "6 months no self harm", "haven't had those thoughts in weeks".
_STREAK = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|a\s+few|many|several)\s+(?:days?|weeks?|months?|years?|yrs)\s+(?:no|without|free\s+of|clean)\b"
    r"|\b(?:havent|have\s+not|hasnt|has\s+not)\s+(?:had|felt|thought|cut|self\s+harmed|hurt\s+myself)\b.{0,40}\b(?:in|for)\s+"
    r"(?:\d+\s+|a\s+few\s+|many\s+|several\s+|a\s+|one\s+|over\s+a\s+)?(?:days?|weeks?|months?|years?|a\s+while|ages)\b"
    r"|\bllevo\s+(?:\d+|varios|muchos)\s+(?:dias|semanas|meses|anos)\s+sin\b"
    r"|\b(?:no|sin)\s+(?:suicidal\s+thoughts|thoughts|ideas\s+suicidas|pensamientos\s+\w+|self\s+harm|cutting)\s+(?:since|desde)\b"
    r"|\b(?:celebrating|cumplo|llevo)\s+\d+\s+(?:days|dias|weeks|semanas|months|meses|years|anos)\s+(?:since|sin)\b"
    r"|\b\d+\s+(?:days|dias|months|meses|years|anos)\s+sin\s+(?:lastimarme|cortarme|autolesionarme|hacerme)\b"
    r"|\bfirst\s+time\s+in\s+(?:years|months|forever)\s+i\s+(?:dont|do\s+not)\b|\bya\s+no\s+(?:pienso|tengo|siento)\b.{0,40}\bdesde\b"
    r"|\bday\s+\d+\s+(?:no|without|of\s+no|clean|free)\b|\bnot\s+(?:in|for)\s+(?:\d+|many|several|a\s+few)\s+(?:years|yrs|months|weeks)\b"
    r"|\bnot\s+since\s+(?:then|january|february|march|april|may|june|july|august|september|october|november|december|last\s+\w+|\d{4})\b"
)


def resolved_past(text: str, categories: set[str]) -> bool:
    """True if every match is ideation the patient places in the past and says is over."""
    if not categories <= _RESOLVABLE or _PRESENT_AGAIN.search(text):
        return False
    return bool(_STREAK.search(text)) or (bool(_PAST.search(text)) and bool(_RESOLVED.search(text)))


# --- words that only borrow the vocabulary ---------------------------------------------------------------
# Spans that name suicide or death without being about the patient's own risk: someone else's death by
# suicide, suicide as a topic (a class, a documentary, prevention), hyperbole about a small thing ("so
# embarrassing i could die", "me muero de risa"), another person's words ("my mom says she wants to die in
# traffic"). They are blanked before the rules run, so the rest of the text is still read: "my brother died
# by suicide and i want to join him" still pages.
_SET_ASIDE = re.compile(
    "|".join(
        (
            r"\b(?:died|dies|death|passed(?:\s+away)?|lost\s+(?:\w+\s+){1,3}to)\s+(?:by|from|of|to)\s+suicide\b",
            r"(?<!\bi\s)\b(?:committed|commited|comitted)\s+suicide\b",
            r"\bsuicide\s+(?:prevention|awareness|hotline|hot\s+line|rates?|statistics|research|walk|training|course|"
            r"class|documentary|book|episode|scene|bombers?|squad|note\s+in\s+the\s+(?:movie|show|book))\b",
            r"\b(?:paper|essay|class|course|book|movie|film|show|series|article|podcast|documentary|episode|lecture|"
            r"training)\s+(?:on|about)\s+suicide\b",
            r"\b(?:he|she|they|hes|shes|theyre|my\s+\w+|his|her)\s+(?:has\s+|is\s+|was\s+|s\s+|keeps\s+)?(?:been\s+)?(?:talking|thinking|posting|joking|writing)\s+about\s+(?:suicide|killing\s+(?:himself|herself|themselves))\b"
            r"|\b(?:he|she|they)\s+(?:is|was|s|seems|might\s+be)\s+suicidal\b|\b(?:hes|shes|theyre)\s+suicidal\b",
            r"\b(?:he|she|they|my\s+\w+)\s+(?:tried|attempted)\s+to\s+(?:end|kill|take)\s+(?:her|his|their)\s+(?:own\s+)?(?:life|self|herself|himself|themselves)\b"
            r"|\b(?:my\s+\w+s|his|her|their)\s+suicide\b|\bsuicide\s+risk\s+factors\b",
            r"\bid\s+rather\s+(?:jump|die|shoot|kill|hang|drown)\b.{0,40}\bthan\b|\b(?:if\s+you\s+)?put\s+a\s+gun\s+to\s+my\s+head\b(?=.{0,30}\b(?:id|i\s+would)\b)"
            r"|\bend\s+of\s+my\s+rope\s+with\b|\boverdos\w*\s+on\s+(?:netflix|tv|sugar|coffee|caffeine|candy|chocolate|pizza|shows?|series|youtube|tiktok|sun|love|carbs)\b"
            r"|\bme\s+quiero\s+morir\s+de\s+(?:lo|la|el|que|q)\b|\bkill\w*\s+myself\s+laugh\w*|\bme\s+mato\s+de\s+(?:la\s+)?risa\b"
            r"|\bcut\w*\s+myself\s+(?:some\s+)?slack\b|\btake\s+my\s+life\s+back\b|\bself\s*-?\s*(?:esteem|worth|confidence|respect|image|care)\b"
            r"|\b(?:would|d|will)\s+die\s+for\s+(?:my|a|some|the|you|him|her|them|this|that)\b|\bdead\s+to\s+the\s+world\b|\bcut\s+my\s+(?:hair|bangs|nails)\b"
            r"|\btook\s+(?:all\s+(?:of\s+)?)?my\s+(?:meds|pills|medications?)\s+(?:today|this\s+morning|tonight|with\s+(?:breakfast|dinner|food)|as\s+prescribed|on\s+time)\b"
            r"|\b(?:the\s+)?rest\s+of\s+the\s+(?:week|day|month)\s+off\b|\bcant\s+do\s+(?:mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|mornings|afternoons|evenings|weekends)\b"
            r"|\bgave\s+my\s+old\s+\w+\s+to\b"
            r"|\b(?:be\s+there\s+(?:soon|in\s+\d+|shortly)|running\s+(?:a\s+(?:bit|little)\s+)?late|llego\s+en\s+\d+|ya\s+casi\s+llego)\b"
            r"|\b(?<!i\s)(?<!im\s)(?:is|s|would\s+be|was)\s+(?:pure\s+|total\s+|basically\s+|social\s+|career\s+)?suicide\s+(?:at|on|during|in|to|for\s+(?:my|the)\s+(?:career|grade|wallet))\b",
            r"\b(?:murio|fallecio|died|passed\s+away)\s+(?:de|of|from)\s+(?:una\s+|an\s+)?(?:sobredosis|overdose|od)\b|\bse\s+suicid\w*|\b(?:murio|fallecio)\s+por\s+suicidio\b|\bsuicidio\s+de\s+(?:mi|su)\s+\w+",
            r"\bso\s+(?:embarrass\w*|awkward|cringe\w*|boring|bored|bad|funny|cute|good|full|hot|mortified)\b"
            r"[^.!?]{0,20}\b(?:could|wanted\s+to|want\s+to|gonna|going\s+to|thought\s+i\s+would)\s+(?:just\s+)?die\b",
            r"\bdie\s+(?:of|from)\s+(?:embarrassment|laughter|laughing|boredom|cringe|shame|cuteness)\b",
            r"\bmor(?:ir|irme|ia|ir\s+me)?\w*\s+de\s+(?:la\s+)?(?:risa|verguenza|pena|hambre|sueno|calor|frio|aburrimiento|"
            r"ganas|amor|envidia|nervios|cansancio)\b|\bmuert[ao]\s+de\s+(?:la\s+)?(?:risa|verguenza|pena|hambre|sueno|"
            r"calor|frio|aburrimiento|cansancio|nervios)\b",
            r"\b(?:he|she|they|mom|dad|mother|father|mum|brother|sister|friend|kid|son|daughter|husband|wife|boss|"
            r"coworker|grandma|grandpa|character)\s+(?:\w+\s+)?(?:says|said|keeps\s+saying|jokes?|joked|always\s+says)\s+"
            r"(?:that\s+)?(?:she|he|they)\s+(?:wants?|wanted|wishes|wished)\s+(?:to\s+die|(?:she|he|they)\s+(?:was|were)\s+dead)\b",
        )
    )
)


# Hyperbole marked as a joke ("if i have to sit through another meeting i'm gonna jump lol", "me quiero morir 😂
# me caí delante de todos") is set aside too, unless the text says it is not one ("lol jk... no, for real").
_JOKING = re.compile(
    r"\b(?:makes?|made|making)\s+me\s+want\s+to\s+die\b(?=[^.!?]{0,15}(?:\b(?:lol|lmao|lmfao|haha\w*|jaja\w*|jk)\b|😂|🤣))"
    r"|\bif\s+i\s+have\s+to\b[^.!?]{0,50}\b(?:jump|die|kill\s+myself|shoot\s+myself)\b(?=[^.!?]{0,40}(?:\b(?:lol|lmao|haha\w*|jaja\w*)\b|😂|🤣))"
    r"|\bme\s+quiero\s+morir\b\s*(?:😂|🤣|jaja\w*|jeje\w*)"
    r"|\b(?:end\s+it\s+all|kill\s+myself|die|disappear|jump)\s*(?:\.\.\.|…)\s*(?:by|with|in|into)\s+"
    r"(?:going|getting|taking|eating|watching|sleeping|ordering|buying|a\s+nap|bed|netflix|pizza|ice\s+cream|the\s+pool)"
)
_NOT_JOKING = re.compile(
    r"\b(?:not\s+(?:a\s+)?joke|no\s+joke|not\s+joking|for\s+real|seriously|en\s+serio|no\s+es\s+broma|literal\w*)\b"
)


def set_aside(normalized: str) -> str:
    """The text with spans that borrow crisis words without being about the patient's own risk blanked.

    A request to stop texting ("don't text me anymore") is set aside too: its words are the opt-out's."""
    text = opt_out_requests_blanked(_SET_ASIDE.sub(" _ ", normalized))
    if not _NOT_JOKING.search(text):
        text = _JOKING.sub(" _ ", text)
    return text


# --- normalisation --------------------------------------------------------------------------------

_REWRITES = (
    (re.compile(r"[\u2018\u2019\u201b\u02bc`\u00b4]"), "'"),
    (re.compile(r"\bo\.?d'?d\b|\bod'?ed\b"), "overdosed"),
    (re.compile(r"\bo\.?d'?ing\b"), "overdosing"),
    (re.compile(r"\bs/?h'?d\b|\bs/?h'?ed\b"), "self harmed"),
    (re.compile(r"(?<=[a-z])[!1|](?=[a-z])"), "i"),  # su!c!dal, su1cide
    (re.compile(r"'"), ""),
    (re.compile(r"\bmy\s*-?\s*s[el]{1,3}f\b(?![\s-]*(?:esteem|worth|confidence|respect|image|care))"), "myself"),
    (re.compile(r"\bm[yi]s[el]{1,3}f\b|\bmeself\b|\bmyselfe\b"), "myself"),
    (
        re.compile(r"\b(want|wanna|need|have|going|got|ready|able|trying|try|like|deserve)\s+2\s+(?=[a-z])"),
        r"\1 to ",
    ),  # "want 2 die"
    (re.compile(r"\brn\b"), "right now"),
    (re.compile(r"\bu\b"), "you"),
    (re.compile(r"\bi\s*m\b"), "im"),
    (re.compile(r"\s+"), " "),
)


# Emoji that stand for a means or an act are read as the word ("🔪🩸 did again", "0 🪦"); the others are left
# out. 💀 is not among them: it mostly means "dying of laughter".
_EMOJI_WORDS = {
    "🔪": "knife",
    "🗡": "knife",
    "🩸": "blood",
    "🔫": "gun",
    "🪢": "rope",
    "💊": "pills",
    "⚰": "coffin",
    "🪦": "grave",
    "🩹": "bandage",
    "🌉": "bridge",
    "🚆": "train",
    "🚗": "car",
}
_EMOJI = re.compile("|".join(map(re.escape, _EMOJI_WORDS)))


def normalize(text: str) -> str:
    """Lower-case, drop accents and apostrophes, and spell common variants one way."""
    text = _EMOJI.sub(lambda match: f" {_EMOJI_WORDS[match.group(0)]} ", text)
    text = accents_fold(text.lower(), compatibility=True)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text.strip()


def lexicon_matches(normalized: str) -> list[Rule]:
    """Every rule that matches the normalised text, most urgent category first."""
    return [rule for rule in RULES if rule.matches(normalized)]
