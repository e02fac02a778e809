"""The crisis detector, phrase by phrase: what must page the on-call clinician, and what must not.

Every change to clinic/messaging/crisis/ adds its phrasings here. These are written apart from the labelled
corpus (clinic/messaging/crisis/corpus/), so they also check that the rules generalise beyond it.
"""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from clinic.checkins.models import Alert
from clinic.messaging.crisis import crisis_language_in
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.scheduling.models import Clinic
from tests.checkins.conftest import ON_CALL, local, patient_texts

MUST_FLAG = [
    # wanting to die
    "I want to die",
    "i wanna die",
    "I just want to die",
    "i want 2 die",
    "I want to diee",
    "I wanted to die last night",
    "honestly I'm ready to die",
    "i wish i was dead",
    "I wish I could just die",
    "I wish I had never been born",
    "everyone would be better off without me",
    "I'm better off dead",
    "I don't want to live anymore",
    "i dont want to wake up tomorrow",
    "I do not want to be alive",
    "I don\u2019t want to be here anymore",  # a curly apostrophe, as phones type it
    "there's no reason to live",
    "no point in living",
    "I have nothing left to live for",
    "life isn't worth living",
    "I'm tired of living",
    "I can't go on anymore",
    "i cant go on.",
    # suicide, and its misspellings and slang
    "thinking about suicide",
    "I feel suicidal",
    "feeling sucidal tonight",
    "suicdal thoughts again",
    "I keep having suiside thoughts",
    "SUICIDE",
    "I want to unalive myself",
    "thinking about sewer slide lol",
    "I'm not suicidal, just tired",  # flagged by design: a clinician decides, not a regex
    # killing oneself
    "I'm going to kill myself",
    "i keep thinking about killing myself",
    "i want to kill my self",
    "i want to kil myself",
    "kms",
    "I want to end my life",
    "thinking of ending my life",
    "I'm going to end it all",
    "I just want to end it",
    "I'm going to take my own life",
    "I'll hang myself",
    "I want to jump off a bridge",
    # harming oneself
    "I want to hurt myself",
    "I've been hurting myself again",
    "I cut myself again",
    "cutting my self tonight",
    "self harm",
    "self-harming again",
    "I keep burning myself on purpose",
    "I might slit my wrists",
    # overdose
    "I might overdose",
    "thinking about an overdose",
    "I overdosed on my pills",
    "I'm going to OD",
    "OD'd last night",
    "I took a whole bottle of pills",
    "gonna take all my pills at once",
    # Spanish
    "quiero morir",
    "me quiero matar",
    # crisis language comes first even inside a keyword reply
    "STOP I want to end my life",
    # acts already taken
    "already took all 40 of my lamictal",
    "5 i swallowed the rest of my sleeping pills",
    # means and plans: a weapon, a ligature, a height, a vehicle
    "i\u2019m holding my husband\u2019s gun right now",
    "tied my belt to the closet rod",
    "sitting on the ledge of my building",
    "i keep thinking about stepping in front of a bus",
    # safety, farewells, burden, passive wishes, relapse
    "i don\u2019t trust myself around my meds tonight",
    "this is my last text. love you mom",
    "gave my cat to my neighbor, wont need to worry about her after im gone",
    "my kids would be better off without me",
    "i wish i could fall asleep and never wake up",
    "relapsed last night, cut my arm",
    # Spanish
    "no quiero despertar mañana",
    "me tomé todas mis pastillas",
    "ya no aguanto más, perdón por todo",
    "estoy en el puente",
    "me quiero aventar del puente",
    # a second probe, written after the lexicon was rebuilt (one that still fails is in the README)
    "i already took the pills, all of them",
    "swallowed a whole pack of paracetamol",
    "took every pill i had left",
    "just overdosed on my antidepressants",
    "i slit my wrist",
    "i hung a rope from the ceiling fan",
    "my dad keeps a shotgun and i know where the key is",
    "i drove to the bridge and i'm sitting in the car",
    "thinking about driving off a cliff",
    "i want to get hit by a train",
    "i've been stockpiling my sleeping pills for weeks",
    "i wrote a suicide note",
    "i'm not safe alone tonight",
    "please don't let me be alone tonight",
    "im scared ill hurt myself",
    "can you lock up my meds, i'm scared",
    "i want everyone to know i love them. goodbye",
    "you guys have been great. this is the end for me",
    "i'm a burden to everybody around me",
    "everyone would be happier if i was dead",
    "i just want to sleep forever",
    "i hope i never wake up",
    "i don't want to be alive tomorrow",
    "it would be easier if i just died",
    "i wish i could stop existing",
    "i feel like ending it",
    "i keep thinking i'd be better off dead",
    "im gonna kms tonight",
    "unalive thoughts again",
    "i relapsed and burned myself",
    "i cut myself deep tonight",
    "been self harming a lot",
    "i keep hurting myself",
    "quiero quitarme la vida",
    "ya no quiero estar aquí",
    "me voy a matar esta noche",
    "me tomé un montón de pastillas",
    "tengo una soga",
    "me quiero tirar del puente",
    "ya no tiene caso vivir",
    "mejor me muero",
    "todos estarían mejor sin mí",
    "me despido de todos",
    "no aguanto más la vida",
    "me corté los brazos",
    "me estoy cortando otra vez",
    "nadie me va a extrañar",
    "3 ngl i wanna die",
    "7 but i took all my pills an hour ago",
    "i don\u2019t see a reason to live",
    "i\u2019m done. goodbye",
    "i can\u2019t stay safe",
    "my life is pointless",
    "there\u2019s nothing left for me",
    # a third probe (its three misses are in the README)
    "i swallowed everything in my nightstand",
    "took like 15 of my ambien just now",
    "i tied the cord around my neck but stopped",
    "bought a rope at home depot today, for me",
    "i have my grandpa's revolver in my lap",
    "i'm parked on the tracks",
    "gonna run my car off the road tonight",
    "i keep looking up how to hang myself",
    "i don't feel safe in my own head tonight",
    "please come get me, i'm scared of myself",
    "i need you to take the knives out of my house",
    "thank you for trying to help me. i'm sorry i couldn't get better",
    "i've put my affairs in order",
    "they'd all be better off",
    "i'm just dead weight to my family",
    "nobody would come to my funeral anyway",
    "i wish i'd just never wake up",
    "i hope this headache kills me",
    "i don't wanna be here no more",
    "i want it to be over",
    "i can't keep doing this",
    "what's even the point",
    "i'm tired of being alive",
    "i've been cutting again for a week",
    "relapsed, burned my arm with a lighter",
    "i wanna hurt myself so bad rn",
    "i want to die lol",
    "i'm going to end my life on friday",
    "i'm seriously thinking about killing myself",
    "thinking about sewerslide again",
    "quiero desaparecer",
    "ya no quiero seguir viviendo",
    "me voy a tomar todas las pastillas esta noche",
    "estoy pensando en tirarme del edificio",
    "soy un estorbo para todos",
    "me lastimé otra vez",
    "ya no puedo con esta vida",
]

