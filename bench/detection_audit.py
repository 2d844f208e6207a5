"""Issue 16's miss categories, each against the tests that guard it: every mutant below
breaks one rule (or drops one lexicon entry) in a scratch copy of the repository, runs
the detection unit tests there, and prints which tests fail. A mutant that no test
kills is a category without a guard. The table in verify/detection/README.md ("Audit")
is this script's output.

`python -m bench.detection_audit` runs them all (about a minute on an idle machine);
`python -m bench.detection_audit A1-tag D23-whether` only those named. A mutant whose
text is no longer in its file is reported as stale: the rule moved, update the mutant.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
TESTS = tuple(
    f"tests/detection/{name}.py"
    for name in (
        "test_news_english",
        "test_headlines",
        "test_hedging",
        "test_attribution",
        "test_attribution_frames",
        "test_source_precision",
        "test_signals",
        "test_contest_signals",
        "test_attribution_rules",
        # round 7 (branch detection-round7): the misses noted at the last stop
        "test_document_issuers",
        "test_official_roles",
        "test_named_people",
        "test_names_in_other_scripts",
    )
)


class Mutant(NamedTuple):
    id: str
    category: str
    path: str
    old: str  # must occur exactly once in the file
    new: str


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "C18-order",
        "told X to do Y: an order, no source (stop 26)",
        "verify/detection/attribution.py",
        'if w in {"told", "tell", "tells"} and _an_order(tokens, v):',
        "if False:",
    ),
    Mutant(
        "A1-tag",
        "party tag in parentheses",
        "verify/detection/phrases.py",
        "tag = _tag_start(tokens, e)",
        "tag = None",
    ),
    Mutant(
        "A2-adverb-ly",
        "adverb/auxiliary before verb (-ly adverbs)",
        "verify/detection/phrases.py",
        "if t.lower in lx.BETWEEN_SUBJECT_AND_VERB or adverb(t):",
        "if t.lower in lx.BETWEEN_SUBJECT_AND_VERB:",
    ),
    Mutant("A2-long", "adverb 'long'", "verify/detection/lexicon.py", " long often", " often"),
    Mutant("A2-often", "adverb 'often'", "verify/detection/lexicon.py", " long often", " long"),
    Mutant(
        "A2-has",
        "auxiliary 'has'",
        "verify/detection/lexicon.py",
        '"has have had will would also',
        '"have had will would also',
    ),
    Mutant(
        "A3-participle",
        "participle/gerund clauses",
        "verify/detection/clauses.py",
        "if t.lower not in ING_REPORTS or v < start + 2 or",
        "if True or v < start + 2 or",
    ),
    Mutant(
        "A4-coord",
        "second reporting clause (and/but + subject)",
        "verify/detection/attribution.py",
        "if e > 0 and tokens[e - 1].lower in _COORDINATORS:",
        "if False:",
    ),
    Mutant(
        "A5-rel",
        "relative clauses",
        "verify/detection/attribution.py",
        "rel = next((k for k in range(i, j) if tokens[k].lower in _REL), None)",
        "rel = None",
    ),
    Mutant(
        "A5-whose",
        "relative clauses (whose)",
        "verify/detection/attribution.py",
        'if i < j and tokens[i].lower == "whose" and i > 0:',
        "if False:",
    ),
    Mutant(
        "A6-prog",
        "the progressive",
        "verify/detection/attribution.py",
        'progressive = w.endswith("ing") and v > 0 and tokens[v - 1].lower in _BE_FINITE',
        "progressive = False",
    ),
    Mutant(
        "A7-paren",
        "subject separated from verb by a clause",
        "verify/detection/attribution.py",
        "if c >= 0 and aside:",
        "if False:",
    ),
    Mutant(
        "A8-afterdet",
        "modifier inside according to the top ... journal",
        "verify/detection/phrases.py",
        "after_det = prev in lx.DETERMINERS",
        "after_det = False",
    ),
    Mutant(
        "B9-point",
        "pointed to",
        "verify/detection/clauses.py",
        'return nxt in {"to", "out"}',
        "return False",
    ),
    Mutant(
        "B10-char",
        "characterized X as",
        "verify/detection/clauses.py",
        "    if w in FRAMED:\n        return True",
        "    if w in FRAMED:\n        return False",
    ),
    Mutant(
        "B11-refer",
        "referred to X as",
        "verify/detection/clauses.py",
        'return nxt == "to" and any(t.lower == "as" for t in tokens[v + 2 : v + 10])',
        "return False",
    ),
    Mutant(
        "B12-ask",
        "asked",
        "verify/detection/clauses.py",
        "return nxt in _QUESTION_OPENERS",
        "return False",
    ),
    Mutant(
        "B13-names",
        "names",
        "verify/detection/clauses.py",
        "return v > 0 and tokens[v - 1].lower in _NAMERS",
        "return False",
    ),
    Mutant(
        "C14-told",
        "addressee of told (re-add the addressee)",
        "verify/detection/attribution.py",
        "        found.append(apposed(raw, tokens, raw_i, raw_j, j_end, t, surnames))\n",
        (
            "        found.append(apposed(raw, tokens, raw_i, raw_j, j_end, t, surnames))\n"
            "        if w in {'told', 'tell', 'tells'}:\n"
            "            ai, aj = np_right(tokens, v + 1)\n"
            "            extra = make_raw(tokens, ai, aj, t, surnames, loose=True)\n"
            "            if ai < aj and extra is not None:\n"
            "                found.append(extra)\n"
        ),
    ),
    Mutant(
        "C14-told-inv",
        "addressee of told (told in inverted frame)",
        "verify/detection/attribution.py",
        '"urges urged told tell tells"',
        '"urges urged"',
    ),
    Mutant(
        "C15-cited-prep",
        "object of cited (preposition)",
        "verify/detection/attribution.py",
        'if prep == ("cited",) and not cited_as_saying(tokens, v):',
        "if False:",
    ),
    Mutant(
        "C15-cited-frame",
        "object of cited (frame)",
        "verify/detection/clauses.py",
        'return not cited_as_saying(tokens, v) and nxt != "by"',
        "return True",
    ),
    Mutant(
        "C16-byline",
        "byline",
        "verify/detection/headlines.py",
        "return bool(_BYLINE.match(text))",
        "return False",
    ),
    Mutant(
        "C17-remarks",
        "noun remarks",
        "verify/detection/lexicon.py",
        "warning statement remark remarks ",
        "warning statement ",
    ),
    Mutant(
        "D18-wouldcould",
        "modals would + outcome, could not be ruled out",
        "verify/detection/hedges.py",
        'r"|\\b(?:could|can)(?:\\s+not|not)\\s+be\\s+ruled',
        'r"|\\b(?:couldx|canx)(?:\\s+not|not)\\s+be\\s+ruled',
    ),
    Mutant(
        "D18-could-any",
        "modal could + any verb",
        "verify/detection/hedges.py",
        'r"|\\bcould\\s+(?:also\\s+|soon',
        'r"|\\bcouldx\\s+(?:also\\s+|soon',
    ),
    Mutant(
        "D19-expect",
        "expects",
        "verify/detection/hedges.py",
        'r"\\b(?:[Ee]xpects?|[Ee]xpecting|',
        'r"\\b(?:',
    ),
    Mutant(
        "D19-expected",
        "is expected to",
        "verify/detection/hedges.py",
        '(?<!had )\\b(?:expected|[Pp]rojected)\\b"',
        '(?<!had )\\b(?:[Pp]rojected)\\b"',
    ),
    Mutant(
        "D19-estimate",
        "estimates",
        "verify/detection/hedges.py",
        "[Ee]stimat(?:es?|ed|ing))\\b",
        "[Ee]stimatx(?:es?|ed|ing))\\b",
    ),
    Mutant(
        "D19-forecast",
        "forecasts",
        "verify/detection/hedges.py",
        '+ r"[Ff]orecasts?|[Ff]orecast(?:ed|ing)|',
        '+ r"[Ff]orecastx|',
    ),
    Mutant("D19-foresee", "foresees", "verify/detection/hedges.py", "[Ff]ores(?:ees?|aw|een)|", ""),
    Mutant(
        "D20-perhaps-poss",
        "perhaps in _POSSIBILITY_CUE",
        "verify/detection/hedges.py",
        "appear|seem|perhaps|probably",
        "appear|seem|probably",
    ),
    Mutant(
        "D22-if",
        "conditional if/unless",
        "verify/detection/hedges.py",
        'r"\\b(?:[Ii]f|[Uu]nless|',
        'r"\\b(?:[Ii]fx|[Uu]nlessx|',
    ),
    Mutant(
        "D22-ifthat",
        "if that's true (contraction)",
        "verify/detection/cues.py",
        "(?:is|are|was|were|proves?|['’]s)\\s*",
        "(?:is|are|was|were|proves?)\\s*",
    ),
    Mutant(
        "D23-whether",
        "embedded questions whether",
        "verify/detection/hedges.py",
        'r"\\b(?:[Ww]hether|[Ii]t\\s+',
        'r"\\b(?:[Ii]t\\s+',
    ),
    Mutant(
        "E24-imp-check",
        "impersonal opening (checkable)",
        "verify/detection/checkable.py",
        "impersonal = bool(_IMPERSONAL.match(lower))",
        "impersonal = False",
    ),
    Mutant(
        "E25-reported",
        "It was reported (cue)",
        "verify/detection/cues.py",
        'r"\\bit\\s+(?:is|was|has\\s+been|had\\s+been)\\s+(?:widely\\s+|also\\s+)?(?:reported|alleged|"',
        'r"\\bit\\s+(?:is|was|has\\s+been|had\\s+been)\\s+(?:widely\\s+|also\\s+)?(?:xreported|alleged|"',
    ),
    Mutant(
        "E26-saidto-cue",
        "X is said to (cue)",
        "verify/detection/cues.py",
        'r"\\b(?:is|are|was|were|being)\\s+(?:widely\\s+|also\\s+)?(?:believed|thought|said|"',
        'r"\\b(?:is|are|was|were|being)\\s+(?:widely\\s+|also\\s+)?(?:believed|thought|"',
    ),
    Mutant(
        "F27-nostop",
        "headline without final stop analysed",
        "verify/detection/detector.py",
        "    if not analysable(text):\n        return [], [], ()",
        "    if True:\n        return [], [], ()",
    ),
    Mutant(
        "F28-edge",
        "-- report / : media reports (edge source)",
        "verify/detection/detector.py",
        "for a in edge_sources(plain) + bare_subjects(plain):",
        "for a in bare_subjects(plain):",
    ),
    Mutant(
        "F28-vague",
        "-- report vague (contested)",
        "verify/detection/headlines.py",
        "if words and words[-1] in _VAGUE:",
        "if False:",
    ),
    Mutant(
        "F30-question",
        "question headlines",
        "verify/detection/headlines.py",
        'if text.rstrip("\\"\'”’ ").endswith("?"):',
        "if False:",
    ),
    Mutant(
        "F31-saidto",
        "X said to buy Y",
        "verify/detection/headlines.py",
        'if t.lower == "said" and tokens[k + 1].lower == "to" and prev not in lx.AUXILIARIES:',
        "if False:",
    ),
    Mutant(
        "A4-pron-mid",
        "second reporting clause: pronoun = sentence subject",
        "verify/detection/detector.py",
        'if mid or raw.pronoun in {"its", "their"}:',
        'if raw.pronoun in {"its", "their"}:',
    ),
    Mutant(
        "A4-first-only",
        "second reporting clause: every cue kept",
        "verify/detection/attribution.py",
        "            out.append(a)\n    return out",
        "            out.append(a)\n    return out[:1]",
    ),
    Mutant(
        "D18-may",
        "may",
        "verify/detection/hedges.py",
        'r"\\b(?:may|might)\\s+(?:not\\s+',
        'r"\\b(?:might)\\s+(?:not\\s+',
    ),
    Mutant(
        "D18-might",
        "might",
        "verify/detection/hedges.py",
        'r"\\b(?:may|might)\\s+(?:not\\s+',
        'r"\\b(?:may)\\s+(?:not\\s+',
    ),
    Mutant(
        "D18-would",
        "would",
        "verify/detection/hedges.py",
        'r"|\\bwould\\s+(?:not\\s+|also',
        'r"|\\bwouldx\\s+(?:not\\s+|also',
    ),
    Mutant(
        "D20-perhaps1",
        "perhaps",
        "verify/detection/cues.py",
        'r"\\b(?:perhaps|seemingly|maybe',
        'r"\\b(?:seemingly|maybe',
    ),
    Mutant(
        "D20-seemingly",
        "seemingly",
        "verify/detection/cues.py",
        'r"\\b(?:perhaps|seemingly|maybe',
        'r"\\b(?:perhaps|maybe',
    ),
    Mutant(
        "D20-apparent",
        "apparent",
        "verify/detection/cues.py",
        'maybe|presumably|apparent)\\b"',
        'maybe|presumably)\\b"',
    ),
    Mutant(
        "D20-likely",
        "likely",
        "verify/detection/hedges.py",
        'r"\\b(?:[Ll]ikely|[Uu]nlikely',
        'r"\\b(?:[Uu]nlikely',
    ),
    Mutant(
        "D20-possible",
        "possible",
        "verify/detection/hedges.py",
        '[Pp]lausibl[ey]|[Pp]ossible|"',
        '[Pp]lausibl[ey]|"',
    ),
    Mutant(
        "D21-seemed",
        "seemed without to",
        "verify/detection/cues.py",
        'r"\\b(?:seems?|seemed|appears?|appeared)\\s+(?!(?:to|in|',
        'r"\\b(?:seems?|appears?|appeared)\\s+(?!(?:to|in|',
    ),
    Mutant(
        "D21-appears",
        "appears without to",
        "verify/detection/cues.py",
        'r"\\b(?:seems?|seemed|appears?|appeared)\\s+(?!(?:to|in|',
        'r"\\b(?:seems?|seemed|appeared)\\s+(?!(?:to|in|',
    ),
    Mutant(
        "D22-unless",
        "unless",
        "verify/detection/hedges.py",
        'r"\\b(?:[Ii]f|[Uu]nless|',
        'r"\\b(?:[Ii]f|[Uu]nlessx|',
    ),
    # round 7: the misses noted at the last stop, one mutant per rule
    Mutant(
        "G32-issuer",
        "a document's issuer after 'by' ('a study by X', 'figures released by X')",
        "verify/detection/raw.py",
        'if nxt in {"from", "by"}:',
        'if nxt == "from":',
    ),
    Mutant(
        "G32-issued",
        "issuing participles ('released / published / compiled by X')",
        "verify/detection/raw.py",
        "elif nxt in lx.ISSUED and",
        "elif False and",
    ),
    Mutant(
        "G32-drop-agent",
        "the issuer stays in a subject ('Figures released by X show')",
        "verify/detection/secondary.py",
        "            if tokens[k].lower in lx.ISSUED and tokens[k - 1].lower in "
        "lx.DOCUMENT_HEADS:\n                break\n",
        "",
    ),
    Mutant(
        "G32-wh",
        "'by how they voted' names no issuer",
        "verify/detection/raw.py",
        "return at if at and tokens[at].lower not in _WH else 0",
        "return at",
    ),
    Mutant(
        "G32-cited-doc",
        "a document a speaker cites keeps its issuer ('said an audit by X showed')",
        "verify/detection/attribution.py",
        "                and tokens[head_of(tokens, i, j)].lower not in lx.DOCUMENT_HEADS\n",
        "",
    ),
    Mutant(
        "G32-chain-side",
        "a dispute's core claim of neither side carries no account on",
        "verify/detection/disputes.py",
        "if _side(st.ident.get(ci), d) is None:",
        "if False:",
    ),
    Mutant(
        "G32-stand-in",
        "a bare head stands for the last speaker with that head",
        "verify/detection/parties.py",
        "for words in reversed(speakers.values()):",
        "for words in ():",
    ),
    Mutant(
        "G33-roles",
        "officials as person roles (coroner, registrar, ...)",
        "verify/detection/lexicon.py",
        '    "coroner ombudsman ombudswoman ombudsperson registrar examiner pathologist "\n',
        '    "ombudswoman ombudsperson "\n',
    ),
    Mutant(
        "G34-jan",
        "a month's short form before a surname is a given name",
        "verify/detection/casing.py",
        "if t.lower in _SHORT_MONTHS and _surname_after(tokens, k + 1):",
        "if False:",
    ),
    Mutant(
        "G34-particles",
        "name particles between given name and surname ('Jan de Vries')",
        "verify/detection/casing.py",
        'word_set("de da di du del della der den van von ter ten la le dos das")',
        'word_set("")',
    ),
    Mutant(
        "G35-named-group",
        "a group noun with names after it is no vague source",
        "verify/detection/signals.py",
        "return len(words) == 1 or not words[1][:1].isupper()",
        "return True",
    ),
    Mutant(
        "G35-plural-title",
        "names after a plural title speak ('said residents X and Y')",
        "verify/detection/attribution.py",
        "role = singular_role(t.lower) or _group_of_people(t.lower)",
        "role = singular_role(t.lower)",
    ),
    Mutant(
        "G36-marks",
        "other scripts' commas and stops read as punctuation",
        "verify/detection/detector.py",
        "read = plain_punctuation(body)",
        "read = body",
    ),
    Mutant(
        "G36-as-written",
        "results quote the body as written",
        "verify/detection/detector.py",
        "            _quote_body(body, read, facts)\n",
        "            pass\n",
    ),
)


def run(mutant: Mutant, copy: Path) -> list[str] | None:
    """The tests that fail with the mutant applied in copy; None when it is stale."""
    path = copy / mutant.path
    original = path.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:
        return None
    path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
    try:
        # `python -m` puts the copy first on sys.path, ahead of the editable install
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *TESTS],
            cwd=copy,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        path.write_text(original, encoding="utf-8")
    tests = Counter(re.findall(r"^FAILED (\S+?)(?:\[|\s|$)", done.stdout, re.M))
    # a parametrized test counts its failing rows: "test_x (3 rows)"
    return [f"{t} ({n} rows)" if n > 1 else t for t, n in sorted(tests.items())]


def main(args: list[str]) -> int:
    # in the order of the list: A1, A2, ... A8, B9, ...
    order = sorted(MUTANTS, key=lambda m: int(re.sub(r"\D", " ", m.id).split()[0]))
    chosen = [m for m in order if not args or m.id in args]
    survivors = 0
    with tempfile.TemporaryDirectory(prefix="detection-audit-") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(
            REPO,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv", ".git", "__pycache__", "node_modules", ".*_cache", "bench"
            ),
        )
        for m in chosen:
            failed = run(m, copy)
            if failed is None:
                print(f"{m.id:16} STALE: its text is no longer in {m.path}")
                survivors += 1
                continue
            survivors += not failed
            print(f"{m.id:16} {m.category}: {len(failed)} failing test(s)")
            for name in failed:
                print(f"{'':18}{name.removeprefix('tests/detection/')}")
    print(f"{len(chosen) - survivors} of {len(chosen)} mutants killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
