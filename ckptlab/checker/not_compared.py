"""THE rule for saying why the model's outputs after a restore were not compared.

The saved-vs-restored comparison on the checker's probes (judge: saved_output_gap,
evaluate_output_gap, resume_output_gap) stands down when the two models cannot be
compared fairly. A stand down is never silent: the runner (or the judge, for what it sees
itself) names a reason from REASONS, and the judge turns it into one report note, worded
here. Unknown reasons from a runner are not repeated (a claim is not a text to show). No
points rest on a stand-down (assemble: Report.unjudged).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["REASONS", "VALUES_BUDGET", "WHERE_EVALUATE", "WHERE_PREDICT", "WHERE_RESTORE",
           "WHERE_RESUME", "note", "stand_down"]

# values of one session a check reports back to the judge, at most (the probes run in
# the session's process with all of them: no comparison stands down for a model's size)
VALUES_BUDGET = 20000
# where a comparison stood down: any restore, or one stage's
WHERE_RESTORE, WHERE_PREDICT, WHERE_EVALUATE = "restore", "predict", "evaluate"
WHERE_RESUME = "resume"
_WHERE = {WHERE_RESTORE: "restore", WHERE_PREDICT: "predict()'s restore",
          WHERE_EVALUATE: "evaluate()'s restore", WHERE_RESUME: "the resumed train()'s restore"}
REASONS = {
    "restore_params": "RESTORE_PARAMS differ from PARAMS: the restored model is built with "
                      "other params than the model training saved",
    "renamed": "a Saver maps checkpoint names onto other variables ({detail}), so the "
               "restored model differs from the saved one on purpose",
    "not_in_session": "{detail}, a variable the outputs need, was not in the session whose "
                      "values the model is run with (it is made in some modes only)",
    "shape": "a variable has another shape in this graph than in the session ({detail})",
    "no_graph": "model_fn built no {detail} graph to run",
    "fixed_batch": "the model needs a fixed batch size ({detail}) and the checker's probes "
                   "are another number of examples",
    "eval_predictions": "the EVAL EstimatorSpec has no predictions with PREDICT's keys to "
                        "run on the probes",
    "resume_random": "the model gave other outputs on two runs of the same probes with the "
                     "same values (up to {detail} apart)",
    "eval_random": "the EVAL graph gave other outputs on two runs of the same probes with "
                   "the same values (up to {detail} apart)",
    "other_probes": "the restored model was run on other probes than the saved one",
    "unlike": "the saved and the restored model's outputs have different shapes",
    "failed": "running the model on the probes raised {detail}",
}


def stand_down(where: str, reason: str, detail: str = "") -> dict[str, str]:
    """A stand-down as a runner records it (JSON), for the judge to word."""
    return {"where": where, "reason": reason, "detail": str(detail)[:160]}


def _plain(detail: Any) -> str:
    """A claimed detail as one short line of names and numbers: a claim is never free text
    in a report (no new lines, no markup, nothing that could pass for a verdict)."""
    return re.sub(r"[^\w./:\[\]'(), -]", "?", " ".join(str(detail).split()))[:160]


def note(where: Any, reason: Any, detail: Any = "") -> str | None:
    """The report note for one stand-down; None for a reason this ckptlab does not know."""
    if not isinstance(where, str) or not isinstance(reason, str) or where not in _WHERE \
            or reason not in REASONS:
        return None
    text = REASONS[reason].format(detail=_plain(detail) or "?")
    return f"outputs after {_WHERE[where]} not compared because {text}"
