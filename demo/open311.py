"""The demo city's Open311 questions: what a few public services ask an app's reporter (the
street light's state, the pothole's size, what was dumped), from open311_attributes.json."""

import json
from pathlib import Path

from hierarchy.models import ProblemCode
from open311.services import service_attribute_save

ATTRIBUTES = Path(__file__).with_name("open311_attributes.json")


def load_demo_attributes() -> int:
    """Give the demo's codes their questions (each code's in the file's order); how many."""
    count = 0
    for code, questions in json.loads(ATTRIBUTES.read_text()).items():
        problem_code = ProblemCode.objects.get(code=code)
        for order, question in enumerate(questions, start=1):
            service_attribute_save(problem_code=problem_code, order=order, **question)
            count += 1
    return count
