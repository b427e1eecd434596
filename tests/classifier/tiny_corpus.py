"""A tiny hand-written corpus in the authoring format (data/annotated/pt/FORMAT.md) for tests.

Written for these tests (no text from any data set). Six short physio conversations; each code
appears in several of them, phrased differently, so a tiny model can learn something in seconds.
"""

from __future__ import annotations

from pathlib import Path

HEADER = """# transcript_id: {tid}
# region: {region}
# presentation: {presentation}
# setting: {setting}
# clinician_style: {style}
# patient_temperament: {temper}
# clinician: {clin}
# patient: {pat}
# author: test-writer
"""

TRANSCRIPTS = {
    "tiny01_knee": {"region": "knee", "presentation": "knee pain on stairs", "setting": "in-person",
                        "style": "warm", "temper": "chatty", "clin": "PT", "pat": "Patient", "body": """
PT: Hello, come on in, I'm Sam. Let's start with a few questions. || transition
Patient: Hi. It's my knee, it hurts going down stairs.
PT: How long has your knee been bothering you? || information_gathering
Patient: About two months now.
PT: Two months, okay. || restating
Patient: And it clicks [laughs] like an old door.
PT: [laughs] A very musical knee then. || humour
Patient: Ha, yes. It wakes me at night too.
PT: Mm-hmm. || listening
Patient: Which is the worst bit honestly.
PT: That sounds exhausting, I'm sorry. || empathy
Patient: It is.
PT: When you say it clicks, is that painful or just a noise? || clarifying_question
Patient: Just a noise.
PT: Now I'm going to have a look at how it moves. || transition
PT: I'll press gently around the kneecap, tell me if it hurts. || touch
Patient: A bit there.
PT: Pain is like an alarm, and right now your alarm is a little sensitive. || pain_education
Patient: Oh right.
PT: This looks like irritation at the front of the knee, which usually settles with exercise. || education
Patient: Good to know.
PT: Okay. ||
"""},
    "tiny02_back": {"region": "lumbar spine", "presentation": "low back pain", "setting": "telehealth",
                        "style": "rushed", "temper": "stoic", "clin": "Physio", "pat": "Client", "body": """
Physio: Right, can you hear me? ||
Client: Yes.
Physio: What brings you in today? || information_gathering
Client: My back. Lifting a box.
Physio: So it started after lifting the box. || restating
Client: Yeah.
Physio: Does it go down your leg at all? || information_gathering
Client: No.
Physio: Okay, go on. || listening
Client: It's stiff in the morning.
Physio: Stiff in the morning, is that right? || restating, clarifying_question
Client: Yes.
Physio: Hurt does not mean harm, your back is strong. || pain_education
Client: Okay.
Physio: Keep moving and walk every day, it should ease in a few weeks. || education
Client: Fine.
Physio: Next let's talk about your plan. || transition
Physio: I'm sorry this has been so hard. || empathy
Client: Thanks.
Physio: Let me feel the muscles along your spine. || touch
Client: Sure.
"""},
    "tiny03_shoulder": {"region": "shoulder", "presentation": "shoulder pain reaching",
                            "setting": "in-person", "style": "humorous", "temper": "anxious", "clin": "PT",
                            "pat": "Pt", "body": """
PT: Morning! Come through, mind the giant exercise ball. || transition, humour
Pt: Morning [laughs].
PT: Tell me about your shoulder. || information_gathering
Pt: It hurts when I reach up to the cupboard.
PT: Reaching up is the tricky bit. || restating
Pt: Yes and I worry it's torn.
PT: That's a really understandable worry. || empathy
Pt: My friend tore hers.
PT: Mm. || listening
Pt: She needed surgery.
PT: Which cupboard, the high one or the low one? || clarifying_question
Pt: The high one.
PT: Does it wake you at night? || information_gathering
Pt: Sometimes.
PT: Is it okay if I hold your arm and move it for you? || touch
Pt: Yes.
PT: Your nervous system is being protective, so it turns the volume up on pain. || pain_education
Pt: Huh.
PT: The tendon is irritated, and strengthening exercises help it recover. || education
Pt: Okay.
PT: Well at least the cupboard can't run away. || humour
Pt: [laughs]
"""},
    "tiny04_ankle": {"region": "ankle", "presentation": "ankle sprain", "setting": "in-person",
                         "style": "biomedical", "temper": "terse", "clin": "PT", "pat": "Patient", "body": """
PT: Hi, before we start, I'll ask a few questions then examine you. || transition
Patient: Okay.
PT: How did you hurt your ankle? || information_gathering
Patient: Rolled it at football.
PT: You rolled it playing football. || restating
Patient: Yep.
PT: Uh-huh, take your time. || listening
Patient: It swelled up straight away.
PT: Sorry, did you say it swelled straight away? || clarifying_question
Patient: Yes.
PT: That must have been painful. || empathy
Patient: It was.
PT: I'm going to press on the bones around your ankle. || touch
Patient: Ow, there.
PT: Pain after a sprain is your body protecting the area, it doesn't mean more damage. || pain_education
Patient: Okay.
PT: It's a ligament sprain, rest it a couple of days then start moving it. || education
Patient: Right.
PT: Any questions for me? || information_gathering
Patient: No.
"""},
    "tiny05_neck": {"region": "neck", "presentation": "neck pain at desk", "setting": "telehealth",
                        "style": "warm", "temper": "chatty", "clin": "Therapist", "pat": "Client", "body": """
Therapist: Hi, lovely to meet you, shall we get started? || transition
Client: Yes please.
Therapist: What's been happening with your neck? || information_gathering
Client: It aches after working at the laptop all day.
Therapist: So long days at the laptop make it ache. || restating
Client: Exactly, and I get headaches.
Therapist: Mm-hmm, go on. || listening
Client: They're worse on Fridays [laughs].
Therapist: [laughs] Fridays are hard on all of us. || humour
Client: True.
Therapist: That sounds really frustrating. || empathy
Client: It is.
Therapist: When you say headaches, where exactly do you feel them? || clarifying_question
Client: At the back of my head.
Therapist: Stress and poor sleep can make the nervous system more sensitive to pain. || pain_education
Client: Interesting.
Therapist: A few posture breaks each hour and some neck exercises should help. || education
Client: Okay.
Therapist: If we were in the clinic I'd feel the muscles in your neck. ||
Client: Right.
"""},
    "tiny06_hip": {"region": "hip", "presentation": "hip replacement rehab", "setting": "in-person",
                       "style": "rushed", "temper": "stoic", "clin": "PT", "pat": "Patient", "body": """
PT: Okay, come in, sit there. Now let's go through your history. || transition
Patient: Okay.
PT: When was your operation? || information_gathering
Patient: Three weeks ago.
PT: Three weeks. || restating
Patient: Yes.
PT: Right. Mm-hmm. || listening
Patient: I'm using the sticks.
PT: Both sticks, or just the one? || clarifying_question
Patient: Both.
PT: I'm sorry, that sounds like hard work. || empathy
Patient: It's fine.
PT: I'll put my hands on your hip and bend it slowly. || touch
Patient: Okay.
PT: Some soreness is normal, pain doesn't mean the new hip is damaged. || pain_education
Patient: Good.
PT: Walk little and often and do these exercises twice a day. || education
Patient: Will do.
PT: [laughs] Don't worry, the sticks won't be forever. || humour
Patient: Ha.
"""},
}


