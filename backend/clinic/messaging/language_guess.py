"""Which language a patient's text is written in: English, Spanish, or "" when it cannot tell.

Lexicon-based, accent- and case-insensitive: each word found in one language's list and not the other's
counts for that language; ñ, ¿ and ¡ count for Spanish. The language with clearly more evidence wins
(`_WINS_BY`); a tie, or a text with no evidence ("7", "ok", "C", an emoji, "no"), is "". Words both
languages use ("no", "me", "a", "ok", "hospital", "doctor") and the carriers' keywords everybody sends
whatever their language (STOP, HELP, INFO, START, C, R, Y) are in neither list, so they never decide.

A mixed text ("estoy bien pero my head hurts") goes to the language most of its words are in, and an even
mix is "": the answer then falls back to the language we know the sender reads (inbound.reply_language).

Measured on the crisis corpus's English and Spanish rows by tests/messaging/test_language_guess.py.
"""

from __future__ import annotations

import re

from clinic.core.text import accents_fold, quotes_straighten


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words only Spanish uses (in texts), written without accents. Left out on purpose, as English texts use them
# too: "no", "me", "a", "y" (English's "Y" for yes), "o", "u", "e", "k", "ya", "va" (the VA), "son",
# "come", "once", "he", "ha", "van", "sea", "mayo", "pie", "dime", "red", "fin", "pan", "mama", "papa",
# "hospital", "doctor", "normal", "total", "final".
SPANISH_WORDS = _word_set(
    """
    el la los las un una unos unas lo le les al del de en con por para sin sobre entre hasta desde hacia
    que q qu pq xq porque porq pues pero sino ni si tambien tampoco muy mas menos tan tanto es esta
    estoy estas estamos estan estaba estuve estuvo esto este eso ese esa esos esas estos soy eres somos
    era fue fui sido ser estar hay habia haber tengo tiene tienes tienen tenemos tenia tener hago hace
    hacer hizo hice puedo puede pueden podemos podria poder quiero quiere quieres quieren querer
    necesito necesita necesitamos voy vas vamos ir vengo viene venir llego llegue llegamos llegar
    llegando regreso sali salir sigo sigue seguir creo siento sentir sentido siente senti dijo dije digo
    decir se sabe saber veo ver vemos verte doy dar dio pongo pone paso pasa pasar mi mis tu tus su sus
    nuestro nuestra yo usted ustedes ella ellos ellas nosotros nos te conmigo contigo mio mia suyo cual
    cuales quien quienes donde cuando como cuanto cuanta cuantos cuantas aqui alli alla ahi ahora hoy
    manana ayer anoche luego despues antes temprano tarde siempre nunca jamas todavia aun casi solo sola
    solos mismo misma otra otro otros otras todo toda todos todas nada algo alguien nadie cada bien mal
    mejor peor bueno buena buenos buenas malo mala gracias hola adios favor porfa porfavor xfa perdon
    disculpe disculpa claro vale listo lista dale oye mire mira senora senor senorita doctora enfermera
    cita citas consulta sesion sesiones turno horario hora horas dia dias semana semanas mes noche
    noches casa trabajo familia hijo hija hijos hijas esposo esposa mami papi hermano hermana nieto
    nieta abuela abuelo amigo amiga perro gato carro coche camion dinero pago seguro receta pastilla
    pastillas medicina medicinas medicamento dolor cabeza estomago cuerpo sueno hambre miedo triste
    tristeza feliz cansado cansada enfermo enferma mareado mareada mareo nauseas vomito animo ansiedad
    calma tranquilo tranquila contento contenta segura vida muerte morir matar ayuda ayudar ayudenme
    ayudame socorro confirmo confirmado confirmada confirmar cancelar cancelo reprogramar reagendar
    cambiar cambio mover posponer llamar llamen llamenme llameme llamame llamada mensaje mensajes texto
    textos escribir escriban numero telefono celular cero uno dos tres cuatro cinco seis siete ocho
    nueve diez lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril junio
    julio agosto septiembre octubre noviembre diciembre jaja jajaja jeje pa pal pos nomas ahorita orita
    chido neta wey guey chamba platicar platicamos ando anda andar estare estaremos podre podra sere
    tendre vendre llegare ire habra parar alto baja detener basta alta reanudar comenzar iniciar empezar
    chofer desuscribir suscripcion
    ojala quisiera existir muera muerta muerto pronto intente lastime proposito volvi volver
    cortar cortarme dormi dormir poco aceptan despierte consumir estuviera hubiera fuera tuviera pudiera
    gusta gustaria verdad vez veces mucho mucha muchos muchas poquito bastante demasiado nuevo nueva
    primera primero ultimo ultima siguiente proxima proximo gente persona ningun ninguna ninguno hablar
    hable hablamos quedo quedar queda tomar tome tomo comer comi dormido despierto despierta
    varios varias mitad ke kiero nesesito nececito llege aver osea
    paren detengan desuscribirme desuscribirse unsuscribir eliminenme borrenme quitenme saquenme conductor
    """
)