MUST_NOT_FLAG = [
    "I'm dying to come back",
    "dying to see you all next week!",
    "My back is killing me",
    "this heat is killing me lol",
    "the traffic killed me today",
    "I'd kill for a coffee",
    "I'm dead tired",
    "that joke killed me",
    "I nearly died laughing",
    "This cake is to die for",
    "I would die for my kids",
    "I'm going to die of embarrassment",
    "Killing it at work today",
    "Can we end the session early?",
    "Let's end it here for today",
    "I want to dye my hair",
    "I ran 5 kms this morning",
    "that's odd",
    "My dog died last year and I still miss him",
    "I hurt my back lifting boxes",
    "it really hurt my self-esteem",
    "I'm cutting myself some slack this week",
    "The payment is overdue",
    "I can't go on Tuesday, can we move it?",
    "I took all of my meds today",
    "Remember to take your pills",
    "I want to take my life back",
    "The OD appointment is on Friday",
    "I succeeded!",
    "I sussed it out",
    "8",
    "Feeling great today, 9/10",
    "Home safe, thanks!",
    "I'm done with work for today",
    "dead battery, sorry for the late reply",
    "STOP",
    "C",
    "my phone is about to die, call you later",
    "this commute is killing me",
    "can i take my seroquel the night before?",
    "how long do i have to fast",
    "we buried my grandma today, sad but ok",
    "feeling 6/10",
    "me muero de sueño",
    "goodbye, see you thursday!",
    "i took my meds with breakfast",
    "i cut my hair short",
    "i took the rest of the week off",
    "my brother is a pain, he'll kill me if i tell mom",
    "this meeting is killing me",
    "dying to try the new cafe near the clinic",
    "i'm dead, that was hilarious",
    "i could kill for some tacos",
    "traffic is a nightmare, running late",
    "can i take my pills with water before",
    "how many hours before do i stop eating",
    "i missed a dose yesterday, is that ok",
    "my grandma passed last week, it's been hard",
    "my dog died, i'm sad",
    "last year was the worst, i wanted to die, but now im doing great",
    "i'm 8/10 today",
    "5",
    "feeling a 6",
    "can i move thursday to friday",
    "wrong number sorry",
    "is the clinic open on saturday",
    "stop texting me",
    "i gave my old car to my son",
    "the train was late so i missed my bus",
    "i'm on the train now, be there soon",
    "i'm at the parking garage, which floor",
    "my knife skills are terrible lol, cut my finger",
    "the doctor said to take 2 pills",
    "i'll take all the help i can get",
    "i took all the forms home to fill",
    "i'm done with the forms",
    "goodbye for now, see you next week",
    "thank you for everything, see you on the 12th",
    "me muero de hambre",
    "estoy muerto de sueño",
    "ya no aguanto este tráfico",
    "puedo tomar mis pastillas antes",
    "cuántas horas de ayuno",
    "mi abuela murió hace un mes",
    "8 gracias",
    "me siento mucho mejor que antes",
    "i'm so tired of this rain",
    "i hate mondays",
    "i can't take another call from billing",
    "kill the lights when you leave lol",
    "my feet are killing me after the walk",
    "i'm dying to know my results",
    "i'd die for a burrito right now",
    "can i take my sleeping pill the night before",
    "do i need to stop my adderall before the session",
    "how long should i fast, 6 hours?",
    "my mom died two years ago and i still cry sometimes",
    "feeling 4, tired from work",
    "7/10 today",
    "i'm doing so much better since the treatment",
    "can we reschedule to next week",
    "i'm stuck in traffic on the bridge, 10 min late",
    "my sister is giving away her dog, do you know anyone",
    "i'm done with my intake forms",
    "bye, see you monday",
    "i cut my hand opening a box, it's fine",
    "i'm so tired of this cold",
    "i can't do tuesdays anymore",
    "this heat wave is killing me",
    "i'll be dead to the world after the infusion lol",
    "me muero de ganas de verlos",
    "ya no puedo esperar para la próxima sesión",
    "me siento bien hoy, 8",
    "mi perro murió, estoy triste",
    "llego tarde, hay mucho tráfico",
]