def write_corpus(root: Path, splits: dict[str, str] | None = None) -> Path:
    """Write the tiny corpus under ``root/pt`` and a ``splits.csv``; returns ``root``."""
    pt = root / "pt"
    pt.mkdir(parents=True, exist_ok=True)
    for tid, spec in TRANSCRIPTS.items():
        body = spec["body"].strip("\n")
        text = HEADER.format(tid=tid, **{k: v for k, v in spec.items() if k != "body"}) + body + "\n"
        (pt / f"{tid}.txt").write_text(text, encoding="utf-8")
    splits = splits or {"tiny01_knee": "train", "tiny02_back": "train", "tiny03_shoulder": "train",
                        "tiny04_ankle": "train", "tiny05_neck": "dev", "tiny06_hip": "test"}
    lines = ["transcript_id,split"] + [f"{t},{s}" for t, s in sorted(splits.items())]
    (root / "splits.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def write_tiny_base(folder: Path, texts: list[str]) -> Path:
    """A randomly initialised 2-layer BERT (hidden 32) with a word-level vocab from ``texts``."""
    import re

    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    words = sorted({w for t in texts for w in re.findall(r"[a-z]+|[^\sa-z]", t.lower())})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    try:  # transformers 5
        tokenizer = BertTokenizer(vocab=str(folder / "vocab.txt"), do_lower_case=True)
    except TypeError:  # transformers 4
        tokenizer = BertTokenizer(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    if len(tokenizer) != len(vocab):
        raise RuntimeError(f"tiny tokenizer has {len(tokenizer)} tokens, expected {len(vocab)}")
    tokenizer.save_pretrained(str(folder))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    from ta_nlp.classifier.inference import quiet_transformers

    with quiet_transformers():
        BertModel(config).save_pretrained(str(folder))
    return folder
