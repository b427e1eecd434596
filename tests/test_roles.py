"""Speaker roles: lexicon, PT ambiguity, user roles, roles files, inference with evidence."""

import pytest

from ta_nlp.errors import TaNlpError
from ta_nlp.markup import clean
from ta_nlp.model import Transcript, Utterance
from ta_nlp.roles import (
    MIN_CONFIDENCE,
    RoleMap,
    apply_roles,
    label_role,
    parse_roles,
    resolve_roles,
)


def transcript(*units, tid="t1"):
    utts = []
    for i, (speaker, text) in enumerate(units):
        u = Utterance(id=f"{tid}-{i:04d}", speaker=speaker, text=text)
        u.clean_text, u.events = clean(text)
        utts.append(u)
    return Transcript(id=tid, sources=[f"{tid}.txt"], utterances=utts)


@pytest.mark.parametrize("label, role", [
    ("therapist", "clinician"), ("Physio", "clinician"), ("PHYSIOTHERAPIST", "clinician"),
    ("Clinician", "clinician"), ("provider", "clinician"), ("doctor", "clinician"),
    ("Dr. Nair", "clinician"), ("Dr Smith", "clinician"), ("Interviewer", "clinician"),
    ("Therapist 1", "clinician"), ("Physical Therapist", "clinician"),
    ("patient", "patient"), ("Client", "patient"), ("participant", "patient"),
    ("Patient (P01)", "patient"), ("Sam (patient)", "patient"), ("CLIENT:", "patient"),
    ("Interpreter", "other"), ("unknown", "other"),
    ("PT", "ambiguous"), ("pt", "ambiguous"),
    ("Priya Nair", None), ("Speaker 1", None), ("SPEAKER_00", None), ("Pat", None),
])
def test_label_lexicon(label, role):
    assert label_role(label) == role


def test_primock_and_annomi_labels():
    t = transcript(("doctor", "How can I help?"), ("patient", "My back."))
    assert {s: d.role for s, d in resolve_roles(t).items()} == {"doctor": "clinician",
                                                                "patient": "patient"}
    t = transcript(("therapist", "What brings you?"), ("client", "Drinking."))
    assert {s: d.role for s, d in resolve_roles(t).items()} == {"therapist": "clinician",
                                                                "client": "patient"}


def test_pt_beside_patient_is_the_physical_therapist():
    t = apply_roles(transcript(("PT", "Hi, come in."), ("Patient", "Thanks.")))
    assert [u.role for u in t.utterances] == ["clinician", "patient"]
    assert "physical therapist beside 'Patient'" in t.metadata["role_evidence"]
    assert t.metadata["role_confidence"] == 1.0


def test_pt_without_a_patient_is_ambiguous():
    with pytest.raises(TaNlpError) as info:
        resolve_roles(transcript(("PT", "How are you?"), ("Dr Jones", "Fine, and you?")))
    assert info.value.code == "E203"
    assert "--roles \"PT=clinician\"" in info.value.message
    # the user settles it
    roles = resolve_roles(transcript(("PT", "Hi"), ("Dr Jones", "Hello")), {"PT": "patient"})
    assert roles["PT"].role == "patient" and roles["PT"].source == "explicit"


def test_user_roles_match_names_ignoring_case_and_spacing():
    t = transcript(("Priya Nair", "Hello"), ("Sam", "Hi"))
    roles = resolve_roles(t, "priya  nair=clinician, Sam=patient")
    assert {s: (d.role, d.source) for s, d in roles.items()} == {
        "Priya Nair": ("clinician", "explicit"), "Sam": ("patient", "explicit")}


@pytest.mark.parametrize("spec, code", [("Priya", "E204"), ("=clinician", "E204"),
                                        ("Priya=boss", "E202")])
def test_bad_roles_option(spec, code):
    with pytest.raises(TaNlpError) as info:
        parse_roles(spec)
    assert info.value.code == code