# Words only English uses (in texts), without apostrophes ("don't" is "dont"). Left out on purpose: words
# Spanish texts use too ("no", "me", "ok", "okay", "am", "pm", "son", "come") and the keywords our texts
# may ask for in any language ("stop", "help", "info", "start", "cancel", "ride", "driver").
ENGLISH_WORDS = _word_set(
    """
    the and i im ive ill id you your youre youll yours u ur my mine we were us our they them their
    theyre she her him his it its this that these those there here what whats when where why how who
    whom which is are was be been being do does did done dont doesnt didnt cant cannot couldnt wont
    wouldnt shouldnt isnt arent wasnt werent havent hasnt hadnt aint can could will would should shall
    may might must have has had having get got gets getting go goes going gone went gonna wanna gotta
    coming came make makes making made take takes taking took need needs needed want wants wanted know
    knew think thought feel feels feeling felt look looking see saw say said tell told ask asked call
    called calling text texted texting let lets keep kept try tried give gave put work working to of for
    with on at in into from by about after before over under up out off again still just only also too
    very really so not but or if then than because cause cuz bc since until while all any some every
    each more most much many few lot lots little bit today tomorrow tonight yesterday morning afternoon
    evening night week weekend day days month time now later soon already yet ever never always
    sometimes yes yeah yep yup yea nope nah sure thanks thank thx ty please pls plz sorry hi hello hey
    bye good bad better worse best worst great fine alright well sick tired sad happy scared afraid
    anxious safe home house appointment appointments session visit reschedule rescheduled confirm
    confirmed cancelled canceled move change instead car mom dad husband wife daughter kids kid friend
    sister brother job pain head stomach sleep slept hungry meds pill pills life dead die dying kill
    hurt hurting one two three four five six seven eight nine ten monday tuesday wednesday thursday
    friday saturday sunday january february march april june july august september october november
    december lol omg idk tbh btw rn like love hate
    goodbye everyone everything everybody nothing nobody someone something anyone anything forever point
    anymore hope left wrong number late min mins running charged twice mood energy kinda sorta whatever
    meh voices loud parking sucks miss missed grandpa grandma year years clean abt probably maybe
    actually literally honestly pretty almost enough other another first last next people talk talked
    talking trying doing thing things stuff says sleeping eating
    """
)

# How much more evidence the winning language needs than the other: 3 words against 2 is too close to call.
_WINS_BY = 1.5
_SPANISH_MARKS = ("ñ", "¿", "¡")
_WORD = re.compile(r"[a-z]+")


def _folded(text: str) -> str:
    """Lower case, accents dropped ("Sí" -> "si", "Mañana" -> "manana"), apostrophes removed ("don't" -> "dont")."""
    return accents_fold(quotes_straighten(text.lower())).replace("'", "")


def language_evidence(body: str) -> tuple[float, float]:
    """(Spanish, English): how many of the text's words only that language uses, plus Spanish's marks."""
    words = _WORD.findall(_folded(body))
    spanish = float(sum(word in SPANISH_WORDS for word in words))
    english = float(sum(word in ENGLISH_WORDS for word in words))
    lowered = body.lower()
    spanish += sum(mark in lowered for mark in _SPANISH_MARKS)
    return spanish, english


def text_language_guess(body: str) -> str:
    """ "es", "en", or "" when the text gives no clear evidence of either (see the module's docstring)."""
    spanish, english = language_evidence(body)
    if spanish > english and spanish >= _WINS_BY * english:
        return "es"
    if english > spanish and english >= _WINS_BY * spanish:
        return "en"
    return ""
