"""The first layer: named rules, grouped by the clinical category they stand for.

Rules are built from vocabulary classes (means, acts, times, quantities) rather than whole sentences, so
"swallowed 40 of my seroquel" and "took the rest of my lithium" meet the same rule. Every rule has a label a
clinician reads on the alert. The text is normalised first (lower case, accents and apostrophes dropped,
"my self" -> "myself", "su!c!dal" -> "suicidal", "od'd" -> "overdosed"), so rules never spell variants.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
    r"sleep\s+aids?|them|everything|it\s+all)"
)
GUN = r"(?:guns?|pistol|rifle|shotgun|revolver|firearm|handgun|glock|pistola|arma)"
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
    r"handful|a\s+bunch|a\s+lot|way\s+too\s+many|too\s+many|a\s+ton|(?:like\s+)?[1-9]\d+(?!\s*(?:mg|mcg|ml|min|am|pm|:|%)))"
)
ROUTINE = r"(?:today|this\s+morning|tonight\s+as\s+usual|as\s+(?:usual|prescribed|normal)|like\s+(?:normal|usual)|on\s+time|hoy|esta\s+manana)"


@dataclass(frozen=True)
class Rule:
    category: str
    label: str
    pattern: re.Pattern[str]


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
        r"suffocate|poison|matarme|ahorcarme|suicidarme|quitarme|tirarme)\b|\bi\s+attempted\b|\bmade\s+an\s+attempt\b"
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
        r"\b(?:i\s+have|ive\s+got|i\s+got|made|making|tengo)\s+(?:a|un|the)\s+plan\b(?!\s+(?:b\b|for\s+(?:the|my)\s+(?:week|trip|ride|appointment|session|payment)))|\bplan\s+(?:to|para)\s+(?:kill|end|die|matarme|morir)\b",
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
        r"\b(?:wrote|written|writing|left|leaving|dejé|deje|escribi)\s+(?:a\s+|my\s+|una\s+|mi\s+)?(?:suicide\s+)?(?:note|letters?|carta|cartas)\b(?!\s+(?:from\s+(?:my|the)\s+doctor|for\s+(?:my\s+)?(?:employer|work|school|insurance)))",
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
        r"\b(?:quiero|quisiera|ganas\s+de|voy\s+a|pienso\s+en|pensando\s+en|me\s+quiero|me\s+voy\s+a)\s+(?:morir\w*|matar\w*|suicid\w*|quitar(?:me)?\s+la\s+vida|estar\s+muert[ao]|dejar\s+de\s+vivir)",
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
        r"\b(?:wish|hope|hoping|pray|praying|ojala)\b.{0,25}\b(?:kills\s+me|dead|muert[ao]|not\s+alive|wasnt\s+alive|never\s+(?:been\s+)?born|no\s+hubiera\s+nacido|didnt\s+exist|die|died|me\s+muera|crash\w*|hit\s+me|takes?\s+me|kill\s+me|get\s+hit)\b",
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

# Most urgent first: the finding names the first category that matches.
RULES: tuple[Rule, ...] = (
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
)
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(rule.category for rule in RULES))

# --- a past ideation the patient says is over ---------------------------------------------------------
# "Last year I wanted to die, now I'm better" is a recovery story. Only ideation, a wish or past self-harm
# may be set aside this way, only with both a past anchor and an explicit resolution, and never with any
# sign that it is present again. When in doubt the rule stands and a clinician reads it.
_RESOLVABLE = {"explicit_ideation", "passive_wish", "self_harm", "act_taken"}
_PAST = re.compile(
    r"\b(?:used\s+to|last\s+year|years?\s+ago|a\s+year\s+ago|months\s+ago|back\s+then|in\s+the\s+past|"
    r"before\s+(?:the|my)\s+(?:treatment|infusions?|sessions?|ketamine)|when\s+i\s+(?:started|was\s+younger))\b"
)
_RESOLVED = re.compile(
    r"\b(?:now\s+(?:im|i\s+am|i)\s+(?:so\s+much\s+|much\s+|a\s+lot\s+|actually\s+|really\s+)?(?:better|good|ok|okay|fine|happy|"
    r"grateful|glad|planning|doing\s+(?:great|well|better|good|ok|fine)|want\s+to\s+(?:live|see))|today\s+im\s+(?:grateful|glad|happy)|havent\s+in|no\s+longer|"
    r"(?:years?|months?)\s+clean|grateful\s+to\s+be\s+alive|glad\s+(?:to\s+be|im)\s+(?:alive|still\s+here)|"
    r"now\s+i\s+(?:actually\s+)?want\s+to\s+(?:live|see))\b"
)
_PRESENT_AGAIN = re.compile(
    r"\b(?:again|creeping\s+back|coming\s+back|lately|still|tonight|right\s+now|these\s+days|this\s+week|today\s+i\s+(?:want|feel\s+like)|"
    r"back\b(?!\s+then))"
)


def resolved_past(text: str, categories: set[str]) -> bool:
    """True if every match is ideation the patient places in the past and says is over."""
    return (
        categories <= _RESOLVABLE
        and bool(_PAST.search(text))
        and bool(_RESOLVED.search(text))
        and not _PRESENT_AGAIN.search(text)
    )


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
    (re.compile(r"(?<=[a-z]) 2 (?=[a-z])"), " to "),  # "want 2 die"
    (re.compile(r"\brn\b"), "right now"),
    (re.compile(r"\bu\b"), "you"),
    (re.compile(r"\bi\s*m\b"), "im"),
    (re.compile(r"\s+"), " "),
)


def normalize(text: str) -> str:
    """Lower-case, drop accents and apostrophes, and spell common variants one way."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text.strip()


def lexicon_matches(normalized: str) -> list[Rule]:
    """Every rule that matches the normalised text, most urgent category first."""
    return [rule for rule in RULES if rule.pattern.search(normalized)]