def test_roles_file_with_and_without_transcript_scope(tmp_path):
    path = tmp_path / "roles.csv"
    path.write_text("transcript_id,speaker,role\nv1,Alex,clinician\nv1,Jo,patient\n"
                    ",Jo,clinician\n,Alex,patient\n", encoding="utf-8")
    role_map = RoleMap.build(roles_file=path)
    assert role_map.get("v1", "Alex") == "clinician" and role_map.get("v2", "Alex") == "patient"
    # the command line wins over the file
    assert RoleMap.build("Alex=other", path).get("v2", "Alex") == "other"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,role\nAlex,clinician\n", encoding="utf-8")
    with pytest.raises(TaNlpError) as info:
        RoleMap.build(roles_file=bad)
    assert info.value.code == "E104"
    bad.write_text("speaker,role\nAlex,clinician\nJo,doctorish\n", encoding="utf-8")
    with pytest.raises(TaNlpError) as info:
        RoleMap.build(roles_file=bad)
    assert info.value.code == "E202" and ":3:" in info.value.message


def test_complement_of_a_known_role():
    roles = resolve_roles(transcript(("Dr Patel", "What's wrong?"), ("Sam Lee", "My knee.")))
    assert (roles["Sam Lee"].role, roles["Sam Lee"].source) == ("patient", "complement")


def test_role_column_is_used():
    t = transcript(("Kim", "Hi"), ("Pete", "Hello"))
    t.utterances[0].role, t.utterances[1].role = "clinician", "patient"
    roles = resolve_roles(t)
    assert [(d.role, d.source) for d in roles.values()] == [("clinician", "column"),
                                                            ("patient", "column")]


CONSULTATION = [
    ("Anita Rao", "Hi Sam, I'm Anita, one of the physiotherapists. What brings you in today?"),
    ("Sam Okafor", "It's my neck, it's been really stiff for six weeks."),
    ("Anita Rao", "Six weeks. Does it wake you at night?"),
    ("Sam Okafor", "Sometimes, yes. I've been sleeping badly."),
    ("Anita Rao", "And when you turn your head, which side is worse?"),
    ("Sam Okafor", "The right. It hurts when I check my blind spot."),
    ("Anita Rao", "Okay. Can you turn your head slowly to the right for me?"),
    ("Sam Okafor", "That's as far as it goes."),
]


def test_inference_from_talk_with_evidence_and_confidence():
    t = apply_roles(transcript(*CONSULTATION))
    assert [u.role for u in t.utterances[:2]] == ["clinician", "patient"]
    evidence = t.metadata["role_evidence"]
    assert "Anita Rao=clinician (inferred:" in evidence
    assert "asks 100% of 4 questions" in evidence
    assert "introduces themself as a clinician" in evidence
    assert MIN_CONFIDENCE <= t.metadata["role_confidence"] < 1.0


def test_inference_does_not_depend_on_who_speaks_first():
    reordered = CONSULTATION[1:] + CONSULTATION[:1]
    roles = resolve_roles(transcript(*reordered))
    assert roles["Anita Rao"].role == "clinician"


def test_not_confident_stops_and_lists_speakers_and_the_option():
    t = transcript(("Alex", "Hello."), ("Jo", "Hi."), ("Alex", "Nice day."), ("Jo", "It is."))
    with pytest.raises(TaNlpError) as info:
        resolve_roles(t)
    message = info.value.message
    assert info.value.code == "E201"
    assert "'Alex' (2 units), 'Jo' (2 units)" in message
    assert "not confident enough" in message
    assert '--roles "' in message and "=clinician," in message


def test_more_than_two_unknown_speakers_stop():
    t = transcript(("A", "Hi?"), ("B", "Yes"), ("C", "Hm"), ("A", "Ok?"), ("B", "Ok"), ("C", "Ok"))
    with pytest.raises(TaNlpError) as info:
        resolve_roles(t)
    assert info.value.code == "E201" and "More than two speakers" in info.value.message


def test_a_transcript_without_clinician_or_patient_stops():
    with pytest.raises(TaNlpError) as info:
        resolve_roles(transcript(("unknown", "Hello, how can I help?"), ("unknown", "My back.")))
    assert info.value.code == "E201" and "'unknown' (2 units)" in info.value.message
    assert "diarize it first" in info.value.message