@pytest.mark.parametrize("text", MUST_FLAG)
def test_crisis_language_is_flagged(text: str) -> None:
    assert crisis_language_in(text), text


@pytest.mark.parametrize("text", MUST_NOT_FLAG)
def test_figures_of_speech_and_ordinary_replies_are_not_flagged(text: str) -> None:
    assert not crisis_language_in(text), text


def test_the_table_is_large_enough_to_trust() -> None:
    assert len(MUST_FLAG) + len(MUST_NOT_FLAG) >= 60
    assert len(MUST_NOT_FLAG) >= 25


def on_call_texts() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT, to_number=ON_CALL))


@pytest.mark.django_db
def test_at_3am_dying_to_come_back_pages_nobody_but_i_want_to_die_does(client: Client, clinic: Clinic) -> None:
    with time_machine.travel(local(2026, 12, 8, 3, 0), tick=False):
        reply = patient_texts(client, "I'm dying to come back")
        assert "988" not in reply
        assert InboundMessage.objects.get().route == InboundMessage.Route.INBOX
        assert not Alert.objects.exists() and on_call_texts() == []

        reply = patient_texts(client, "I want to die")

    assert "988" in reply and "911" in reply
    alert = Alert.objects.get()
    assert (alert.urgency, alert.reason) == (Alert.Urgency.URGENT, Alert.Reason.CRISIS)
    [page] = on_call_texts()
    assert page.outside_texting_hours_ok and page.send_after == local(2026, 12, 8, 3, 0)
