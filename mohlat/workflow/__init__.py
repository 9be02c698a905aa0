"""The workflow of a case: its declaration, the rulebook machine and the pure planner."""

from mohlat.workflow.definition import DeadlineKind, Facts, Role, State
from mohlat.workflow.rulebook import Move, decide

__all__ = ["DeadlineKind", "Facts", "Move", "Role", "State", "decide"]
