"""The Python provider of `example:poly/text` (polyglot/text.wit, world
provider), built with componentize-py.  polyglot/provider.js is the same in
JavaScript: both must answer a consumer identically, character for
character.  An err result is raised as componentize_py_types.Err."""
from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.text import Item, Problem_BadName, Problem_Empty, Problem_TooMany


def _problem(items: list[Item]):
    if not items:
        return Problem_Empty()
    for item in items:
        if item.name == "" or " " in item.name:
            return Problem_BadName(item.name)
    total = sum(item.count for item in items)
    if total > 1000000:
        return Problem_TooMany(total % 2**32)
    return None


def _describe(item: Item) -> str:
    tags = "[" + ",".join(item.tags) + "]" if item.tags else ""
    return f"{item.name}x{item.count}{tags}"


class Text(exports.Text):
    def render(self, title: str, items: list[Item]) -> str:
        problem = _problem(items)
        if problem is not None:
            raise Err(problem)
        total = sum(item.count for item in items)
        return f"{title}: " + "; ".join(map(_describe, items)) + f" (total {total}, {len(items)} items)"

    def split_words(self, s: str) -> list[str]:
        return [w for w in s.split(" ") if w]
